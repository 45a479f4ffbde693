"""Bounds on an import file, checked before anything parses it, so that no file can exhaust a worker.

An XLSX file is a zip of XML parts, and what it declares costs nothing to write: a 50 KB file may declare
the sheet area A1:XFD1048576, or a million rows, or decompress to gigabytes. So, before anything parses it:

1. the zip's directory, read from the end of the file: number of parts, size of each once decompressed
   (zipfile never yields more than that), and how strongly each large part is compressed;
2. every XML part, streamed through expat without keeping anything: a sheet's declared area, then its
   rows, columns, cells and the bytes of each row; the shared strings' count and size; the number of
   elements of every other part (styles, workbook, the sheet's merged cells and links).

At upload only the cheap, declared facts are checked (the directory, each sheet's declared area, the declared
count of shared strings); the import checks everything, since a file may lie: the reader of the first sheet
(programmes.importing.xlsx) counts that sheet's rows, cells and bytes and the shared strings as it reads
them, and every other part is streamed through expat first. A CSV file is read as a
stream of lines and stops at the first limit passed. Every refusal says which limit and what the file holds.
"""

from pathlib import Path
from typing import IO

from .bounds import (
    HEADER_ROW,
    FileTooLarge,
    ImportLimits,
    UnreadableFile,
    number,
    too_big,
    too_many_columns,
    too_many_rows,
)
from .csv_files import csv_records
from .xlsx_files import check_xlsx, xlsx_unreadable

__all__ = [
    "HEADER_ROW",
    "FileTooLarge",
    "ImportLimits",
    "UnreadableFile",
    "check_declared",
    "check_xlsx",
    "csv_records",
    "number",
    "read_bounded",
    "too_big",
    "too_many_columns",
    "too_many_rows",
    "xlsx_unreadable",
]


def read_bounded(source: Path | IO[bytes], limits: ImportLimits) -> bytes:
    """The whole file, read only if it is within the size limit."""
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > limits.max_bytes:
            raise too_big(size, limits)
        return source.read_bytes()
    data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise too_big(None, limits)
    return data


def check_declared(data: bytes, suffix: str, limits: ImportLimits) -> None:
    """The checks an upload gets: what an XLSX declares, or a CSV's rows and columns (it is read in a second).

    Only a file over a limit is refused here; a file that cannot be read is left to the import, which says why.
    """
    try:
        if suffix == ".xlsx":
            check_xlsx(data, limits, thorough=False)
        elif suffix == ".csv":
            for _values in csv_records(data, limits):
                pass
    except FileTooLarge:
        raise
    except UnreadableFile:
        return
