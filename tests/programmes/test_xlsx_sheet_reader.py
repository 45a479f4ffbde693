"""The import's XLSX reader gives, row by row and type by type, the values openpyxl (read-only, data only) gives
for the same workbook: written by openpyxl, written the way Excel writes (shared strings, styles), and written in
every odd way the format allows (rich text, cells and rows without references, prefixes, comments)."""

import datetime
import io
import random
import re
import string
import warnings
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from programmes.importing.limits import FileTooLarge, ImportLimits, UnreadableFile
from programmes.importing.limits.bounds import MB
from programmes.importing.xlsx import first_sheet_rows, parts
from programmes.importing.xlsx.rows import SheetRows

LIMITS = ImportLimits(
    max_bytes=20 * MB, max_rows=100_000, max_columns=100, max_cells=2_000_000, max_uncompressed_bytes=100 * MB
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def openpyxl_rows(data: bytes) -> list[list[object]]:
    with warnings.catch_warnings():
        # A hand-made package has no named styles, and one date is out of range: openpyxl warns of both.
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows: list[list[object]] = [list(values) for values in sheet.values]
    workbook.close()
    return rows


def typed(rows: list[list[object]]) -> list[list[tuple[str, object]]]:
    """Values with their types: 1, 1.0 and True are equal in Python, not in a roster."""
    return [[(type(value).__name__, value) for value in row] for row in rows]


def read_alike(data: bytes) -> list[list[object]]:
    """The rows both readers give, after checking they give the same."""
    expected = openpyxl_rows(data)
    assert typed(list(first_sheet_rows(data, LIMITS))) == typed(expected)
    return expected


# --- Written by openpyxl: inline strings, numbers, dates in date-formatted cells ---------------------------------


def openpyxl_workbook(*, epoch: datetime.datetime | None = None) -> bytes:
    workbook = Workbook()
    if epoch is not None:
        workbook.epoch = epoch
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ma_dang_vien", "ho_ten", "so", "ngay", "co", "trong", "ghi_chu"])
    sheet.append(["DV0001", "Nguyễn Thị Mai", 12, datetime.date(2025, 7, 1), True, None, "  có khoảng trắng  "])
    sheet.append(["DV0002", "A & B <C> \"D\" 'E'", -3.25, datetime.datetime(2024, 2, 29, 8, 30), False, None, "a\nb"])
    sheet.append(["DV0003", "Trần Văn Bình", 10**15, datetime.time(7, 45), 0, "", datetime.timedelta(hours=30)])
    custom = sheet.cell(row=5, column=1, value=datetime.datetime(1980, 5, 17))
    custom.number_format = "dd/mm/yyyy"
    builtin = sheet.cell(row=5, column=2, value=datetime.datetime(2001, 1, 2, 3, 4))
    builtin.number_format = "m/d/yy h:mm"  # built-in format 22
    sheet.cell(row=5, column=3, value=45839).number_format = "mm-dd-yy"  # built-in 14, a number typed in
    sheet.cell(row=5, column=4, value=2.5).number_format = "0.00"  # a number format, not a date
    sheet.cell(row=5, column=5, value=datetime.datetime(1900, 2, 1))  # before Excel's false 29/02/1900
    # Sparse: row 7 missing, a cell far to the right, a styled cell with no value, trailing empty rows.
    sheet.cell(row=8, column=9, value="xa")
    sheet.cell(row=9, column=2).number_format = "dd/mm/yyyy"
    sheet.cell(row=11, column=1).number_format = "dd/mm/yyyy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_openpyxl_workbook_reads_the_same():
    rows = read_alike(openpyxl_workbook())
    assert rows[1][:5] == ["DV0001", "Nguyễn Thị Mai", 12, datetime.datetime(2025, 7, 1), True]
    assert rows[4][:3] == [
        datetime.datetime(1980, 5, 17),
        datetime.datetime(2001, 1, 2, 3, 4),
        datetime.datetime(2025, 7, 1),
    ]
    assert rows[6] == []
    assert rows[7] == [None] * 8 + ["xa"]


def test_a_workbook_in_the_1904_date_system_reads_the_same():
    data = openpyxl_workbook(epoch=CALENDAR_MAC_1904)
    assert b'date1904="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    rows = read_alike(data)
    assert rows[1][3] == datetime.datetime(2025, 7, 1)
    assert rows[4][0] == datetime.datetime(1980, 5, 17)


# --- Written as Excel writes: shared strings, styles with built-in and custom date formats ---------------------

STYLES = f"""<styleSheet xmlns="{MAIN}">
<numFmts count="4">
  <numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>
  <numFmt numFmtId="165" formatCode="[h]:mm"/>
  <numFmt numFmtId="166" formatCode="&quot;Ngày&quot; d &quot;tháng&quot; m"/>
  <numFmt numFmtId="167" formatCode="0.0&quot; d&quot;"/>
</numFmts>
<cellXfs count="10">
  <xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="22"/><xf numFmtId="164"/><xf numFmtId="165"/>
  <xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="46"/><xf numFmtId="2"/><xf numFmtId="45"/>
</cellXfs>
</styleSheet>"""

SHARED_STRINGS = f"""<sst xmlns="{MAIN}" count="10" uniqueCount="10">
<si><t>ma_dang_vien</t></si>
<si><t>Nguyễn Thị Mai</t></si>
<si><t xml:space="preserve"> có khoảng trắng </t></si>
<si><r><rPr><b/></rPr><t>Chữ </t></r><r><t>đậm</t></r></si>
<si><t>A &amp; B &lt;C&gt; &#233;&#x1EA1;</t></si>
<si><t>dòng 1&#13;&#10;dòng 2</t></si>
<si><t>_x005F_x000D_</t></si>
<si><t/></si>
<si><t>Phiên âm</t><rPh sb="0" eb="1"><t>ふ</t></rPh></si>
<si><t>hai
dòng</t></si>
</sst>"""

ODD_ROWS = """
<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>ho_ten</t></is></c></row>
<row r="2" spans="1:12"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" t="s"><v>3</v></c>\
<c r="D2"><v>12.0</v></c><c r="E2"><v>1E3</v></c><c r="F2" s="0" t="n"><v>-3.25</v></c><c r="G2" s="1"><v>45839</v></c>\
<c r="H2" s="2"><v>45839.5</v></c><c r="I2" s="3"><v>45839</v></c><c r="J2" s="4"><v>1.5</v></c>\
<c r="K2" s="5"><v>45839</v></c><c r="L2" s="6"><v>3.5</v></c></row>
<row><c t="b"><v>1</v></c><c t="b"><v>0</v></c><c t="str"><f>A1&amp;"x"</f><v>ma_dang_vienx</v></c>\
<c t="e"><v>#N/A</v></c><c t="d"><v>2025-07-01T08:30:00</v></c><c s="7"><v>1.25</v></c><c s="9"><v>0.5</v></c>\
<c s="1"><v>59</v></c><c s="1"><v>61</v></c><c s="1"><v>0.25</v></c><c s="1"><v>99999999</v></c></row>
<row r="5"><c r="C5" t="inlineStr"><is><t>xa</t></is></c><c r="H5" s="8"><v>7</v></c><c r="J5"><f>SUM(A1:A2)</f></c>\
<c r="K5" s="3"/><c r="L5" t="s"><v>4</v></c>\
<c r="M5" t="inlineStr"><is><t>ba\r\ndòng\rrồi</t></is></c><c r="N5" t="s"><v>9</v></c></row>
<row r="6">
  <c r="A6" t="inlineStr"><is><t>dòng\r\nthứ hai&#13;</t></is></c>
  <!-- ghi chú giữa các ô -->
  <c r="B6" t="inlineStr"><is><r><t>giàu </t></r><r><rPr><i/></rPr><t>định dạng</t></r></is></c>
  <c r="C6" t="s"><v>5</v></c><c r="D6" t="s"><v>6</v></c><c r="E6" t="s"><v>8</v></c>
</row>
<row r="7"><c r="A7"><v>1</v></c><c r="D7"><v>4</v></c><c r="B7"><v>2</v></c></row>
<?note một chỉ dẫn xử lý giữa các dòng?>
<row r="8"><c r="A8" s="0" t="n"><v>5</v></c><c r="B8" s="0" t="n" cm="1"><v>6</v></c><c r='C8'><v>7</v></c></row>
<row r="7"><c r="A7"><v>99</v></c></row>
<row r="9"/>
<row r="10" spans="1:3"><c r="A10" s="3"/><c r="B10" s="3"/></row>
<row r="11.0"><c r="A11" t="inlineStr"/><c r="B11" t="inlineStr"><is/></c><c r="C11" t="inlineStr"><is><t/></is></c>\
<c r="D11" t="s"><v>7</v></c><c r="E11"><v></v></c><c r="F11" t="inlineStr"><v>bỏ qua</v></c>\
<c r="G11"><v>12345678901234567890</v></c><c r="H11" t="s"><v/></c></row>
<row r="12"><c r="A12" s=""><v>45839</v></c></row>
"""


def excel_package(
    rows: str,
    *,
    strings: str | None = SHARED_STRINGS,
    styles: str | None = STYLES,
    workbook_properties: str = "",
    root: str = f'<worksheet xmlns="{MAIN}">',
    end: str = "</worksheet>",
    data: tuple[str, str] = ("<sheetData>", "</sheetData>"),
    before: str = '<dimension ref="A1:L11"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>',
    after: str = '<mergeCells count="1"><mergeCell ref="A20:B20"/></mergeCells>',
) -> bytes:
    overrides = [
        ("/xl/workbook.xml", f"{SPREADSHEET_TYPE}.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{SPREADSHEET_TYPE}.worksheet+xml"),
    ]
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{SPREADSHEET_TYPE}.sharedStrings+xml"))
    content_types = (
        f'<Types xmlns="{PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
        + "</Types>"
    )
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">{workbook_properties}'
        '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
        f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{root}{before}{data[0]}{rows}{data[1]}{after}{end}",
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    if styles is not None:
        parts["xl/styles.xml"] = styles
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            # surrogateescape: a test may write bytes that are not UTF-8 ("\\udcff" is the byte 0xFF).
            archive.writestr(name, text.encode(errors="surrogateescape"))
    return buffer.getvalue()


def test_an_excel_workbook_with_shared_strings_and_date_styles_reads_the_same():
    rows = read_alike(excel_package(ODD_ROWS))
    assert rows[1][:12] == [
        "Nguyễn Thị Mai",
        " có khoảng trắng ",
        "Chữ đậm",
        12.0,
        1000.0,
        -3.25,
        datetime.datetime(2025, 7, 1),
        datetime.datetime(2025, 7, 1, 12),
        datetime.datetime(2025, 7, 1),
        datetime.timedelta(hours=36),
        datetime.datetime(2025, 7, 1),
        3.5,
    ]
    assert rows[2][:5] == [True, False, "ma_dang_vienx", "#N/A", datetime.datetime(2025, 7, 1, 8, 30)]
    assert rows[3] == []
    assert rows[4][11:] == ["A & B <C> éạ", "ba\ndòng\nrồi", "hai\ndòng"]
    assert rows[5][:5] == ["dòng\nthứ hai\r", "giàu định dạng", "dòng 1\r\ndòng 2", "_x000D_", "Phiên âm"]
    # Cells out of order: the row is as wide as its last cell.
    assert rows[6] == [1, 2]
    assert rows[8] == []
    assert rows[9] == [None, None]
    assert rows[10] == [None, "", "", "", None, None, 12345678901234567890, None]
    assert rows[11] == [45839]


def test_the_1904_date_system_of_an_excel_workbook_is_followed():
    for flag in ("1", "true"):
        rows = read_alike(excel_package(ODD_ROWS, workbook_properties=f'<workbookPr date1904="{flag}"/>'))
        assert rows[1][6] == datetime.datetime(2029, 7, 2)
    assert read_alike(excel_package(ODD_ROWS, workbook_properties='<workbookPr date1904="0"/>'))[1][6] == (
        datetime.datetime(2025, 7, 1)
    )


def test_a_cell_without_a_style_has_the_first_one_and_an_empty_style_none():
    styles = f'<styleSheet xmlns="{MAIN}"><cellXfs count="1"><xf numFmtId="14"/></cellXfs></styleSheet>'
    rows = '<row r="1"><c r="A1"><v>45839</v></c><c r="B1" s="0"><v>45839</v></c><c r="C1" s=""><v>45839</v></c></row>'
    july = datetime.datetime(2025, 7, 1)
    assert read_alike(excel_package(rows, styles=styles, strings=None)) == [[july, july, 45839]]


def test_a_workbook_without_shared_strings_or_styles_reads_the_same():
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>ma</t></is></c><c r="B1" s="1"><v>45839</v></c></row>'
    assert read_alike(excel_package(rows, strings=None, styles=None)) == [["ma", 45839]]


def test_a_sheet_written_with_a_namespace_prefix_reads_the_same():
    strings = f'<x:sst xmlns:x="{MAIN}"><x:si><x:t>chữ</x:t></x:si><x:si><x:t>khác</x:t></x:si></x:sst>'
    rows = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>ô</x:t></x:is></x:c>'
        '</x:row><x:row r="3"><x:c r="A3" s="1"><x:v>45839</x:v></x:c><x:c r="B3" t="s"><x:v>1</x:v></x:c></x:row>'
    )
    data = excel_package(
        rows,
        strings=strings,
        root=f'<x:worksheet xmlns:x="{MAIN}">',
        end="</x:worksheet>",
        data=("<x:sheetData>", "</x:sheetData>"),
        before="",
        after="",
    )
    assert read_alike(data) == [["chữ", "ô"], [], [datetime.datetime(2025, 7, 1), "khác"]]


def shaped_rows(count: int) -> str:
    """Rows of a few shapes (the cells' columns, styles and types), with values that change from row to row."""
    rng = random.Random(7)
    rows = []
    for n in range(2, count + 2):
        name = rng.choice(["Mai", "Bình", "An", ""])
        number = rng.choice(["12", "12.0", "-3.5", "1E3", ""])
        cells = [
            f'<c r="A{n}" t="s"><v>{rng.randrange(10)}</v></c>',
            f'<c r="B{n}" t="inlineStr"><is><t>{name}</t></is></c>',
            f'<c r="C{n}"><v>{number}</v></c>',
            f'<c r="D{n}" s="1"><v>{rng.randrange(20_000, 50_000)}</v></c>',
            f'<c r="E{n}" s="3"/>' if n % 3 else f'<c r="E{n}" t="b"><v>{n % 2}</v></c>',
            f'<c r="F{n}" s="4"><v>{rng.choice(["1.5", "0.25", "2"])}</v></c>',
            f'<c r="G{n}" t="inlineStr"><is><t/></is></c>',
            f'<c r="H{n}" t="inlineStr"><is><t xml:space="preserve"> {name} </t></is></c>',
        ]
        rows.append(f'<row r="{n}" spans="1:8">{"".join(cells[: 8 - n % 2])}</row>')
    return "".join(rows)


def test_rows_of_the_same_shape_read_the_same(monkeypatch):
    shaped = []
    read_shaped = SheetRows.shaped

    def counting(self, row):
        found = read_shaped(self, row)
        shaped.append(found is not None)
        return found

    monkeypatch.setattr(SheetRows, "shaped", counting)
    read_alike(excel_package(ODD_ROWS.split('\n<row r="2"')[0] + shaped_rows(600)))
    # Nearly every row went through a shape learnt from a row before it.
    assert sum(shaped) > 550


@pytest.mark.parametrize("read_bytes", [1, 7, 100, 4096])
def test_the_values_do_not_depend_on_where_the_stream_is_cut(monkeypatch, read_bytes):
    monkeypatch.setattr(parts, "READ_BYTES", read_bytes)
    monkeypatch.setattr(parts, "HEAD_READ_BYTES", read_bytes)
    read_alike(excel_package(ODD_ROWS))
    read_alike(openpyxl_workbook())


# --- Refusals while reading ---------------------------------------------------------------------------------------


def plain_rows(count: int, start: int = 1) -> str:
    return "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>DV{n:05d}</t></is></c><c r="B{n}"><v>{n}</v></c></row>'
        for n in range(start, start + count)
    )


@pytest.mark.parametrize(
    "row",
    [
        '<row r="4"><c r="A4"><v>1</v></row>',
        '<row r="4"><c r="A4"><v>1</v></c></rows>',
        '<row r="4"><c r="A4" t="inlineStr"><is><t>a\x01b</t></is></c></row>',
        '<row r="4"><c r="A4" t="inlineStr"><is><t>a &#1; b</t></is></c></row>',
        '<row r="4"><c r="A4" t="inlineStr"><is><t>a & b</t></is></c></row>',
        '<row r="4"><c r="A4" t="inlineStr"><is><t>a&nbsp;b</t></is></c></row>',
        '<row r="4"><c r="A4" t="inlineStr"><is><t>a\udcffb</t></is></c></row>',
        '<row r="4"><c r="A4"><v>1</v></c><!-- -->',
    ],
)
@pytest.mark.parametrize("read_bytes", [64, 64 * 1024])
def test_broken_xml_among_the_rows_is_unreadable_as_openpyxl_finds_it(monkeypatch, row, read_bytes):
    # Read in small pieces, the rows are read by the reader alone (expat reads what comes before and after them).
    monkeypatch.setattr(parts, "READ_BYTES", read_bytes)
    monkeypatch.setattr(parts, "HEAD_READ_BYTES", read_bytes)
    data = excel_package(plain_rows(3) + row + plain_rows(2, start=5))
    with pytest.raises(Exception):  # noqa: B017 - openpyxl raises whatever its parser raises
        openpyxl_rows(data)
    with pytest.raises(UnreadableFile, match="Không đọc được tệp Excel"):
        list(first_sheet_rows(data, LIMITS))


def test_broken_xml_after_the_rows_is_unreadable(monkeypatch):
    monkeypatch.setattr(parts, "READ_BYTES", 1000)
    monkeypatch.setattr(parts, "HEAD_READ_BYTES", 1000)
    data = excel_package(plain_rows(200), after="<mergeCells><mergeCell ref='A1:B1'></mergeCells>")
    with pytest.raises(UnreadableFile, match="Không đọc được tệp Excel"):
        list(first_sheet_rows(data, LIMITS))


def test_what_follows_the_rows_is_still_counted_when_the_sheet_is_read_in_many_chunks(monkeypatch):
    # The rows span many chunks, read without calling back into Python; the merged cells after them are counted.
    monkeypatch.setattr(parts, "READ_BYTES", 4096)
    monkeypatch.setattr(parts, "HEAD_READ_BYTES", 4096)
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(2, 100_003))
    data = excel_package(plain_rows(300), after=f"<mergeCells>{merges}</mergeCells>")
    with pytest.raises(FileTooLarge, match=re.escape("sheet1.xml” của tệp Excel có hơn 100.000 mục")):
        list(first_sheet_rows(data, LIMITS))


def test_a_shared_string_larger_than_any_roster_text_is_refused():
    text = "".join(random.Random(3).choices(string.ascii_letters, k=2 * MB + 10))
    strings = f'<sst xmlns="{MAIN}"><si><t>{text}</t></si></sst>'
    with pytest.raises(FileTooLarge, match="Tệp có một ô chữ lớn hơn 2 MB"):
        list(first_sheet_rows(excel_package(plain_rows(1), strings=strings), LIMITS))


def test_rows_cells_and_columns_are_counted_as_they_are_read():
    def read(rows: str) -> list[list[object]]:
        return list(first_sheet_rows(excel_package(rows, before=""), limits))

    limits = ImportLimits(max_bytes=MB, max_rows=5, max_columns=3, max_cells=11, max_uncompressed_bytes=MB)
    assert len(read(plain_rows(5))) == 5
    gapped = plain_rows(2) + '<row r="7"><c r="A7"><v>7</v></c></row>'
    with pytest.raises(FileTooLarge, match="Tệp có dữ liệu ở dòng 7, vượt giới hạn 5 dòng"):
        read(gapped)
    wide = '<row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>4</v></c></row>'
    with pytest.raises(FileTooLarge, match=re.escape("Dòng 1 có ô ở cột thứ 4, vượt giới hạn 3 cột.")):
        read(wide)
    many = '<row r="1"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c><c r="A1"><v>4</v></c></row>'
    with pytest.raises(FileTooLarge, match=re.escape("Dòng 1 có ô ở cột thứ 4, vượt giới hạn 3 cột.")):
        read(many)
    with pytest.raises(FileTooLarge, match="Tệp có hơn 11 ô dữ liệu"):
        read(plain_rows(6))
