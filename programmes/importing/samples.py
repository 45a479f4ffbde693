"""Template files to download: the header row of each kind and one example row."""

import csv
import io

from openpyxl import Workbook

from programmes.spreadsheets import safe_row

from .services import KINDS


def sample_rows(kind: str) -> list[list[str]]:
    columns = KINDS[kind].columns
    return [safe_row(column.header for column in columns), safe_row(column.example for column in columns)]


def sample_csv(kind: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(sample_rows(kind))
    # The byte order mark makes Excel open the file as UTF-8 and keep the Vietnamese letters.
    return "\ufeff".encode() + buffer.getvalue().encode()


def sample_xlsx(kind: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    for row in sample_rows(kind):
        sheet.append(row)
    # Codes, ID numbers and phone numbers are text: leading zeros must survive.
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
