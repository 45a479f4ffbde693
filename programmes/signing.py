"""Digital signatures (ký số) of the portal's documents: PAdES signatures made and checked with pyHanko.

A document is signed with the key of its signing body when that body (by its organisation code) has one in
PORTAL_SIGNING_KEYS, else with the portal's (PORTAL_SIGNING_PKCS12); with no key it is made unsigned, as the
embedded default runs. The visible signature carries the name and post of who signs for the body and the time;
with PORTAL_SIGNING_TSA_URL the signature also gets its time from that RFC 3161 server. docs/SIGNING.md says how
to set the keys up, and how a hardware module (PKCS#11) would take the PKCS#12 file's place.
"""

import datetime
import functools
import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from programmes.documents import PlacedBox, static_file_path

# The signature field every signed document has; the template marks where it goes with this id.
FIELD_NAME = "ChuKySo"
FIELD_ANCHOR = "chu-ky-so"
# A font with the Vietnamese letters, drawn into the visible signature (the PDF's own fonts are subsets).
STAMP_FONT = "fonts/NotoSans-Regular.ttf"
TSA_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SigningKey:
    signer: signers.SimpleSigner
    # SHA-256 of the signing certificate: what a report's data hash takes in, so that a new key makes a new version.
    fingerprint: str


@dataclass(frozen=True)
class SignerLines:
    """What the visible signature prints: who signs for the body, in which post, for which body."""

    name: str
    title: str
    organisation: str


def _passphrase(value: str) -> bytes | None:
    return value.encode() if value else None


@functools.cache
def _load_key(path: str, passphrase: str, modified_ns: int) -> SigningKey:
    # Keyed by the file's modification time too: a renewed certificate is read again without a restart.
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=_passphrase(passphrase))  # type: ignore[no-untyped-call]
    if signer is None or signer.signing_cert is None:
        raise ImproperlyConfigured(f"the PKCS#12 file {path} cannot be read with its passphrase")
    return SigningKey(signer=signer, fingerprint=hashlib.sha256(signer.signing_cert.dump()).hexdigest())


def _key_from(path: str, passphrase: str) -> SigningKey:
    file = Path(path)
    if not file.is_file():
        raise ImproperlyConfigured(f"the PKCS#12 file {path} does not exist")
    return _load_key(str(file), passphrase, file.stat().st_mtime_ns)


def signing_key_for(organisation_code: str) -> SigningKey | None:
    """The key that signs for the organisation: its own, else the portal's, else None (documents unsigned).
    A key that is configured but unreadable is an error, never a silent unsigned document."""
    own = settings.PORTAL_SIGNING_KEYS.get(organisation_code)
    if own is not None:
        return _key_from(own["pkcs12"], own.get("passphrase", ""))
    if settings.PORTAL_SIGNING_PKCS12:
        return _key_from(settings.PORTAL_SIGNING_PKCS12, settings.PORTAL_SIGNING_PASSPHRASE)
    return None


def _configured_keys() -> list[SigningKey]:
    entries = [(entry["pkcs12"], entry.get("passphrase", "")) for entry in settings.PORTAL_SIGNING_KEYS.values()]
    if settings.PORTAL_SIGNING_PKCS12:
        entries.append((settings.PORTAL_SIGNING_PKCS12, settings.PORTAL_SIGNING_PASSPHRASE))
    return [_key_from(path, passphrase) for path, passphrase in entries]


def _timestamper() -> timestamps.HTTPTimeStamper | None:
    if not settings.PORTAL_SIGNING_TSA_URL:
        return None
    return timestamps.HTTPTimeStamper(settings.PORTAL_SIGNING_TSA_URL, timeout=TSA_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class _FontInMemory(GlyphAccumulatorFactory):
    """pyHanko's font engine, given the font's bytes: its own opens the file and never closes it."""

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: object = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()  # type: ignore[no-untyped-call]
        return GlyphAccumulator(
            writer=writer,
            font_handle=BytesIO(Path(self.font_file).read_bytes()),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


@functools.cache
def _stamp_style() -> TextStampStyle:
    font = static_file_path(STAMP_FONT)
    if font is None:
        raise ImproperlyConfigured(f"the font {STAMP_FONT} of the visible signature is missing")
    return TextStampStyle(
        stamp_text="%(heading)s\n%(name)s\n%(title)s\n%(organisation)s\n%(time)s",
        text_box_style=TextBoxStyle(font=_FontInMemory(str(font), font_size=7)),
        border_width=1,
    )


def sign_pdf(pdf: bytes, key: SigningKey, signer: SignerLines, place: PlacedBox | None) -> bytes:
    """The PDF signed as PAdES (B-B, or B-T with a timestamp server), in an incremental update of `pdf`: a visible
    signature in `place`, an invisible one when the document has no place for it."""
    signed_at = timezone.localtime()
    field_spec = (
        fields.SigFieldSpec(FIELD_NAME, on_page=place.page, box=place.box)
        if place is not None
        else fields.SigFieldSpec(FIELD_NAME)
    )
    # The document's language, whatever the language of the request or worker that signs it.
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Ký số văn bản của %(organisation)s") % {"organisation": signer.organisation}
        heading = _("Đã ký số")
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=signer.name or signer.organisation,
        reason=reason,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=key.signer,
        timestamper=_timestamper(),
        stamp_style=_stamp_style(),
        new_field_spec=field_spec,
    )
    output = BytesIO()
    pdf_signer.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        output=output,
        appearance_text_params={
            "heading": heading,
            "name": signer.name,
            "title": signer.title,
            "organisation": signer.organisation,
            "time": signed_at.strftime("%d/%m/%Y %H:%M"),
        },
    )
    return output.getvalue()


# --- Checking a signed PDF ------------------------------------------------------------------------------------


class UnreadablePdf(ValueError):
    """The bytes are not a PDF that can be read."""


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's signature says. `intact`: the file is, byte for byte, what was signed (nothing changed and
    nothing added after). `trusted`: the certificate chains to a root the portal trusts."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signer_organisation: str = ""
    signed_at: datetime.datetime | None = None
    timestamped: bool = False


def _certificates_in(path: str) -> list[x509.Certificate]:
    data = Path(path).read_bytes()
    if pem.detect(data):
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def trust_roots() -> list[x509.Certificate]:
    """The roots a signature's certificate must chain to: PORTAL_SIGNING_TRUST_ROOTS, and the issuers bundled with
    the configured keys (the CA that issued the portal's own certificate)."""
    roots = [cert for path in settings.PORTAL_SIGNING_TRUST_ROOTS for cert in _certificates_in(path)]
    for key in _configured_keys():
        roots += [cert for cert in key.signer.cert_registry if cert != key.signer.signing_cert]
    return roots


def _name_parts(cert: x509.Certificate) -> tuple[str, str]:
    subject = cert.subject.native
    return str(subject.get("common_name", "")), str(subject.get("organization_name", ""))


def check_pdf(pdf: bytes) -> SignatureCheck:
    """The check of a PDF's first signature, offline (no revocation lists or OCSP are fetched: the page answers
    from what it has). UnreadablePdf when the bytes cannot be read as a PDF at all."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        raise UnreadablePdf(str(error)) from error
    if not signatures:
        return SignatureCheck(signed=False)
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[0], signer_validation_context=context)
    except (SignatureValidationError, SigningError, PdfError, ValueError, KeyError) as error:
        # A signature that cannot even be evaluated (its bytes damaged) proves nothing about the file.
        raise UnreadablePdf(str(error)) from error
    signer, organisation = _name_parts(status.signing_cert)
    stamp = status.timestamp_validity
    return SignatureCheck(
        signed=True,
        intact=status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=status.trusted,
        signer=signer,
        signer_organisation=organisation,
        signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
        timestamped=stamp is not None,
    )
