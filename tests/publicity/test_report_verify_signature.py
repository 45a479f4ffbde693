"""The verification page checks a report's digital signature: by its printed code, and for a PDF someone uploads
(integrity, signer, signing time, whether a newer version replaced it), keeping nothing of the upload."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programmes import signing
from programmes.models import ActionProgramme
from reviews.models import Report, ReportKind
from reviews.reports.produce import report_produce
from tests.programmes.programme_data import make_confirmed
from tests.programmes.signing_keys import SigningKeyFiles, make_signing_key, use_portal_key
from tests.publicity.public_data import amend_target

pytestmark = pytest.mark.django_db

SIGNER = "Cổng chương trình hành động – Phường Bến Thành"
INTACT = "Chữ ký số hợp lệ: nội dung còn nguyên vẹn từ lúc ký."
NOT_INTACT = "nội dung không còn nguyên vẹn"
UNSIGNED = "chưa ký số"
GENUINE = "Đây là báo cáo thật do cổng tạo ra."


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def portal_key(settings, tmp_path: Path) -> SigningKeyFiles:
    return use_portal_key(settings, tmp_path / "portal", SIGNER)


def produce_programme(cast) -> Report:
    programme = make_confirmed(cast.member, cast.secretary.user)
    report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)
    return report


def stored_pdf(report: Report) -> bytes:
    with report.file.open("rb") as stored:
        return stored.read()


def upload(content: bytes, name: str = "bao-cao.pdf") -> str:
    # A client that checks CSRF as a browser's request is checked: the page holds no token, and needs none.
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("publicity:report_verify"), {"tep": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.text


def test_an_uploaded_signed_report_is_intact_with_its_signer_time_and_version(cast, media, portal_key):
    report = produce_programme(cast)

    text = upload(stored_pdf(report))

    assert INTACT in text
    assert NOT_INTACT not in text
    assert SIGNER in text
    assert "theo đồng hồ của máy ký, không có dấu thời gian" in text  # no timestamp server configured
    assert GENUINE in text
    assert report.title in text
    assert "1 (mới nhất)" in text
    # The test CA is bundled with the portal's key: the certificate is trusted.
    assert "không do tổ chức cung cấp dịch vụ chứng thực" not in text


def test_one_byte_changed_makes_the_page_say_it_is_not_intact(cast, media, portal_key):
    pdf = bytearray(stored_pdf(produce_programme(cast)))
    at = pdf.index(b"WeasyPrint")  # inside the signed bytes: the document's producer
    pdf[at] = ord("X")

    text = upload(bytes(pdf))

    assert NOT_INTACT in text
    assert INTACT not in text
    assert GENUINE not in text
    assert "không trùng khớp từng byte với báo cáo nào" in text


def test_a_replaced_report_uploaded_says_a_newer_version_exists(cast, media, portal_key):
    report = produce_programme(cast)
    assert report.programme_id is not None
    amend_target(ActionProgramme.objects.get(pk=report.programme_id), cast.secretary.user, "90")
    newer, made = report_produce(ReportKind.PROGRAMME, report.programme_id)
    assert made and newer.version == 2

    text = upload(stored_pdf(report))

    assert INTACT in text
    assert "Đã có phiên bản mới hơn thay thế báo cáo này." in text
    assert "1 (đã bị thay thế)" in text


def test_the_printed_code_shows_the_stored_reports_signature(cast, media, portal_key):
    report = produce_programme(cast)

    text = Client().get(reverse("publicity:report_verify"), {"ma": report.verification_code}).text

    assert GENUINE in text
    assert INTACT in text
    assert SIGNER in text


def test_with_no_key_the_report_is_unsigned_and_the_page_says_so(cast, media):
    report = produce_programme(cast)

    by_code = Client().get(reverse("publicity:report_verify"), {"ma": report.verification_code}).text
    by_file = upload(stored_pdf(report))

    for text in (by_code, by_file):
        assert UNSIGNED in text
        assert GENUINE in text
        assert INTACT not in text and NOT_INTACT not in text


def test_a_signature_from_a_ca_the_portal_does_not_trust_is_intact_but_flagged(cast, media, tmp_path):
    stranger = make_signing_key(tmp_path / "stranger", "Người lạ", organisation="Tổ chức không rõ")
    unsigned = stored_pdf(produce_programme(cast))
    key = signing.signing_key_for("")
    assert key is None  # the portal has no key: the stranger signs a copy itself
    signed = signing.sign_pdf(
        unsigned,
        signing._key_from(str(stranger.pkcs12), stranger.passphrase),
        signing.SignerLines(name="Người lạ", title="", organisation="Tổ chức không rõ"),
        None,
    )

    text = upload(signed)

    assert INTACT in text
    assert "Người lạ" in text
    assert "không do tổ chức cung cấp dịch vụ chứng thực chữ ký số mà cổng tin cậy cấp" in text
    assert GENUINE not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Tệp đã chọn rỗng"),
        (b"PK\x03\x04 not a pdf", "không phải tệp PDF"),
        (b"%PDF-1.7\n garbage without a trailer", "Không đọc được tệp này như một tệp PDF"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_gets_a_clear_message(db, media, content, message):
    text = upload(content, name="tai-lieu.pdf")
    assert message in text
    assert "Kết quả kiểm tra tệp" not in text


def test_a_file_over_the_limit_is_refused_before_it_is_read(db, media, settings):
    settings.VERIFY_MAX_UPLOAD_MB = 1
    text = upload(b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1), name="qua-lon.pdf")
    assert "quá giới hạn 1 MB" in text
    assert "qua-lon.pdf" in text


def test_nothing_of_an_upload_is_kept(cast, media, portal_key):
    report = produce_programme(cast)
    files = sorted(media.rglob("*"))

    upload(stored_pdf(report))

    assert sorted(media.rglob("*")) == files
    assert Report.objects.count() == 1


def test_the_page_offers_the_upload_without_a_per_visitor_token(db):
    text = Client().get(reverse("publicity:report_verify")).text
    assert 'id="verify-file-form"' in text
    assert 'enctype="multipart/form-data"' in text
    assert "csrfmiddlewaretoken" not in text
