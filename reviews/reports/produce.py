"""Producing a report exactly once, and checking a printed one.

A report is keyed by its subject (kind and what it is about) and the hash of its data. Producing it
again with unchanged data returns the stored report and writes nothing; changed data makes a new
version and marks the previous one superseded. Two workers racing on the same subject meet at the
database's unique constraints: one stores, the other finds what was stored and throws its file away.
A worker killed at any point leaves either no row (the task runs again) or the finished row.

A report whose signing body (or the portal) has a key is signed digitally (programmes.signing). The signature is
made after the data hash is looked up, so a rerun with unchanged data finds the signed report and signs nothing;
the hash takes in the signing certificate, so a new or renewed key makes a new, signed version; and the file's
SHA-256 is that of the signed bytes, the file a reader holds. With no key the hash is the data's alone, as before.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from programmes import signing
from programmes.documents import qr_code_src, render_pdf, render_pdf_placing
from programmes.models import PartyOrganisation
from reviews.models import Report, ReportKind, Review, ReviewPeriod
from reviews.reports import contexts  # noqa: F401  (registers the builders)
from reviews.reports.kinds import BUILDERS, DigitalSigner, ReportData

# Crockford's alphabet: no I, L, O or U, so a code read off paper is not mistyped.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def data_hash(data: dict[str, object]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """ "ABCDE12345" printed as "ABCDE-12345", easier to read out and type."""
    return f"{code[:5]}-{code[5:]}"


def verify_path() -> str:
    """Where the public verification page (publicity's `report_verify`) answers. Asked at use time: the URLconf
    is not loaded when this module is imported. In the portal's own language, so without a language prefix: the
    paper serves every reader, whatever the language of whoever had it printed."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("publicity:report_verify")


def verification_url(code: str) -> str:
    """The address a report prints and draws as its QR code: under the portal's public address (PORTAL_SITE_URL),
    written with or without a closing slash."""
    return f"{settings.SITE_URL.rstrip('/')}{verify_path()}?ma={code}"


def report_data(kind: str, object_id: int, period: ReviewPeriod | None = None) -> ReportData:
    builder = BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"unknown report kind {kind!r}")
    return builder(object_id, period)


def _context(report: ReportData, code: str) -> dict[str, object]:
    url = verification_url(code)
    return {
        **report.data,
        **report.extra,
        "verification_code": display_code(code),
        "verification_url": url,
        # The renderer draws the QR code of the address (a PNG it makes, nothing fetched).
        "verification_qr": qr_code_src(url),
    }


def render(report: ReportData, code: str) -> bytes:
    return render_pdf(report.template, _context(report, code))


def render_signed(report: ReportData, code: str, signer: DigitalSigner, key: signing.SigningKey) -> bytes:
    """The report signed with `key`, its visible signature in the signer's column of the signature blocks."""
    context = {**_context(report, code), "digital_signature_column": signer.column}
    pdf, place = render_pdf_placing(report.template, context, signing.FIELD_ANCHOR)
    lines = signing.SignerLines(
        name=signer.name,
        title=" – ".join(part for part in (signer.heading, signer.title) if part),
        organisation=signer.organisation.name,
    )
    return signing.sign_pdf(pdf, key, lines, place)


def signing_key(report: ReportData) -> signing.SigningKey | None:
    if report.signer is None:
        return None
    return signing.signing_key_for(report.signer.organisation.code)


def report_hash(report: ReportData, key: signing.SigningKey | None) -> str:
    """The idempotency key of the report's content: its data, and the certificate that signs it."""
    if key is None:
        return data_hash(report.data)
    return data_hash({"data": report.data, "signed_with": key.fingerprint})


def _stored(subject_key: str, content_hash: str) -> Report | None:
    return Report.objects.filter(subject_key=subject_key, content_hash=content_hash).first()


def report_produce(kind: str, object_id: int, period: ReviewPeriod | None = None) -> tuple[Report, bool]:
    """The report of this subject for its current data: (report, whether it was made now)."""
    built = report_data(kind, object_id, period)
    key = signing_key(built)
    content_hash = report_hash(built, key)
    existing = _stored(built.subject_key, content_hash)
    if existing is not None:
        return existing, False
    code = new_verification_code()
    if key is not None and built.signer is not None:
        pdf = render_signed(built, code, built.signer, key)
    else:
        pdf = render(built, code)
    sha256 = hashlib.sha256(pdf).hexdigest()
    report = Report(
        kind=built.kind,
        subject_key=built.subject_key,
        period=built.period,
        organisation=built.organisation,
        review=built.review,
        programme=built.programme,
        title=built.title[:255],
        content_hash=content_hash,
        sha256=sha256,
        verification_code=code,
        size=len(pdf),
    )
    report.file.save(f"{built.kind}-{code}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic(durable=True):
            previous = Report.objects.select_for_update().filter(subject_key=built.subject_key, is_current=True).first()
            last = Report.objects.filter(subject_key=built.subject_key).aggregate(last=Max("version"))["last"]
            report.version = (last or 0) + 1
            if previous is not None:
                previous.is_current = False
                previous.superseded_at = timezone.now()
                previous.save(update_fields=["is_current", "superseded_at"])
            report.save()
    except IntegrityError:
        # Another worker stored this subject at the same moment: keep theirs, drop our file.
        report.file.delete(save=False)
        winner = _stored(built.subject_key, content_hash)
        if winner is None:
            raise
        return winner, False
    return report, True


# The summaries that print each member's level: a cell's, and the roll-up of an organisation above it.
SUMMARY_KINDS = (ReportKind.CELL_SUMMARY, ReportKind.ORGANISATION_ROLLUP)


def review_reports_refresh(review_id: int) -> list[tuple[Report, bool]]:
    """After a review changed once its result stood (an appeal, a re-classification): its individual report,
    and the cell summary and roll-ups of its period that print it and were already made, each for its data
    as it now is. The data hash makes it exactly once: a rerun, or a summary whose data did not change,
    stores nothing. Summaries nobody asked for yet are left to the batches and schedules."""
    review = Review.objects.select_related("period", "place").get(pk=review_id)
    produced = [report_produce(ReportKind.INDIVIDUAL, review.pk)]
    lineage = [*PartyOrganisation.objects.get_ancestors(review.place), review.place]
    summaries = (
        Report.objects.filter(period=review.period, kind__in=SUMMARY_KINDS, organisation__in=lineage, is_current=True)
        .select_related("organisation")
        .order_by("-organisation__depth", "kind")
    )
    for summary in summaries:
        produced.append(report_produce(summary.kind, summary.organisation_id, review.period))
    return produced


@dataclass(frozen=True)
class Verification:
    kind_label: str
    title: str
    organisation: str
    period: str
    generated_at: object
    version: int
    is_latest: bool
    sha256: str
    verification_code: str
    # What the stored file's digital signature says; None when the file cannot be read.
    signature: signing.SignatureCheck | None = None


def _verification(report: Report, signature: signing.SignatureCheck | None) -> Verification:
    return Verification(
        kind_label=report.get_kind_display(),
        title=report.title,
        organisation=report.organisation.name,
        period=report.period.title if report.period is not None else "",
        generated_at=report.generated_at,
        version=report.version,
        is_latest=report.is_current,
        sha256=report.sha256,
        verification_code=display_code(report.verification_code),
        signature=signature,
    )


def stored_signature(report: Report) -> signing.SignatureCheck | None:
    """The check of the signature of the file the portal keeps for `report`."""
    try:
        with report.file.open("rb") as stored:
            pdf = stored.read()
    except OSError:
        return None
    try:
        return signing.check_pdf(pdf)
    except signing.UnreadablePdf:
        return None


def verify(code_or_hash: str) -> Verification | None:
    """Is this a genuine report? Found by its printed code (with or without the dash) or its file's SHA-256.

    Answers only what a public page may show: kind, title, organisation, period, dates, whether a newer version
    replaced it, and what the stored file's digital signature says. None when nothing matches.
    """
    value = code_or_hash.strip().upper().replace("-", "").replace(" ", "")
    if len(value) == 64:
        report = Report.objects.filter(sha256=value.lower()).select_related("organisation", "period").first()
    elif len(value) == CODE_LENGTH and all(char in CODE_ALPHABET for char in value):
        report = Report.objects.filter(verification_code=value).select_related("organisation", "period").first()
    else:
        return None
    if report is None:
        return None
    return _verification(report, stored_signature(report))


@dataclass(frozen=True)
class FileVerification:
    """What a PDF someone holds is: what its signature says, and the portal's report it is byte for byte (None
    when it is none: changed, or not made by the portal)."""

    signature: signing.SignatureCheck
    report: Verification | None


def verify_file(pdf: bytes) -> FileVerification:
    """Check a PDF's digital signature and find the report it is. Nothing of it is kept.
    signing.UnreadablePdf when it cannot be read as a PDF."""
    signature = signing.check_pdf(pdf)
    sha256 = hashlib.sha256(pdf).hexdigest()
    report = Report.objects.filter(sha256=sha256).select_related("organisation", "period").first()
    return FileVerification(signature=signature, report=_verification(report, signature) if report else None)
