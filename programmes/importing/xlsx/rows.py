"""The first sheet's rows: each read the plain way, through a shape learnt from a row before it, or by ElementTree,
with the values openpyxl's WorkSheetParser gives, and checked against the import limits as it comes."""

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS

from ..limits import FileTooLarge, ImportLimits, too_many_columns, too_many_rows, xlsx_unreadable
from ..limits.bounds import too_many_cells
from ..limits.xlsx_files import row_too_large
from .package import Package
from .parts import Item, PartItems
from .text import rich_text, xml_characters, xml_text

ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
CELL_VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"
INLINE_STRING_TAG = f"{{{SHEET_MAIN_NS}}}is"
# Attributes the plain way: double quotes, no reference, no namespace declaration (checked apart).
PLAIN_ATTRIBUTES = re.compile(rb'(?:\s+[\w.:-]+="[^"<>&]*")*\s*')
ROW_NUMBER = re.compile(rb'\sr\s*=\s*"([^"]*)"')
# A row's attributes the plain way, its number first (as every spreadsheet program writes it).
PLAIN_ROW = re.compile(rb'\s+r="([0-9]+)"(?:\s+[\w.:-]+="[^"<>&]*")*\s*')
# One cell written the plain way (in the row's text, decoded): groups column letters, style, type, <v> text, "<is"
# when an inline string is there, its text; or (last group) any other non-blank character, which sends the row to
# ElementTree.
PLAIN_CELL = re.compile(
    r'<c(?: r="([A-Z]{1,3})[0-9]+")?(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?\s*'
    r"(?:/>|>"
    r"(?:<f>[^<]*</f>|<f\s[^>]*>[^<]*</f>|<f\s[^>]*/>|<f/>)?"
    r'(?:<v>([^<]*)</v>|<v\s*/>|(<is)(?:>(?:<t(?: xml:space="preserve")?>([^<]*)</t>|<t\s*/>)?</is>|\s*/>))?'
    r"</c>)"
    r"|(\S)"
)
# A plain row's markup with its values taken out (its shape): where each cell starts, its row number, its value.
SHAPE_PARTS = re.compile(
    r'(<c)(?=[\s/>])|( r="[A-Z]{1,3})[0-9]+(?=")|<v>([^<]*)(?=</v>)|(<t(?: xml:space="preserve")?>)([^<]*)(?=</t>)'
)
# Rows of the same shape are read by one pattern each: a few shapes are kept, tried in turn, the last used first;
# a sheet whose rows keep changing shape is read cell by cell once this many have been learnt.
SHAPES_KEPT = 4
SHAPES_LEARNT = 32
# Dates repeat down a roster (birth dates, dates of joining): each serial number is converted once.
DATE_CACHE_SIZE = 50_000


class _NotPlain(Exception):
    """The row is not written the plain way: ElementTree reads it."""


class Values:
    """Cell values as openpyxl's WorkSheetParser.parse_cell makes them (data only: a formula's cached value)."""

    def __init__(self, package: Package, strings: list[str]) -> None:
        self.strings = strings
        self.date_styles = package.date_styles
        self.timedelta_styles = package.timedelta_styles
        self.epoch = package.epoch
        # A serial number's date (or duration) by its text, in a cell of a date (duration) style.
        self.dates: dict[str, object] = {}
        self.durations: dict[str, object] = {}

    def typed(self, kind: str, style: int, text: str) -> object:
        """The value of a cell of type `kind` (the t attribute, "n" when absent) whose <v> holds `text` (not empty)."""
        if kind == "n":
            return self.number(text, style)
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)  # type: ignore[no-untyped-call]
        # "str" (a formula's text), "e" (an error such as #N/A), and anything unknown: the text itself.
        return text

    def number(self, text: str, style: int) -> object:
        serials = self.serials(style)
        if serials is None:
            return _number(text)
        value = serials.get(text)
        return self.serial(text, serials) if value is None else value

    def serials(self, style: int) -> dict[str, object] | None:
        """Where the numbers of cells of `style` are kept as dates or durations; None if it shows no date."""
        if style not in self.date_styles:
            return None
        return self.durations if style in self.timedelta_styles else self.dates

    def serial(self, text: str, serials: dict[str, object]) -> object:
        """A serial number as a date (time, datetime) or a duration, kept in `serials` for the next cells."""
        try:
            value = from_excel(_number(text), self.epoch, timedelta=serials is self.durations)
        except (OverflowError, ValueError):
            # openpyxl's reading of a date cell out of the calendar's range.
            value = "#VALUE!"
        if len(serials) == DATE_CACHE_SIZE:
            serials.clear()
        serials[text] = value
        return value


def _number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


class SheetRows:
    """The first sheet's rows, each a list of values as wide as its last cell, from row 1 on; a row missing from the
    sheet is an empty list. Each row is checked against the limits before it is read."""

    def __init__(self, archive: zipfile.ZipFile, part: str, values: Values, limits: ImportLimits) -> None:
        # PartItems refuses a row over MAX_ELEMENT_BYTES, before it is parsed.
        self.items = PartItems(archive, part, limits, self.too_large)
        self.values = values
        self.limits = limits
        self.number = 0
        self.cells = 0
        self.columns = _Columns()
        self.number_styles = _NumberStyles(values)
        self.shapes: list[_RowShape] = []
        self.learnt = 0

    def __iter__(self) -> Iterator[list[object]]:
        expected = 1
        for item in self.items:
            number, values = self.read(item)
            while expected < number:
                yield []
                expected += 1
            # openpyxl drops a row numbered before one it has given.
            if expected == number:
                yield values
                expected += 1

    def too_large(self, item: Item | None) -> FileTooLarge:
        number = self.number + 1
        if item is not None and (found := ROW_NUMBER.search(item.attributes)):
            number = _row_number(found[1].decode())
        return row_too_large(number)

    def read(self, item: Item) -> tuple[int, list[object]]:
        items = self.items
        attributes = item.attributes
        if item.name == b"row" and items.plain_namespace and b"xmlns" not in attributes:
            plain = PLAIN_ROW.fullmatch(attributes)
            if plain is not None:
                number = self.start_row(int(plain[1]))
            elif PLAIN_ATTRIBUTES.fullmatch(attributes):
                found = ROW_NUMBER.search(attributes)
                number = self.start_row(_row_number(found[1].decode()) if found else self.number + 1)
            else:
                return self.read_alone(item)
            row = xml_characters(item.body or b"")
            escaped = "&" in row or "\r" in row
            shaped = None if escaped else self.shaped(row)
            if shaped is not None:
                values, count = shaped
            else:
                try:
                    values, count = self.plain_cells(row, escaped)
                except _NotPlain:
                    values, count = self.element_cells(items.parse_alone(item))
            self.count_cells(count)
            return number, values
        return self.read_alone(item)

    def shaped(self, row: str) -> tuple[list[object], int] | None:
        """The row read through the shape of a row before it, if it has one of the last few."""
        shapes = self.shapes
        for index in range(min(len(shapes), SHAPES_KEPT)):
            shape = shapes[index]
            match = shape.pattern.fullmatch(row)
            if match is not None:
                if index:
                    shapes.insert(0, shapes.pop(index))
                return shape.read(match.groups()), shape.count
        return None

    def learn(self, row: str, values: list[object]) -> None:
        """Keep the shape of a plain row (without references or formulas, its cells in columns 1, 2, 3...), whose
        `values` have just been read cell by cell."""
        self.learnt += 1
        cells = PLAIN_CELL.findall(row)
        pieces: list[str] = []
        captured: list[tuple[int, str]] = []
        cell = -1
        at = 0
        for part in SHAPE_PARTS.finditer(row):
            pieces.append(re.escape(row[at : part.start()]))
            at = part.end()
            if part[1]:
                cell += 1
                pieces.append("<c")
            elif part[2]:
                pieces.append(re.escape(part[2]) + "[0-9]+")
            elif part[4]:
                pieces.append(re.escape(part[4]) + "([^<]*)")
                captured.append((cell, "inline"))
            else:
                pieces.append("<v>([^<]*)")
                captured.append((cell, "value"))
        pieces.append(re.escape(row[at:]))
        template = list(values)
        converters = []
        for cell, form in captured:
            _letters, style, kind, *_rest = cells[cell]
            if form == "value" or kind != "inlineStr":
                converters.append((cell, self.converter(kind, style, form)))
        shape = _RowShape(
            re.compile("".join(pieces)),
            template,
            tuple(cell for cell, _form in captured),
            tuple(converters),
            direct=[cell for cell, _form in captured] == list(range(len(values))),
        )
        match = shape.pattern.fullmatch(row)
        # Read back through the shape, the row must give what it gave cell by cell, or the shape is not kept.
        if match is not None and shape.read(match.groups()) == values:
            self.shapes.insert(0, shape)
            del self.shapes[SHAPES_KEPT:]

    def converter(self, kind: str, style: str, form: str) -> Callable[[str], object]:
        """How a shape reads the value captured in a cell of type `kind` and `style`: a <v>'s text, or an inline
        string's text in a cell that is not an inline string (no value: openpyxl reads <v> only)."""
        if form != "value" or kind == "inlineStr":
            return _nothing
        if not kind or kind == "n":
            serials = self.number_styles[style]
            if serials is None:
                return _number_or_none
            values = self.values

            def date(text: str) -> object:
                if not text:
                    return None
                value = serials.get(text)
                return values.serial(text, serials) if value is None else value

            return date
        if kind == "s":
            strings = self.values.strings
            return lambda text: strings[int(text)] if text else None
        typed = self.values.typed
        style_index = int(style or 0)
        return lambda text: typed(kind, style_index, text) if text else None

    def read_alone(self, item: Item) -> tuple[int, list[object]]:
        """A row not written the plain way, parsed by ElementTree."""
        element = self.items.parse_alone(item)
        if element.tag != ROW_TAG:
            # Only rows belong in sheetData.
            raise xlsx_unreadable()
        given = element.get("r")
        number = self.start_row(_row_number(given) if given is not None else self.number + 1)
        values, count = self.element_cells(element)
        self.count_cells(count)
        return number, values

    def count_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.limits.max_cells:
            raise too_many_cells(self.limits)

    def start_row(self, number: int) -> int:
        if number > self.limits.last_row:
            raise too_many_rows(number, self.limits)
        self.number = number
        return number

    def plain_cells(self, row: str, escaped: bool) -> tuple[list[object], int]:
        """The row's cells through PLAIN_CELL, read cell by cell; _NotPlain at anything else. Its texts need XML's
        line ends and references only if the row has any (`escaped`)."""
        values: list[object] = []
        append = values.append
        placed: list[int] | None = None
        column = count = 0
        max_columns = self.limits.max_columns
        columns = self.columns
        number_styles = self.number_styles
        strings = self.values.strings
        for letters, style, kind, text, inline, inline_text, other in PLAIN_CELL.findall(row):
            if other:
                raise _NotPlain
            column = columns[letters] if letters else column + 1
            if column > max_columns or count >= max_columns:
                raise too_many_columns(self.number, max(column, count + 1), self.limits)
            if escaped:
                text, inline_text = xml_text(text), xml_text(inline_text)
            value: object
            if kind == "inlineStr":
                value = inline_text if inline else None
            elif not text:
                value = None
            elif not kind or kind == "n":
                serials = number_styles[style]
                if serials is None:
                    value = float(text) if "." in text or "E" in text or "e" in text else int(text)
                else:
                    value = serials.get(text)
                    if value is None:
                        value = self.values.serial(text, serials)
            elif kind == "s":
                value = strings[int(text)]
            else:
                value = self.values.typed(kind, int(style or 0), text)
            append(value)
            count += 1
            if placed is not None:
                placed.append(column)
            elif column != count:
                placed = [*range(1, count), column]
        if placed is not None:
            values = _placed(values, placed)
        elif not escaped and count and self.learnt < SHAPES_LEARNT and "<f" not in row:
            self.learn(row, values)
        return values, count

    def element_cells(self, row: ET.Element) -> tuple[list[object], int]:
        """The row's cells as openpyxl's parse_row reads an element: every child is a cell."""
        values: list[object] = []
        placed: list[int] = []
        column = 0
        for cell in row:
            kind = cell.get("t", "n")
            reference = cell.get("r")
            style_attribute = cell.get("s")
            # As openpyxl: s="" is no style at all, not style 0.
            style = int(style_attribute) if style_attribute else (0 if style_attribute is None else -1)
            column = coordinate_to_tuple(reference)[1] if reference else column + 1
            if column > self.limits.max_columns or len(values) >= self.limits.max_columns:
                raise too_many_columns(self.number, max(column, len(values) + 1), self.limits)
            value: object = None
            if kind == "inlineStr":
                inline = cell.find(INLINE_STRING_TAG)
                if inline is not None:
                    value = rich_text(inline)
            elif text := cell.findtext(CELL_VALUE_TAG):
                value = self.values.typed(kind, style, text)
            values.append(value)
            placed.append(column)
        return _placed(values, placed), len(values)


@dataclass(frozen=True)
class _RowShape:
    """A row's markup with its values taken out, as a pattern capturing them: the rows of a roster have a handful of
    shapes, and a row of a known shape is read by that one pattern, not cell by cell."""

    pattern: re.Pattern[str]
    # The row's values where no capture goes (empty cells), and where each capture goes.
    template: list[object]
    slots: tuple[int, ...]
    # How to read the captures that are not text as it is (numbers, dates, shared strings), by their place.
    converters: tuple[tuple[int, Callable[[str], object]], ...]
    # Every cell has one capture, in order: the captures are the row, once converted.
    direct: bool

    @property
    def count(self) -> int:
        return len(self.template)

    def read(self, captures: tuple[str, ...]) -> list[object]:
        if self.direct:
            values: list[object] = list(captures)
        else:
            values = self.template.copy()
            for slot, text in zip(self.slots, captures, strict=True):
                values[slot] = text
        for slot, convert in self.converters:
            values[slot] = convert(values[slot])  # type: ignore[arg-type]
        return values


def _number_or_none(text: str) -> int | float | None:
    return _number(text) if text else None


def _nothing(text: str) -> None:
    return None


class _Columns(dict[str, int]):
    """Column numbers by letters, each worked out once."""

    def __missing__(self, letters: str) -> int:
        column = self[letters] = column_index_from_string(letters)
        return column


class _NumberStyles(dict[str, dict[str, object] | None]):
    """By a cell's s attribute (empty: style 0), where its numbers are kept as dates or durations, or None."""

    def __init__(self, values: Values) -> None:
        super().__init__()
        self.cell_values = values

    def __missing__(self, style: str) -> dict[str, object] | None:
        serials = self[style] = self.cell_values.serials(int(style) if style else 0)
        return serials


def _row_number(text: str) -> int:
    """As openpyxl reads a row's r attribute: an integer, perhaps written as a float."""
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(number)


def _placed(values: list[object], columns: list[int]) -> list[object]:
    """Values put in their columns as openpyxl does: the row as wide as its last cell, a later cell in the same
    column replacing an earlier one, a cell past the last one's column dropped."""
    width = columns[-1] if columns else 0
    row: list[object] = [None] * width
    for value, column in zip(values, columns, strict=True):
        if 1 <= column <= width:
            row[column - 1] = value
    return row
