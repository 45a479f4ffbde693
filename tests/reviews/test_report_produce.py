"""Producing a report exactly once: unchanged data stores nothing new, changed data a new version."""

import pytest

from reviews.models import Report, ReportKind
from reviews.reports.produce import report_produce, verify
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.django_db


def test_a_rerun_with_unchanged_data_stores_nothing_new(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    programme = make_confirmed(cast.member, cast.secretary.user)
    first, made = report_produce(ReportKind.PROGRAMME, programme.pk)
    assert made
    again, made_again = report_produce(ReportKind.PROGRAMME, programme.pk)
    assert not made_again
    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert len(list((tmp_path / "reports").rglob("*.pdf"))) == 1


def test_a_report_is_verified_by_its_code_or_its_hash(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    programme = make_confirmed(cast.member, cast.secretary.user)
    report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)
    by_code = verify(f"{report.verification_code[:5]}-{report.verification_code[5:]}".lower())
    by_hash = verify(report.sha256)
    assert by_code is not None and by_hash is not None
    assert by_code.is_latest and by_code.title == programme.title
    assert by_hash.organisation == cast.cell_a.name
    assert verify("0000000000") is None
    assert verify("not a code") is None
