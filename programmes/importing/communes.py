"""The July 2025 commune-level party committees of one province, with the units they were formed from.

Reads the national file (one row per new unit and predecessor: province_code, province_name, commune_code,
commune_name, predecessor_code, predecessor_name, predecessor_share) and feeds the organisation import.
Official codes were reused: a new unit may carry the code of one of its predecessors, and one old unit
may be split among several new ones. So post-2025 committees are coded "<province>-<code>" and the
closed pre-2025 ones "<province>-<code>-truoc-2025", and each old unit is created once.
"""

import datetime
import itertools
from pathlib import Path

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from programmes.audit_actions import ImportAction
from programmes.models import ImportJob, OrganisationKind, SuccessionShare
from programmes.text import normalise

from .base import ImportIssue, ImportResult
from .limits import HEADER_ROW, ImportLimits, UnreadableFile, csv_records, read_bounded
from .organisations import OrganisationImport, OrganisationRow
from .services import import_run

REFORM_DAY = datetime.date(2025, 7, 1)
LAST_DAY_BEFORE = REFORM_DAY - datetime.timedelta(days=1)
COLUMNS = (
    "province_code",
    "province_name",
    "commune_code",
    "commune_name",
    "predecessor_code",
    "predecessor_name",
    "predecessor_share",
)
SHARES = {"full": SuccessionShare.FULL, "partial": SuccessionShare.PARTIAL}


# Administrative levels as the official list capitalises them; party documents write them in lower case
# after "Đảng bộ" ("Đảng bộ phường Bến Thành"). Longest first, so "Đặc khu" is not read as one word.
AREA_LEVELS = ("Thị trấn ", "Đặc khu ", "Phường ", "Xã ")


def area_in_text(area_name: str) -> str:
    """An area's name inside a sentence or a title: "Phường Bến Thành" gives "phường Bến Thành"."""
    area_name = " ".join(area_name.split())
    for level in AREA_LEVELS:
        if area_name.startswith(level) or area_name.startswith(level.lower()):
            return level.lower() + area_name[len(level) :]
    return area_name


def committee_name(area_name: str) -> str:
    """The party committee of an area: "Phường Bến Thành" gives "Đảng bộ phường Bến Thành"."""
    return f"Đảng bộ {area_in_text(area_name)}"


def current_code(province: str, commune_code: str) -> str:
    return f"{province}-{commune_code}"


def historic_code(province: str, commune_code: str) -> str:
    return f"{province}-{commune_code}-truoc-2025"


def _read(source: Path) -> tuple[list[tuple[int, dict[str, str]]], list[ImportIssue]]:
    """The file's records by column name, numbered from 2 as the csv module's DictReader numbers them (blank
    lines skipped), within the import limits."""
    limits = ImportLimits.from_settings()
    try:
        lines = csv_records(read_bounded(source, limits), limits)
        header = next(lines, [])
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            message = _("Thiếu cột “%(column)s” của tệp đơn vị hành chính.")
            return [], [ImportIssue(HEADER_ROW, column, message % {"column": column}) for column in missing]
        # A short row reads as blank in its missing columns.
        rows = (itertools.zip_longest(header, values, fillvalue="") for values in lines if values)
        records = [(number, {k: normalise(v) for k, v in row}) for number, row in enumerate(rows, start=2)]
    except UnreadableFile as error:
        return [], [ImportIssue(HEADER_ROW, "", str(error))]
    return records, []


def _commune_committee(number: int, province: str, area_code: str, area_name: str, *, before: bool) -> OrganisationRow:
    """The committee of a commune under the province's, as read at row `number`: one of the communes merged away
    (`before` the reform, ended the day before it) or one formed by it (from the reform day on)."""
    return OrganisationRow(
        number=number,
        code=historic_code(province, area_code) if before else current_code(province, area_code),
        name=committee_name(area_name),
        kind=OrganisationKind.COMMUNE_COMMITTEE,
        parent_code=province,
        admin_area_code=area_code,
        valid_from=None if before else REFORM_DAY,
        valid_to=LAST_DAY_BEFORE if before else None,
    )


def commune_rows(source: Path, province: str) -> tuple[list[OrganisationRow], list[ImportIssue]]:
    """Organisation rows for the city committee, its current communes and their closed predecessors."""
    records, issues = _read(source)
    records = [(number, record) for number, record in records if record["province_code"] == province]
    if issues or not records:
        message = _("Không có dòng nào của tỉnh, thành phố mã “%(code)s”.")
        return [], issues or [ImportIssue(2, "province_code", message % {"code": province})]
    first_number, first = records[0]
    city = OrganisationRow(
        number=first_number,
        code=province,
        name=f"Đảng bộ {first['province_name']}",
        kind=OrganisationKind.CITY_COMMITTEE,
    )
    current: dict[str, OrganisationRow] = {}
    historic: dict[str, OrganisationRow] = {}
    for number, record in records:
        share = SHARES.get(record["predecessor_share"])
        if share is None:
            message = _("Phần kế thừa “%(value)s” không hợp lệ; ghi full hoặc partial.")
            issues.append(ImportIssue(number, "predecessor_share", message % {"value": record["predecessor_share"]}))
            continue
        commune, predecessor = record["commune_code"], record["predecessor_code"]
        unit = current.setdefault(
            commune, _commune_committee(number, province, commune, record["commune_name"], before=False)
        )
        old = historic.setdefault(
            predecessor, _commune_committee(number, province, predecessor, record["predecessor_name"], before=True)
        )
        if old.code not in {code for code, _share in unit.predecessors}:
            unit.predecessors.append((old.code, share))
    return [city, *historic.values(), *current.values()], issues


def import_communes(
    *, source: Path, province: str, acting_user: User | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Create or update the province's commune committees; running it again changes nothing."""
    rows, issues = commune_rows(source, province)
    if issues:
        return ImportResult(errors=issues)
    importer = OrganisationImport(rows)
    importer.audit_action = ImportAction.COMMUNES
    return import_run(importer=importer, scope=None, acting_user=acting_user, job=job)
