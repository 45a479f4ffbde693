"""The package around the first sheet, found as openpyxl finds it: the workbook, its first worksheet, its date system,
the date styles, and the shared strings (read in full, as openpyxl reads them)."""

import datetime
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH
from openpyxl.xml.constants import SHARED_STRINGS as SHARED_STRINGS_TYPE
from openpyxl.xml.constants import SHEET_MAIN_NS, XLSM, XLSX, XLTM, XLTX

from ..limits import ImportLimits, xlsx_unreadable
from ..limits.xlsx_files import PartScan, text_too_large, too_many_strings
from .parts import PartItems
from .text import local_name, rich_text, xml_characters, xml_text

RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHARED_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
PLAIN_SHARED_STRING = re.compile(rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si><t\s*/></si>')


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
    overrides = [
        (el.get("PartName") or "", el.get("ContentType")) for el in manifest if local_name(el.tag) == "Override"
    ]
    defaults = {el.get("ContentType") for el in manifest if local_name(el.tag) == "Default"}
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
        if local_name(child.tag) == "workbookPr":
            date1904 = child.get("date1904")
            if date1904 and date1904 not in ("false", "f", "0"):
                epoch = MAC_EPOCH
        elif local_name(child.tag) == "sheets":
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
        if local_name(rel.tag) != "Relationship":
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
        if local_name(child.tag) == "numFmts":
            custom.update(
                (int(el.get("numFmtId") or 0), el.get("formatCode")) for el in child if local_name(el.tag) == "numFmt"
            )
        elif local_name(child.tag) == "cellXfs":
            formats = [int(el.get("numFmtId") or 0) for el in child if local_name(el.tag) == "xf"]
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
            text = rich_text(element)
        strings.append(text.replace("x005F_", "") if "x005F_" in text else text)
    return strings


# --- The sheet --------------------------------------------------------------------------------------------------
