"""What every import file is held to, whatever its format: the limits (from the settings), the errors that refuse a
file, and the refusals of a file too big or with too many rows, columns or cells, each saying what the file holds."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import get_format
from django.utils.numberformat import format as format_number
from django.utils.translation import gettext as _

# A sheet's first row holds the column headers; data rows are the ones below it.
HEADER_ROW = 1
MB = 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why, in Vietnamese."""


class FileTooLarge(UnreadableFile):
    """The file passes one of the import limits; the message says which, and what the file declares or holds."""


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int
    # Data rows, below the header row.
    max_rows: int
    max_columns: int
    max_cells: int
    max_uncompressed_bytes: int

    @classmethod
    def from_settings(cls) -> "ImportLimits":
        return cls(
            max_bytes=settings.IMPORT_MAX_UPLOAD_MB * MB,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cells=settings.IMPORT_MAX_CELLS,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_MB * MB,
        )

    @property
    def last_row(self) -> int:
        """The last sheet row a file may use: the header and the data rows."""
        return self.max_rows + HEADER_ROW


def number(value: int) -> str:
    """A count as people read it, with the page language's thousands separator (100.000 in Vietnamese)."""
    return format_number(value, get_format("DECIMAL_SEPARATOR"), 0, 3, get_format("THOUSAND_SEPARATOR"), True)


def megabytes(size: int) -> str:
    """Rounded up to a tenth, so that a size over a limit never reads as the limit itself."""
    tenths = math.ceil(size * 10 / MB) / 10
    return format_number(tenths, get_format("DECIMAL_SEPARATOR"), 1, 3, get_format("THOUSAND_SEPARATOR"), True)


def too_big(size: int | None, limits: ImportLimits) -> FileTooLarge:
    """`size` None when the file was read only as far as the limit."""
    limit = number(limits.max_bytes // MB)
    if size is None:
        return FileTooLarge(
            _("Tệp lớn hơn %(limit)s MB, là giới hạn cho một lần nhập. Hãy chia tệp thành nhiều tệp nhỏ hơn.")
            % {"limit": limit}
        )
    return FileTooLarge(
        _("Tệp nặng %(size)s MB, vượt giới hạn %(limit)s MB cho một lần nhập. Hãy chia tệp thành nhiều tệp nhỏ hơn.")
        % {"size": megabytes(size), "limit": limit}
    )


def too_many_rows(row: int, limits: ImportLimits) -> FileTooLarge:
    return FileTooLarge(
        _(
            "Tệp có dữ liệu ở dòng %(row)s, vượt giới hạn %(limit)s dòng dữ liệu (không kể dòng tiêu đề) cho một "
            "lần nhập. Hãy chia tệp, ví dụ theo từng đảng bộ phường, xã, hoặc xóa các dòng thừa ở cuối trang tính."
        )
        % {"row": number(row), "limit": number(limits.max_rows)}
    )


def too_many_columns(row: int, column: int, limits: ImportLimits) -> FileTooLarge:
    return FileTooLarge(
        _(
            "Dòng %(row)s có ô ở cột thứ %(column)s, vượt giới hạn %(limit)s cột. "
            "Hãy xóa các cột thừa bên phải rồi lưu lại."
        )
        % {"row": number(row), "column": number(column), "limit": number(limits.max_columns)}
    )


def too_many_cells(limits: ImportLimits) -> FileTooLarge:
    return FileTooLarge(
        _("Tệp có hơn %(limit)s ô dữ liệu, vượt giới hạn cho một lần nhập. Hãy chia tệp hoặc xóa các cột thừa.")
        % {"limit": number(limits.max_cells)}
    )
