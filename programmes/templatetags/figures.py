"""Figures on the pages in the reader's language: `{{ value|number }}` gives "1.500", "92,5", "100"."""

from decimal import Decimal

from django import template

from programmes.text import display_number

register = template.Library()


@register.filter
def number(value: Decimal | float | None) -> str:
    return display_number(value)
