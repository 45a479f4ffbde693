"""Text helpers shared by models, imports, search and the pages' figures."""

import unicodedata
from decimal import Decimal

from django.utils import numberformat
from django.utils.formats import get_format


def normalise(text: str) -> str:
    """NFC with outer spaces removed: decomposed Vietnamese looks the same but searches badly."""
    return unicodedata.normalize("NFC", text or "").strip()


def fold(text: str) -> str:
    """Lower case without accents, so that "nguyen van nen" finds "Nguyễn Văn Nên"."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def one_line(text: str) -> str:
    """The text on a single line, for an e-mail subject or a header: line breaks, tabs and other control
    characters become spaces (a header that carries CR or LF is refused, or worse, read as two headers)."""
    printable = "".join(character if character.isprintable() else " " for character in text or "")
    return " ".join(printable.split())


def search_text(owner_name_folded: str, position_title: str, organisation_name: str) -> str:
    """What the public search reads, folded, each part after a space: `LIKE '% word%'` finds a word's start."""
    return f" {owner_name_folded} | {fold(position_title)} | {fold(organisation_name)}"


def display_number(value: Decimal | float | None) -> str:
    """A figure as the pages show it, in the reader's language: thousands grouped, no trailing zeros ("1.500",
    "92,5", "100" in Vietnamese; never "100.00"). Empty for None."""
    if value is None:
        return ""
    number = Decimal(str(value))
    places = max(0, -int(number.normalize().as_tuple().exponent))
    return numberformat.format(
        number,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def input_number(value: Decimal | float | None) -> str:
    """A figure as a number box takes it (the browser's format, with a point), without trailing zeros: "100",
    "92.5"."""
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"
