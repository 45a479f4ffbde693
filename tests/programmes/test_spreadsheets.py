"""The one rule for cells of every CSV and XLSX the portal writes: text a spreadsheet would run is neutralised."""

import datetime
from decimal import Decimal

import pytest

from programmes.spreadsheets import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://example.com";"Bấm vào")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_text_that_would_run_as_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Nguyễn Văn Nên", "", "ma_dang_vien", "a=b", "-12.5", "+84903123456", "7", None])
def test_plain_text_and_numbers_written_as_text_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_numbers_and_dates_stay_numbers_and_dates():
    values = [-5, -2.5, Decimal("-3.25"), 0, True, datetime.date(2026, 1, 2)]
    assert safe_row(values) == values
    assert type(safe_cell(Decimal("-3.25"))) is Decimal
