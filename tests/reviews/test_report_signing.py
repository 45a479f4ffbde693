"""Reports signed digitally (PAdES): checked with pyHanko's validator against a CA made in the test, the visible
signature in the signing body's block, exactly once under retries, and unsigned as before without a key."""

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from programmes import signing
from reviews import tasks
from reviews.models import ItemState, Report, ReportBatchItem, ReportKind
from reviews.reports.batches import batch_create
from reviews.reports.produce import data_hash, report_data, report_produce
from tests.programmes.programme_data import make_confirmed
from tests.programmes.signing_keys import (
    SigningKeyFiles,
    make_signing_key,
    make_timestamp_authority,
    timestamp_server,
    use_portal_key,
)
from tests.reviews.review_data import final_review, open_period

pytestmark = pytest.mark.django_db

PORTAL_SIGNER = "Cổng chương trình hành động – Phường Bến Thành"
COMMITTEE_SIGNER = "Đảng ủy cơ sở – ký số thử nghiệm"


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def portal_key(settings, tmp_path: Path) -> SigningKeyFiles:
    return use_portal_key(settings, tmp_path / "portal", PORTAL_SIGNER)


def stored_pdf(report: Report) -> bytes:
    with report.file.open("rb") as stored:
        return stored.read()


def pdf_files(media: Path) -> list[Path]:
    return sorted(media.rglob("*.pdf"))


def validate(pdf: bytes, *roots: object) -> PdfSignatureStatus:
    signatures = PdfFileReader(BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
    return validate_pdf_signature(signatures[0], signer_validation_context=context)


def field_box(pdf: bytes) -> tuple[float, float, float, float, float]:
    """The visible signature's rectangle, and the width of its page."""
    reader = PdfFileReader(BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    widget = signature.sig_field
    rect = [float(value) for value in widget["/Rect"]]
    page = widget["/P"]
    width = float(page["/MediaBox"][2])
    return rect[0], rect[1], rect[2], rect[3], width


def test_a_confirmed_programme_is_signed_and_validates_against_the_test_ca(cast, media, portal_key):
    programme = make_confirmed(cast.member, cast.secretary.user)

    report, made = report_produce(ReportKind.PROGRAMME, programme.pk)

    assert made
    pdf = stored_pdf(report)
    status = validate(pdf, portal_key.root)
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == PORTAL_SIGNER
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # PAdES, sealed over the whole file: the stored hash is that of the signed bytes.
    assert PdfFileReader(BytesIO(pdf)).embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    # The confirming cell signs: its visible signature is in the confirmer's block, the left column.
    left, bottom, right, top, width = field_box(pdf)
    assert 0 < left < right and (left + right) / 2 < width / 2
    assert top - bottom > 40


def test_an_individual_report_is_signed_with_the_deciding_committees_own_key(
    cast, media, portal_key, settings, tmp_path
):
    review = final_review(cast)
    own = make_signing_key(tmp_path / "committee", COMMITTEE_SIGNER)
    settings.PORTAL_SIGNING_KEYS = {
        review.deciding_organisation.code: {"pkcs12": str(own.pkcs12), "passphrase": own.passphrase}
    }

    report, _made = report_produce(ReportKind.INDIVIDUAL, review.pk)

    pdf = stored_pdf(report)
    status = validate(pdf, own.root)
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == COMMITTEE_SIGNER
    # The deciding committee's block is the right column.
    left, _bottom, right, _top, width = field_box(pdf)
    assert (left + right) / 2 > width / 2
    # Not trusted against another CA: the test CA is what makes it valid.
    assert not validate(pdf, portal_key.root).trusted


def test_with_a_timestamp_server_the_signature_carries_its_rfc_3161_timestamp(cast, media, portal_key, settings):
    authority = make_timestamp_authority()
    programme = make_confirmed(cast.member, cast.secretary.user)

    with timestamp_server(authority) as url:
        settings.PORTAL_SIGNING_TSA_URL = url
        report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)

    pdf = stored_pdf(report)
    status = validate(pdf, portal_key.root, authority.root)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    check = signing.check_pdf(pdf)
    assert check.intact and check.timestamped
    assert check.signed_at == status.timestamp_validity.timestamp


def test_without_a_timestamp_server_the_signature_has_no_timestamp(cast, media, portal_key):
    programme = make_confirmed(cast.member, cast.secretary.user)

    report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)

    status = validate(stored_pdf(report), portal_key.root)
    assert status.timestamp_validity is None
    assert status.signer_reported_dt is not None


def test_with_no_key_the_report_is_unsigned_and_keyed_by_its_data_alone(cast, media):
    programme = make_confirmed(cast.member, cast.secretary.user)

    report, _made = report_produce(ReportKind.PROGRAMME, programme.pk)

    pdf = stored_pdf(report)
    assert PdfFileReader(BytesIO(pdf)).embedded_signatures == []
    assert b"/ETSI.CAdES.detached" not in pdf
    assert report.content_hash == data_hash(report_data(ReportKind.PROGRAMME, programme.pk).data)


def test_a_key_configured_later_makes_one_new_signed_version(cast, media, settings, tmp_path):
    programme = make_confirmed(cast.member, cast.secretary.user)
    unsigned, _made = report_produce(ReportKind.PROGRAMME, programme.pk)
    key = make_signing_key(tmp_path / "portal", PORTAL_SIGNER)
    settings.PORTAL_SIGNING_PKCS12 = str(key.pkcs12)
    settings.PORTAL_SIGNING_PASSPHRASE = key.passphrase

    signed, made = report_produce(ReportKind.PROGRAMME, programme.pk)
    again, made_again = report_produce(ReportKind.PROGRAMME, programme.pk)

    assert made and not made_again and again.pk == signed.pk
    assert signed.version == 2 and signed.is_current
    unsigned.refresh_from_db()
    assert not unsigned.is_current and unsigned.superseded_at is not None
    assert validate(stored_pdf(signed), key.root).bottom_line
    assert len(pdf_files(media)) == 2


def test_a_configured_key_that_cannot_be_read_is_an_error_not_an_unsigned_report(cast, media, settings, tmp_path):
    key = make_signing_key(tmp_path / "portal", PORTAL_SIGNER)
    settings.PORTAL_SIGNING_PKCS12 = str(key.pkcs12)
    settings.PORTAL_SIGNING_PASSPHRASE = "sai-mat-khau"
    programme = make_confirmed(cast.member, cast.secretary.user)

    with pytest.raises((ImproperlyConfigured, ValueError)):
        report_produce(ReportKind.PROGRAMME, programme.pk)

    assert Report.objects.count() == 0


# PostgreSQL refuses to lock the nullable side of an outer join (the batch item's period): run again there.
@pytest.mark.postgres
def test_a_retried_task_stores_one_signed_report(cast, media, portal_key, django_capture_on_commit_callbacks):
    programme = make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    with django_capture_on_commit_callbacks(execute=False):
        batch = batch_create(
            period=period,
            scope=cast.ward,
            items=[(ReportKind.PROGRAMME, programme.pk)],
            acting_user=cast.org_board,
        )
    item = batch.items.get()
    # A first delivery stored its signed report, then its worker died before marking the item done.
    first, made = report_produce(ReportKind.PROGRAMME, programme.pk)
    assert made
    signed_bytes = stored_pdf(first)

    # The message is delivered again, then once more after the item is done.
    assert tasks.produce_batch_item.apply(args=(item.pk,)).get() == ItemState.DONE
    assert tasks.produce_batch_item.apply(args=(item.pk,)).get() == ItemState.DONE

    item = ReportBatchItem.objects.get(pk=item.pk)
    assert item.report_id == first.pk
    assert Report.objects.count() == 1
    assert len(pdf_files(media)) == 1
    assert stored_pdf(Report.objects.get()) == signed_bytes
    assert validate(signed_bytes, portal_key.root).bottom_line
