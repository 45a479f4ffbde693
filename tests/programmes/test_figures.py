"""Figures on the pages: in the reader's language, grouped, without trailing zeros; number boxes show the stored
figure without its zeros too."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from programmes.text import display_number, input_number
from programmes.web import NumberInput


@pytest.mark.parametrize(
    ("value", "vietnamese", "english"),
    [
        (Decimal("100.00"), "100", "100"),
        (Decimal("92.50"), "92,5", "92.5"),
        (Decimal("1500"), "1.500", "1,500"),
        (Decimal("1234567.25"), "1.234.567,25", "1,234,567.25"),
        (5.0, "5", "5"),
        (None, "", ""),
    ],
)
def test_a_figure_reads_as_its_language_writes_it(value, vietnamese, english):
    with translation.override("vi"):
        assert display_number(value) == vietnamese
        assert Template("{% load figures %}{{ value|number }}").render(Context({"value": value})) == vietnamese
    with translation.override("en"):
        assert display_number(value) == english


def test_a_number_box_shows_the_stored_figure_without_its_zeros_and_what_was_typed_as_typed():
    assert input_number(Decimal("100.00")) == "100" and input_number(Decimal("92.50")) == "92.5"
    box = NumberInput()
    assert 'value="100"' in box.render("target_value", Decimal("100.00"))
    assert 'value="12,5"' in box.render("target_value", "12,5")
