"""The first sheet of an XLSX file, read in one streaming pass with the values openpyxl gives (read-only, data only).

openpyxl builds an ElementTree element and a cell object for every cell: reading a roster of 50,000 rows took it
about 11 of the import's 14 seconds. Here the sheet's XML part, and the shared strings', are streamed once from the
zip, a megabyte at a time:

- expat reads what surrounds the rows (up to the start of sheetData and one row further, then from the end of
  sheetData to the end of the part), so that a part which is not well-formed there, or carries a document type, is
  refused as before, and the limits' PartScan checks what it always checked (the declared area, the elements around
  the data);
- the rows are cut out of the bytes, and each is read by this module alone: by one regular expression when written
  the plain way every spreadsheet program writes them (cells with r, s and t attributes, a <v> value or an inline
  <is><t> string, perhaps a formula, whose cached value is taken), once searched for the characters XML refuses; by
  a pattern learnt from the first row of its shape (its cells, styles and types) when it has the shape of one of the
  last few; by ElementTree, parsed alone, when it is written any other way (rich text, other attributes, namespace
  prefixes, comments). Shared strings the same way. Each row is checked against the import limits (row number,
  columns, cells, bytes) before its values are kept.

Memory holds the shared strings (once) and a window of about a megabyte of the sheet. The values follow openpyxl's
rules to the letter (see `Values`): numbers as int or float, a number in a cell whose style has a date format as a
datetime (time, timedelta) in the workbook's 1900 or 1904 date system, booleans, shared and inline strings, rows
missing from the sheet as empty rows, a row as wide as its last cell.
"""

import datetime
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.xml.constants import SHARED_STRINGS as SHARED_STRINGS_TYPE
from openpyxl.xml.constants import SHEET_MAIN_NS, XLSM, XLSX, XLTM, XLTX

from .limits import FileTooLarge, ImportLimits, UnreadableFile, too_many_columns, too_many_rows, xlsx_unreadable
from .limits.bounds import too_many_cells
from .limits.xlsx_files import (
    CHUNK_BYTES,
    MAX_ELEMENT_BYTES,
    SHARED_STRINGS,
    SHEET_DATA,
    ZIP_ERRORS,
    PartScan,
    open_xlsx,
    row_too_large,
    scan_parts,
    text_too_large,
    too_many_strings,
)

# The sheet is read a megabyte at a time: few trips through Python, little memory. What comes before the rows is
# read in smaller pieces, each of them read by expat calling back into Python for every element.
READ_BYTES = 16 * CHUNK_BYTES
HEAD_READ_BYTES = CHUNK_BYTES
# What a damaged part raises as it is read (ET.ParseError is a SyntaxError; a char reference past Unicode an
# OverflowError).
READ_ERRORS = (*ZIP_ERRORS, ValueError, LookupError, SyntaxError, OverflowError, CellCoordinatesException)

RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
CELL_VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"
INLINE_STRING_TAG = f"{{{SHEET_MAIN_NS}}}is"
SHARED_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"

# Rows: an element's start tag, then its end tag; between the elements, what a container may also hold (comments,
# processing instructions, text), which openpyxl ignores.
START_TAG = re.compile(rb"""\s*<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
END_TAG = re.compile(rb"\s*(</)[^\s>]+\s*>")
END_OF_END_TAG = re.compile(rb"\s*>")
ROW_END = b"</row"
BETWEEN_ELEMENTS = re.compile(rb"\s*(?:<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|[^<\s][^<]*)", re.DOTALL)
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
PLAIN_SHARED_STRING = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si><t\s*/></si>')
REFERENCE = re.compile(r"&(?:#([0-9]+);|#x([0-9a-fA-F]+);|(amp|lt|gt|quot|apos);)?")
# Characters XML does not allow (expat refuses them; the rows, which expat does not read, are searched for them):
# the control characters but tab and line ends, U+FFFE and U+FFFF, and surrogates (which no UTF-8 decodes to).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
NOT_XML_BYTES = bytes(range(32)).translate(None, b"\t\n\r")
NOT_XML_UTF8 = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
NAMED_REFERENCES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
# Dates repeat down a roster (birth dates, dates of joining): each serial number is converted once.
DATE_CACHE_SIZE = 50_000


class _NotPlain(Exception):
    """The row is not written the plain way: ElementTree reads it."""


def _reference(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return NAMED_REFERENCES[name]
    if not (decimal or hexadecimal):
        raise ValueError("& outside a reference")
    character = chr(int(decimal) if decimal else int(hexadecimal, 16))
    if NOT_XML.match(character):
        raise ValueError("a reference to a character XML does not allow")
    return character


def xml_characters(raw: bytes) -> str:
    """UTF-8 bytes as text, refused (ValueError) as expat would refuse them: not UTF-8, or holding a character XML
    does not allow. (Deleting the control characters and comparing lengths is the quick way to look for them.)"""
    if len(raw.translate(None, NOT_XML_BYTES)) != len(raw) or NOT_XML_UTF8[0] in raw or NOT_XML_UTF8[1] in raw:
        raise ValueError("a character XML does not allow")
    return raw.decode()


def xml_text(text: str) -> str:
    """Element text as an XML parser gives it (from xml_characters): line ends as \\n, then the references
    replaced."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = REFERENCE.sub(_reference, text)
    return text


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _rich_text(element: ET.Element) -> str:
    """An <si> or <is> element's text as openpyxl's Text.content: its <t>, then the <t> of each run <r>."""
    plain: str | None = None
    runs: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            run: str | None = None
            for part in child:
                if _local(part.tag) == "t":
                    run = part.text
            if run is not None:
                runs.append(run)
    return "".join([plain, *runs] if plain is not None else runs)


# --- Streaming one part -----------------------------------------------------------------------------------------


class _ContainerScan(PartScan):
    """PartScan for a part whose rows (or strings) the reader checks itself: it checks the rest of the part as ever,
    notes where the container (sheetData, sst) starts and the namespaces then in scope, and is paused while expat
    reads on to the end of the first whole row (no call back into Python for what the reader checks)."""

    def __init__(self, part: str, limits: ImportLimits) -> None:
        super().__init__(part, limits, thorough=True)
        self.container_at: int | None = None
        self.container_namespaces: dict[str | None, str] = {}
        self.encoding: str | None = None
        self.scopes: dict[str | None, list[str]] = {}
        self.parser.StartNamespaceDeclHandler = self.declare
        self.parser.EndNamespaceDeclHandler = self.undeclare
        self.parser.XmlDeclHandler = self.declaration
        self.paused: tuple[Any, ...] | None = None

    def declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        self.encoding = encoding

    def declare(self, prefix: str | None, uri: str | None) -> None:
        self.scopes.setdefault(prefix, []).append(uri or "")

    def undeclare(self, prefix: str | None) -> None:
        # Tolerant: a declaration made while paused ends unseen (only the scope at the container matters).
        if uris := self.scopes.get(prefix):
            uris.pop()

    def found_container(self) -> None:
        if self.container_at is None:
            self.container_at = self.parser.CurrentByteIndex
            self.container_namespaces = {prefix: uris[-1] for prefix, uris in self.scopes.items() if uris}

    def first(self, name: str, attrs: dict[str, str]) -> None:
        if name == SHARED_STRINGS:
            self.found_container()
        super().first(name, attrs)

    def sheet_start(self, name: str, attrs: dict[str, str]) -> None:
        if name == SHEET_DATA:
            self.found_container()
        super().sheet_start(name, attrs)

    def sheet_end(self, name: str) -> None:
        if name == SHEET_DATA:
            self.in_data = False

    # The reader counts and measures the rows, their cells and the strings.
    def start_row(self, attrs: dict[str, str]) -> None:
        pass

    def cell(self, attrs: dict[str, str]) -> None:
        pass

    def string_start_element(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def string_end_element(self, name: str) -> None:
        pass

    def feed_chunk(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError as error:
            raise xlsx_unreadable() from error

    def finish(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise xlsx_unreadable() from error

    def pause(self) -> None:
        parser = self.parser
        self.paused = (
            parser.StartElementHandler,
            parser.EndElementHandler,
            parser.StartNamespaceDeclHandler,
            parser.EndNamespaceDeclHandler,
        )
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.StartNamespaceDeclHandler = parser.EndNamespaceDeclHandler = None

    def resume(self) -> None:
        if self.paused is not None:
            parser = self.parser
            (
                parser.StartElementHandler,
                parser.EndElementHandler,
                parser.StartNamespaceDeclHandler,
                parser.EndNamespaceDeclHandler,
            ) = self.paused
            self.paused = None


class Item(NamedTuple):
    """One element of the container, as bytes: `body` is None for an empty element (<row/>)."""

    name: bytes
    attributes: bytes
    body: bytes | None
    whole: bytes


class PartItems:
    """The elements of a part's container (a sheet's rows, the shared strings), streamed and cut out of the bytes.

    Expat reads the part up to the container's start tag, then on to the end of the first whole element (so that it
    stands between two of them), then from the container's end tag to the end of the part: every byte around the
    container is checked as before (well-formed, no document type, the PartScan's limits), and the elements, which
    make up nearly all of the part, are not read twice. The reader checks each element itself: ElementTree parses
    any element not written the plain way, and a plain one is plain by a strict pattern, its text by `xml_text`.
    `too_large(item)` is the refusal of an element over MAX_ELEMENT_BYTES; `item` is None when even its start tag is
    that long."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        part: str,
        limits: ImportLimits,
        too_large: Callable[[Item | None], FileTooLarge],
    ) -> None:
        self.archive = archive
        self.part = part
        self.scan = _ContainerScan(part, limits)
        self.too_large = too_large
        # Set at the container: whether an unprefixed element there is in the spreadsheet namespace, and the start
        # tag that declares the namespaces in scope for a row parsed alone.
        self.plain_namespace = False
        self.wrapper = b""

    def __iter__(self) -> Iterator[Item]:
        scan = self.scan
        with self.archive.open(self.part) as stream:
            buffer = b""
            buffer_at = 0
            while scan.container_at is None:
                # Small reads: expat calls back into Python for every element until the rows start.
                chunk = stream.read(HEAD_READ_BYTES)
                if not chunk:
                    scan.finish()
                    return
                scan.feed_chunk(chunk)
                buffer += chunk
                if scan.container_at is None and len(buffer) > 2 * MAX_ELEMENT_BYTES:
                    # What comes before the rows is small (a few views, column widths); the container's start tag,
                    # not yet complete, is in the last bytes, or too long for anything but a bomb.
                    buffer_at += len(buffer) - MAX_ELEMENT_BYTES
                    buffer = buffer[-MAX_ELEMENT_BYTES:]
            if scan.container_at < buffer_at:
                raise xlsx_unreadable()
            start = START_TAG.match(buffer, scan.container_at - buffer_at)
            if start is None or (scan.encoding or "utf-8").lower() not in UTF8_NAMES:
                raise xlsx_unreadable()
            self.at_container(scan.container_namespaces)
            if start[3]:
                rest = b""
            else:
                scan.pause()
                rest = yield from self.items(stream, buffer, start.end(), len(buffer))
                scan.resume()
            scan.feed_chunk(rest)
            while chunk := stream.read(READ_BYTES):
                scan.feed_chunk(chunk)
            scan.finish()

    def at_container(self, namespaces: dict[str | None, str]) -> None:
        self.plain_namespace = namespaces.get(None) == SHEET_MAIN_NS
        declarations = (
            f"xmlns{'' if prefix is None else ':' + prefix}={quoteattr(uri)}" for prefix, uri in namespaces.items()
        )
        self.wrapper = f"<wrapper {' '.join(declarations)}>".encode()

    def items(self, stream: Any, buffer: bytes, at: int, unread: int | None) -> Generator[Item, None, bytes]:
        """The container's elements from `at` in `buffer` on, reading more as needed, up to its end tag. Expat has
        read `buffer` up to `unread` (None once it stands between two elements). Returns the bytes from the end tag
        on that expat has not read."""
        while True:
            at, unread, ended = yield from self.cut(buffer, at, unread)
            if ended:
                return buffer[at if unread is None else unread :]
            chunk = stream.read(READ_BYTES)
            if not chunk:
                raise xlsx_unreadable()
            keep = at if unread is None else min(at, unread)
            buffer = buffer[keep:] + chunk
            at -= keep
            if unread is not None:
                unread -= keep

    def cut(self, buffer: bytes, at: int, unread: int | None) -> Generator[Item, None, tuple[int, int | None, bool]]:
        """The whole elements in `buffer` from `at` on. Returns where to go on from (the end tag's start, if the
        container has ended), where expat stopped reading, and whether the container has ended."""
        match_start = START_TAG.match
        while True:
            start = match_start(buffer, at)
            if start is not None:
                name, attributes, empty = start.groups()
                tag_at = start.start(1) - 1
                if empty:
                    body_end = element_end = start.end()
                    body = None
                else:
                    end = self.end_of(buffer, start.end(), name)
                    if end is None:
                        if len(buffer) - tag_at > MAX_ELEMENT_BYTES:
                            raise self.too_large(Item(name, attributes, None, b""))
                        return tag_at, unread, False
                    body_end, element_end = end
                    body = buffer[start.end() : body_end]
                item = Item(name, attributes, body, buffer[tag_at:element_end])
                if body_end - tag_at > MAX_ELEMENT_BYTES:
                    raise self.too_large(item)
                if unread is not None and element_end > unread:
                    # Expat reads on to the end of this element, to stand between two elements.
                    self.scan.feed_chunk(buffer[unread:element_end])
                    unread = None
                yield item
                at = element_end
                continue
            end_tag = END_TAG.match(buffer, at)
            if end_tag is not None:
                # The only end tag between elements is the container's.
                return end_tag.start(1), unread, True
            between = BETWEEN_ELEMENTS.match(buffer, at)
            if between is not None and between.end() < len(buffer):
                at = between.end()
                continue
            if len(buffer) - at > MAX_ELEMENT_BYTES:
                raise self.too_large(None)
            return at, unread, False

    @staticmethod
    def end_of(buffer: bytes, at: int, name: bytes) -> tuple[int, int] | None:
        """Where the element named `name`, whose content starts at `at`, ends: the start and the end of its end tag;
        None if it does not end in `buffer`. (An element holding one of the same name, which no spreadsheet program
        writes, is cut short here, and ElementTree refuses what is cut.)"""
        closing = ROW_END if name == b"row" else b"</" + name
        while True:
            found = buffer.find(closing, at)
            if found < 0:
                return None
            if buffer[found + len(closing) : found + len(closing) + 1] == b">":
                return found, found + len(closing) + 1
            after = END_OF_END_TAG.match(buffer, found + len(closing))
            if after is not None:
                return found, after.end()
            if not buffer[found + len(closing) :].strip():
                return None
            at = found + 1

    def parse_alone(self, item: Item) -> ET.Element:
        """An element parsed by ElementTree, with the namespaces in scope at the container."""
        # S314: expat has read this element (no document type; no entity but XML's own) and it is bounded.
        wrapper = ET.fromstring(self.wrapper + item.whole + b"</wrapper>")  # noqa: S314
        return wrapper[0]


# --- The package: where the first sheet is, its strings, its date styles ------------------------------------------


@dataclass(frozen=True)
class Package:
    sheet: str | None
    strings: str | None
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    epoch: datetime.datetime
    # Parts read whole (small: checked by a PartScan first).
    read: frozenset[str]


def _small_part(archive: zipfile.ZipFile, name: str, limits: ImportLimits) -> ET.Element:
    with archive.open(name) as stream:
        PartScan(name, limits, thorough=True).feed(stream)
    # S314: the PartScan refuses a document type (so any entity but XML's own) and counts the elements.
    return ET.fromstring(archive.read(name))  # noqa: S314


def locate(archive: zipfile.ZipFile, limits: ImportLimits) -> Package:
    """Find the parts as openpyxl does: the workbook through [Content_Types].xml, its first worksheet (not a chart
    sheet) through the workbook's relationships, the shared strings through the content types, xl/styles.xml."""
    names = set(archive.namelist())
    read = {"[Content_Types].xml"}
    manifest = _small_part(archive, "[Content_Types].xml", limits)
    overrides = [(el.get("PartName") or "", el.get("ContentType")) for el in manifest if _local(el.tag) == "Override"]
    defaults = {el.get("ContentType") for el in manifest if _local(el.tag) == "Default"}
    workbook_types = (XLTM, XLTX, XLSM, XLSX)
    workbook = next((name[1:] for kind in workbook_types for name, ct in overrides if ct == kind), None)
    if workbook is None:
        if not defaults & set(workbook_types):
            raise xlsx_unreadable()
        workbook = "xl/workbook.xml"
    strings = next((name[1:] for name, ct in overrides if ct == SHARED_STRINGS_TYPE), None)
    read.add(workbook)
    root = _small_part(archive, workbook, limits)
    epoch = WINDOWS_EPOCH
    sheet_ids: list[str] = []
    for child in root:
        if _local(child.tag) == "workbookPr":
            date1904 = child.get("date1904")
            if date1904 and date1904 not in ("false", "f", "0"):
                epoch = MAC_EPOCH
        elif _local(child.tag) == "sheets":
            sheet_ids += [id_ for sheet in child if (id_ := sheet.get(f"{{{RELATIONSHIPS_NS}}}id"))]
    sheet = None
    if sheet_ids:
        folder, base = posixpath.split(workbook)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        read.add(rels_name)
        targets = _relationship_targets(_small_part(archive, rels_name, limits), rels_name)
        for id_ in sheet_ids:
            target, kind = targets[id_]
            if target in names and "chartsheet" not in kind:
                sheet = target
                break
    date_styles, timedelta_styles = frozenset[int](), frozenset[int]()
    if "xl/styles.xml" in names:
        read.add("xl/styles.xml")
        date_styles, timedelta_styles = _date_styles(_small_part(archive, "xl/styles.xml", limits))
    return Package(sheet, strings, date_styles, timedelta_styles, epoch, frozenset(read))


def _relationship_targets(root: ET.Element, rels_name: str) -> dict[str, tuple[str, str]]:
    """Each relationship's part, by id, as openpyxl resolves it: relative to the folder above _rels."""
    parent = posixpath.split(posixpath.dirname(rels_name))[0]
    targets = {}
    for rel in root:
        if _local(rel.tag) != "Relationship":
            continue
        target = rel.get("Target") or ""
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
        targets[rel.get("Id") or ""] = (target, rel.get("Type") or "")
    return targets


def _date_styles(root: ET.Element) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles (indexes into cellXfs) whose number format shows a date or a time, and those of them showing
    a duration ([h]:mm): a custom format by its code, else the built-in one by its id (14 to 22, 45 to 47...)."""
    custom: dict[int, str | None] = {}
    formats: list[int] = []
    for child in root:
        if _local(child.tag) == "numFmts":
            custom.update(
                (int(el.get("numFmtId") or 0), el.get("formatCode")) for el in child if _local(el.tag) == "numFmt"
            )
        elif _local(child.tag) == "cellXfs":
            formats = [int(el.get("numFmtId") or 0) for el in child if _local(el.tag) == "xf"]
    dates, durations = set(), set()
    for index, format_id in enumerate(formats):
        code = custom[format_id] if format_id in custom else BUILTIN_FORMATS.get(format_id)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


# --- Shared strings ---------------------------------------------------------------------------------------------


def read_shared_strings(archive: zipfile.ZipFile, part: str, limits: ImportLimits) -> list[str]:
    """Every shared string, as openpyxl's read_string_table gives it; counted and measured as it is read."""
    strings: list[str] = []
    items = PartItems(archive, part, limits, lambda item: text_too_large())
    for item in items:
        if len(strings) == limits.max_cells:
            raise too_many_strings(len(strings) + 1, limits)
        plain = PLAIN_SHARED_STRING.fullmatch(item.whole) if items.plain_namespace else None
        if plain is not None:
            text = xml_text(xml_characters(plain[1] or b""))
        else:
            element = items.parse_alone(item)
            if element.tag != SHARED_STRING_TAG:
                raise xlsx_unreadable()
            text = _rich_text(element)
        strings.append(text.replace("x005F_", "") if "x005F_" in text else text)
    return strings


# --- The sheet --------------------------------------------------------------------------------------------------


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
                    value = _rich_text(inline)
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


def first_sheet_rows(data: bytes, limits: ImportLimits) -> Iterator[list[object]]:
    """The rows of the XLSX file's first worksheet, as openpyxl (read-only, data only) gives them, from row 1.

    The file is refused (FileTooLarge, UnreadableFile) as soon as it passes a limit or cannot be read: its zip
    directory and sizes before anything, its other parts before the sheet, the sheet's rows as they come.
    """
    try:
        with open_xlsx(data, limits) as archive:
            package = locate(archive, limits)
            streamed = {part for part in (package.sheet, package.strings) if part is not None}
            scan_parts(archive, limits, thorough=True, skip=streamed | package.read)
            if package.sheet is None:
                raise xlsx_unreadable()
            strings: list[str] = []
            if package.strings is not None:
                strings = read_shared_strings(archive, package.strings, limits)
            yield from SheetRows(archive, package.sheet, Values(package, strings), limits)
    except UnreadableFile:
        raise
    except READ_ERRORS as error:
        raise xlsx_unreadable() from error
