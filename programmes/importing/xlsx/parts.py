"""Streaming one XML part of the package (a sheet, the shared strings) and cutting its container's elements (the
rows, the strings) out of the bytes."""

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Generator, Iterator
from typing import Any, NamedTuple
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from openpyxl.xml.constants import SHEET_MAIN_NS

from ..limits import FileTooLarge, ImportLimits, xlsx_unreadable
from ..limits.xlsx_files import CHUNK_BYTES, MAX_ELEMENT_BYTES, SHARED_STRINGS, SHEET_DATA, PartScan

# The sheet is read a megabyte at a time: few trips through Python, little memory. What comes before the rows is
# read in smaller pieces, each of them read by expat calling back into Python for every element.
READ_BYTES = 16 * CHUNK_BYTES
HEAD_READ_BYTES = CHUNK_BYTES

# Rows: an element's start tag, then its end tag; between the elements, what a container may also hold (comments,
# processing instructions, text), which openpyxl ignores.
START_TAG = re.compile(rb"""\s*<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>""")
END_TAG = re.compile(rb"\s*(</)[^\s>]+\s*>")
END_OF_END_TAG = re.compile(rb"\s*>")
ROW_END = b"</row"
BETWEEN_ELEMENTS = re.compile(rb"\s*(?:<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|[^<\s][^<]*)", re.DOTALL)
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


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
