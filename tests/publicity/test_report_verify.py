"""The report verification page: a printed code (or the file's SHA-256) says whether a report is genuine."""

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import ActionProgramme
from publicity.forms import normalise_code
from reviews.models import ReportKind
from reviews.reports.produce import report_produce
from tests.programmes.programme_data import make_confirmed
from tests.publicity.public_data import amend_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    programme = make_confirmed(cast.member, cast.secretary.user)
    produced, _made = report_produce(ReportKind.PROGRAMME, programme.pk)
    return produced


def check(code: str) -> str:
    response = Client().get(reverse("publicity:report_verify"), {"ma": code})
    assert response.status_code == 200
    return response.text


def test_the_page_without_a_code_shows_the_form_only(db):
    text = Client().get(reverse("publicity:report_verify")).text
    assert 'name="ma"' in text
    assert "Kết quả kiểm tra" not in text
    assert 'name="robots"' not in text


@pytest.mark.parametrize("written", ["plain", "dashed", "lower", "spaced", "hash"])
def test_a_genuine_report_is_confirmed_with_what_it_is(cast, report, written):
    code = report.verification_code
    entered = {
        "plain": code,
        "dashed": f"{code[:5]}-{code[5:]}",
        "lower": f"{code[:5]}-{code[5:]}".lower(),
        "spaced": f" {code[:5]} {code[5:]} ",
        "hash": report.sha256.upper(),
    }[written]

    text = check(entered)

    assert "Đây là báo cáo thật do cổng tạo ra." in text
    assert "Chương trình hành động" in text  # the kind
    assert report.title in text
    assert cast.cell_a.name in text
    assert report.sha256 in text
    assert "1 (mới nhất)" in text
    assert "Đã có phiên bản mới hơn" not in text
    assert '<meta name="robots" content="noindex">' in text


def test_a_replaced_report_says_a_newer_version_exists(cast, report):
    amend_target(ActionProgramme.objects.get(pk=report.programme_id), cast.secretary.user, "90")
    newer, made = report_produce(ReportKind.PROGRAMME, report.programme_id)
    assert made and newer.version == 2

    text = check(report.verification_code)

    assert "Đây là báo cáo thật do cổng tạo ra." in text
    assert "Đã có phiên bản mới hơn thay thế báo cáo này." in text
    assert "1 (đã bị thay thế)" in text


def test_an_unknown_code_is_not_genuine(report):
    text = check("ABCDE-12345" if report.verification_code != "ABCDE12345" else "ABCDE-12346")
    assert "Không tìm thấy báo cáo nào có mã này." in text
    assert "Đây là báo cáo thật" not in text


@pytest.mark.parametrize("entered", ["12345", "not a code!", "ABCDE-1234U", "z" * 64])
def test_a_malformed_code_is_explained_without_a_lookup(db, entered):
    text = check(entered)
    assert "Mã chưa đúng dạng" in text
    assert "Kết quả kiểm tra" not in text


def test_an_empty_code_asks_for_one(db):
    assert "Hãy nhập mã xác thực in trên báo cáo." in check("")


def test_letters_read_off_paper_as_digits_are_understood():
    assert normalise_code("abcdo-1il23") == "ABCD0-11123".replace("-", "")
    assert normalise_code("A" * 64) == "a" * 64
