"""The pieces every staff search shares: folded words, the filters an address carries, the organisations a select
offers, and the workbook's cells."""

import datetime
import io
from decimal import Decimal

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from programmes import search
from programmes.exports.workbook import Book
from programmes.models import Cadre, PartyOrganisation
from programmes.search import filter_parameters, offered_choices, search_words, words_condition

pytestmark = pytest.mark.django_db


def test_words_are_folded_and_cut_to_a_few():
    assert search_words("  Nguyễn   VĂN Đức ") == ["nguyen", "van", "duc"]
    assert len(search_words("a b c d e f g h")) == search.MAX_SEARCH_WORDS


def test_a_name_is_found_without_its_accents_and_in_any_order(cast):
    found = Cadre.objects.filter(words_condition("name_folded", "anh tran")).values_list("full_name", flat=True)
    assert list(found) == ["Trần Thị Ánh"]
    assert not Cadre.objects.filter(words_condition("name_folded", "anh nguyen")).exists()


def test_the_filters_of_an_address_leave_out_pages_and_empty_values():
    query = QueryDict("q=anh&page=3&trang_quyet_dinh=2&to_chuc=&qua_han=on")
    assert filter_parameters(query) == {"q": "anh", "qua_han": "on"}


def test_the_select_offers_whole_levels_under_the_highest_and_no_more_than_it_may(cast, monkeypatch):
    ward = PartyOrganisation.objects.filter(path__startswith=cast.ward.path)
    assert offered_choices(ward) == [
        (cast.ward.pk, "Đảng bộ phường Bến Thành"),
        (cast.grassroots.pk, "— Đảng bộ Khu phố 1"),
        (cast.cell_a.pk, "— — Chi bộ Khu phố 1A"),
        (cast.cell_b.pk, "— — Chi bộ Khu phố 1B"),
    ]
    # Two cells do not fit beside the ward and its committee: their level is left out whole.
    monkeypatch.setattr(search, "MAX_OFFERED", 3)
    assert [pk for pk, _label in offered_choices(ward)] == [cast.ward.pk, cast.grassroots.pk]
    assert offered_choices(PartyOrganisation.objects.none()) == []


def test_the_workbook_keeps_numbers_and_dates_and_disarms_formulas(tmp_path):
    book = Book()
    sheet = book.sheet("Thử: [1/2]", ["=Tiêu đề", "Ngày"])
    sheet.append(["=1+1", datetime.date(2026, 3, 9), Decimal("12.50"), -3, "-12.5", "\tx", None])
    target = io.BytesIO()
    book.save(target)

    loaded = load_workbook(io.BytesIO(target.getvalue()))
    assert loaded.sheetnames == ["Thử   1 2 "]
    written = loaded["Thử   1 2 "]
    header, row = [list(values) for values in written.iter_rows(values_only=True)]
    assert header[:2] == ["'=Tiêu đề", "Ngày"]
    assert row[:6] == ["'=1+1", datetime.datetime(2026, 3, 9), 12.5, -3, "-12.5", "'\tx"]
    assert written["B2"].number_format == "DD/MM/YYYY"
