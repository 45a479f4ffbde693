"""Serving stored files (evidence, minutes, comments, reports) as downloads, the one way the portal does it.

Media is private: no URL serves it directly. A view first decides, through the access module, that the
user may have the file, then hands it here.
"""

import mimetypes
from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def guess_content_type(name: str) -> str:
    content_type, _encoding = mimetypes.guess_type(PurePath(name).name)
    return content_type or "application/octet-stream"


def extension_of(stored: FieldFile) -> str:
    return PurePath(stored.name or "").suffix.lower()


def private_download(
    stored: FieldFile, *, filename: str, content_type: str = "", cache: str = "private"
) -> FileResponse:
    """The stored file as an attachment the browser must not sniff or run; 404 when there is none on disk.

    `cache` is "private" for anything of a person's; a public file may pass "public, max-age=…".
    """
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or guess_content_type(filename),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened in the browser anyway (a PDF viewer, an image), it runs no script and reaches nothing.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = cache
    return response
