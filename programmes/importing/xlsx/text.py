"""Text in a sheet's XML as an XML parser gives it, for the rows and strings the reader reads without one: the
characters XML refuses, line ends, references, and the text of rich text."""

import re
import xml.etree.ElementTree as ET

REFERENCE = re.compile(r"&(?:#([0-9]+);|#x([0-9a-fA-F]+);|(amp|lt|gt|quot|apos);)?")
NAMED_REFERENCES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
# Characters XML does not allow (expat refuses them; the rows, which expat does not read, are searched for them):
# the control characters but tab and line ends, U+FFFE and U+FFFF, and surrogates (which no UTF-8 decodes to).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
NOT_XML_BYTES = bytes(range(32)).translate(None, b"\t\n\r")
NOT_XML_UTF8 = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


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


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def rich_text(element: ET.Element) -> str:
    """An <si> or <is> element's text as openpyxl's Text.content: its <t>, then the <t> of each run <r>."""
    plain: str | None = None
    runs: list[str] = []
    for child in element:
        name = local_name(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            run: str | None = None
            for part in child:
                if local_name(part.tag) == "t":
                    run = part.text
            if run is not None:
                runs.append(run)
    return "".join([plain, *runs] if plain is not None else runs)


# --- Streaming one part -----------------------------------------------------------------------------------------
