"""Checking and storing evidence files: size and type (by content, not by name) and a SHA-256 of each."""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from programmes.models import Evidence
from programmes.text import one_line


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG", "image/png", (".png",))
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
WEBP = FileKind("WebP", "image/webp", (".webp",))
OOXML = {
    ".docx": FileKind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    ".xlsx": FileKind("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    ".pptx": FileKind(
        "PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
    ),
}
OPENDOCUMENT = {
    ".odt": FileKind("OpenDocument", "application/vnd.oasis.opendocument.text", (".odt",)),
    ".ods": FileKind("OpenDocument", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
}
OLE = {
    ".doc": FileKind("Word 97-2003", "application/msword", (".doc",)),
    ".xls": FileKind("Excel 97-2003", "application/vnd.ms-excel", (".xls",)),
}
ALLOWED_EXTENSIONS = (
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    *OOXML,
    *OPENDOCUMENT,
    *OLE,
)


def _sniff(head: bytes, extension: str) -> FileKind | None:
    """The kind the first bytes prove, provided it agrees with the file's extension."""
    if head.startswith(b"%PDF-"):
        kind: FileKind | None = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(b"PK\x03\x04"):
        # Office and OpenDocument files are zip archives; the extension says which one.
        kind = OOXML.get(extension) or OPENDOCUMENT.get(extension)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = OLE.get(extension)
    else:
        kind = None
    return kind if kind is not None and extension in kind.extensions else None


def max_upload_bytes() -> int:
    return int(settings.EVIDENCE_MAX_UPLOAD_MB) * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile[bytes]
    kind: FileKind
    sha256: str
    original_name: str
    storage_name: str


def check_upload(upload: UploadedFile[bytes]) -> CheckedFile:
    """Refuse, in Vietnamese and naming the file, anything too large or of a type not accepted."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    size = upload.size or 0
    if size > max_upload_bytes():
        raise ValidationError(
            _("Tệp “%(name)s” nặng %(size).1f MB, vượt giới hạn %(limit)s MB.")
            % {"name": name, "size": size / 1024 / 1024, "limit": settings.EVIDENCE_MAX_UPLOAD_MB}
        )
    if size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    kind = _sniff(head, extension)
    if kind is None:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không thuộc loại được nhận. Chỉ nhận PDF, ảnh (PNG, JPEG, WebP) "
                "và văn bản Word, Excel, PowerPoint, OpenDocument."
            )
            % {"name": name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # The stored name is random: the original name is kept apart and never becomes a path.
    storage_name = f"{uuid.uuid4().hex}{kind.extensions[0]}"
    return CheckedFile(upload, kind, digest.hexdigest(), name[:255], storage_name)


def check_link(link: str) -> str:
    link = link.strip()
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            _("Đường dẫn “%(link)s” không hợp lệ: cần bắt đầu bằng http:// hoặc https://.") % {"link": link[:100]}
        )
    return link


def download_name(evidence: Evidence) -> str:
    """The name an evidence file is downloaded under: its original name on one line, as a header must carry it
    (Django encodes the rest, RFC 5987), or a name made from its number when nothing printable is left."""
    return one_line(evidence.original_name) or f"minh-chung-{evidence.pk}"
