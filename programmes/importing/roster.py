"""The roster: cadres, their private details and their current cell, upserted in bulk by member code."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.audit_actions import ImportAction
from programmes.models import (
    ActionProgramme,
    Cadre,
    CadrePrivateDetails,
    Membership,
    MembershipStatus,
    MemberType,
    PartyOrganisation,
    ResidenceExemption,
)
from programmes.models.cadres import Gender
from programmes.models.organisations import CELL_KINDS
from programmes.text import fold

from .base import (
    Column,
    ImportIssue,
    ImportResult,
    RowReader,
    ScopeCheck,
    Table,
    choice_lookup,
    in_chunks,
    parse_table,
)
from .bulk import BulkWriter

RESIDENCE_CELL_COLUMN = "ma_chi_bo_cu_tru"
COLUMNS = (
    Column("ma_dang_vien", gettext_lazy("Mã đảng viên, duy nhất; lần nhập sau cập nhật theo mã này."), "DV0001", True),
    Column("ho_ten", gettext_lazy("Họ và tên."), "Nguyễn Thị Mai", True),
    Column("gioi_tinh", gettext_lazy("Giới tính: Nam hoặc Nữ."), "Nữ"),
    Column("ngay_sinh", gettext_lazy("Ngày sinh (dd/mm/yyyy)."), "17/05/1980"),
    Column("so_cccd", gettext_lazy("Số căn cước công dân: đúng 12 chữ số."), "079180001234"),
    Column("dien_thoai", gettext_lazy("Số điện thoại."), "0909123456"),
    Column("email", gettext_lazy("Thư điện tử."), "mai.nguyen@example.vn"),
    Column(
        "ma_chi_bo",
        gettext_lazy("Mã chi bộ đang sinh hoạt (chi bộ cơ sở hoặc chi bộ trực thuộc)."),
        "79-26743-KP1A",
        True,
    ),
    Column("loai_dang_vien", gettext_lazy("Chính thức hoặc dự bị (để trống: chính thức)."), "chinh_thuc"),
    Column(
        "tinh_trang",
        gettext_lazy("Đang sinh hoạt, miễn sinh hoạt hoặc đình chỉ (để trống: đang sinh hoạt)."),
        "dang_sinh_hoat",
    ),
    Column("ngay_vao_dang", gettext_lazy("Ngày vào Đảng (dd/mm/yyyy)."), "03/02/2005"),
    Column("ngay_chinh_thuc", gettext_lazy("Ngày chính thức (dd/mm/yyyy)."), "03/02/2006"),
    # Quy định 213-QĐ/TW: the cell where the member lives comments on them each year. Files made before these columns
    # leave them out, and then change nothing of what is stored.
    Column(
        RESIDENCE_CELL_COLUMN,
        gettext_lazy(
            "Mã chi bộ nơi cư trú (chi bộ khu phố, ấp nơi đảng viên ở; có thể thuộc phường, xã khác). Để trống nếu "
            "chưa xác định."
        ),
        "79-26740-KP2",
        may_be_absent=True,
    ),
    Column(
        "mien_nhan_xet_cu_tru",
        gettext_lazy(
            "Miễn lấy nhận xét nơi cư trú: doanh_trai (quân đội, công an ở tập trung), di_hoc (đi học tập trung xa "
            "nơi cư trú) hoặc khac (lý do khác). Để trống: không miễn."
        ),
        "",
        may_be_absent=True,
    ),
    Column("ly_do_mien", gettext_lazy("Lý do miễn, bắt buộc khi miễn vì lý do khác."), "", may_be_absent=True),
)
GENDERS = choice_lookup(Gender)
EXEMPTIONS = choice_lookup(
    ResidenceExemption,
    {
        "doanh trai": ResidenceExemption.BARRACKS,
        "di hoc": ResidenceExemption.STUDYING_AWAY,
        "khac": ResidenceExemption.OTHER,
    },
)


class ImportableStatus(models.TextChoices):
    ACTIVE = MembershipStatus.ACTIVE.value, MembershipStatus.ACTIVE.label
    EXEMPT = MembershipStatus.EXEMPT.value, MembershipStatus.EXEMPT.label
    SUSPENDED = MembershipStatus.SUSPENDED.value, MembershipStatus.SUSPENDED.label


MEMBER_TYPES = choice_lookup(MemberType, {"chinh thuc": MemberType.OFFICIAL, "du bi": MemberType.PROBATIONARY})
# A current membership cannot be "transferred": that status belongs to the closed one, set by a transfer.
STATUSES = choice_lookup(
    ImportableStatus,
    {
        "dang sinh hoat": MembershipStatus.ACTIVE,
        "mien sinh hoat": MembershipStatus.EXEMPT,
        "dinh chi": MembershipStatus.SUSPENDED,
    },
)
HISTORY_REASON = "import"
CADRE_FIELDS = ("full_name", "name_folded", "gender")
PRIVATE_FIELDS = ("date_of_birth", "citizen_id", "phone", "email")
MEMBERSHIP_FIELDS = (
    "member_type",
    "status",
    "joined_party_on",
    "official_on",
    "residence_cell_id",
    "residence_exemption",
    "residence_exemption_reason",
)


@dataclass
class CadreRow:
    number: int
    code: str
    full_name: str
    gender: str
    date_of_birth: datetime.date | None
    citizen_id: str
    phone: str
    email: str
    cell_code: str
    member_type: str
    status: str
    joined_party_on: datetime.date | None
    official_on: datetime.date | None
    residence_code: str = ""
    residence_exemption: str = ""
    residence_exemption_reason: str = ""
    # Whether the file has the residence columns at all: without them the stored residence stays as it is.
    residence_given: bool = True


def parse_rows(table: Table) -> tuple[list[CadreRow], list[ImportIssue]]:
    rows, issues = parse_table(table, _parse_row)
    if RESIDENCE_CELL_COLUMN not in table.headers:
        for row in rows:
            row.residence_given = False
    return rows, issues


def _parse_row(cells: RowReader) -> CadreRow:
    joined, official = cells.period("ngay_vao_dang", "ngay_chinh_thuc")
    full_name = cells.text("ho_ten", required=True)
    exemption = cells.choice("mien_nhan_xet_cu_tru", EXEMPTIONS)
    reason = cells.text("ly_do_mien")
    if exemption == ResidenceExemption.OTHER and not reason:
        cells.error("ly_do_mien", _("Hãy ghi lý do miễn lấy nhận xét nơi cư trú khi chọn “lý do khác”."))
    return CadreRow(
        number=cells.row.number,
        code=cells.text("ma_dang_vien", required=True, max_length=32),
        full_name=full_name,
        gender=cells.choice("gioi_tinh", GENDERS),
        date_of_birth=cells.date("ngay_sinh"),
        citizen_id=cells.citizen_id("so_cccd"),
        phone=cells.text("dien_thoai", max_length=20),
        email=cells.email("email"),
        cell_code=cells.text("ma_chi_bo", required=True, max_length=32),
        member_type=cells.choice("loai_dang_vien", MEMBER_TYPES, default=MemberType.OFFICIAL),
        status=cells.choice("tinh_trang", STATUSES, default=MembershipStatus.ACTIVE),
        joined_party_on=joined,
        official_on=official,
        residence_code=cells.text(RESIDENCE_CELL_COLUMN, max_length=32),
        residence_exemption=exemption,
        residence_exemption_reason=reason,
    )


class StoredCadre(NamedTuple):
    id: int
    full_name: str
    name_folded: str
    gender: str


class StoredMembership(NamedTuple):
    id: int
    cell_id: int
    start_date: datetime.date
    member_type: str
    status: str
    joined_party_on: datetime.date | None
    official_on: datetime.date | None
    residence_cell_id: int | None
    residence_exemption: str
    residence_exemption_reason: str


@dataclass
class RosterChanges:
    """What an import writes, as tuples of column values in the order of the *_FIELDS below."""

    cadre_updates: list[tuple[Any, ...]] = field(default_factory=list)
    private_new: list[tuple[Any, ...]] = field(default_factory=list)
    private_updates: list[tuple[Any, ...]] = field(default_factory=list)
    closing: list[tuple[Any, ...]] = field(default_factory=list)
    opening: list[tuple[Any, ...]] = field(default_factory=list)
    membership_updates: list[tuple[Any, ...]] = field(default_factory=list)
    # Codes of the cadres any of these touch: they count as updated unless created by the same import.
    changed: set[str] = field(default_factory=set)


NEW_CADRE_FIELDS = ("code", "full_name", "name_folded", "gender")
NEW_PRIVATE_FIELDS = ("cadre_id", *PRIVATE_FIELDS)
NEW_MEMBERSHIP_FIELDS = ("cadre_id", "cell_id", *MEMBERSHIP_FIELDS, "start_date", "end_date")
CLOSING_FIELDS = ("status", "end_date")


class RosterImport:
    """Upsert cadres, their private details and current membership; a changed cell is a transfer.

    What is stored is read as tuples and what changes is written as tuples (bulk.BulkWriter): a city's roster
    of 50,000 cadres would otherwise be hundreds of thousands of model objects."""

    audit_action: ImportAction = ImportAction.ROSTER

    def __init__(self, rows: list[CadreRow]) -> None:
        self.rows = [row for row in rows if row.code and row.cell_code]
        self.cells: dict[str, PartyOrganisation] = {}
        self.cadres: dict[str, StoredCadre] = {}
        self.memberships: dict[int, StoredMembership] = {}
        self.private: dict[int, tuple[Any, ...]] = {}
        # The cells cadres of the file belong to now, which may be outside the file and the user's scope.
        self.current_cells: dict[int, PartyOrganisation] = {}

    def _load(self) -> None:
        cell_codes = {row.cell_code for row in self.rows} | {row.residence_code for row in self.rows} - {""}
        for chunk in in_chunks(cell_codes):
            self.cells.update({org.code: org for org in PartyOrganisation.objects.filter(code__in=chunk)})
        for chunk in in_chunks({row.code for row in self.rows}):
            stored = Cadre.objects.filter(code__in=chunk).values_list("code", *StoredCadre._fields)
            self.cadres.update({code: StoredCadre(*values) for code, *values in stored})
        for chunk in in_chunks([cadre.id for cadre in self.cadres.values()]):
            current = Membership.objects.filter(cadre_id__in=chunk, end_date__isnull=True)
            stored_memberships = current.values_list("cadre_id", *StoredMembership._fields)
            self.memberships.update({cadre_id: StoredMembership(*values) for cadre_id, *values in stored_memberships})
            details = CadrePrivateDetails.objects.filter(cadre_id__in=chunk).values_list("cadre_id", *PRIVATE_FIELDS)
            self.private.update({cadre_id: tuple(values) for cadre_id, *values in details})
        for chunk in in_chunks({membership.cell_id for membership in self.memberships.values()}):
            self.current_cells.update(PartyOrganisation.objects.in_bulk(chunk))

    def validate(self, scope: ScopeCheck) -> list[ImportIssue]:
        self._load()
        issues: list[ImportIssue] = []
        first_seen: dict[str, CadreRow] = {}
        # Whether the user may import into a cell is asked once per cell, not once per row.
        allowed: dict[int, bool] = {}
        # What is wrong with each cell the file names, if anything: the same for every row naming it.
        cell_problems: dict[str, str | None] = {}
        residence_problems: dict[str, str | None] = {}

        def allows(cell: PartyOrganisation) -> bool:
            if cell.pk not in allowed:
                allowed[cell.pk] = scope.allows(cell)
            return allowed[cell.pk]

        for row in self.rows:
            first = first_seen.setdefault(row.code, row)
            if first is not row:
                issues.append(self._duplicate(row, first))
            if row.cell_code not in cell_problems:
                cell_problems[row.cell_code] = self._cell_problem(row.cell_code, scope, allows)
            if cell_problems[row.cell_code] is not None:
                issues.append(ImportIssue(row.number, "ma_chi_bo", str(cell_problems[row.cell_code])))
            issues += self._check_current_cell(row, allows)
            if row.residence_code:
                if row.residence_code not in residence_problems:
                    residence_problems[row.residence_code] = self._residence_problem(row.residence_code)
                if residence_problems[row.residence_code] is not None:
                    issues.append(
                        ImportIssue(row.number, RESIDENCE_CELL_COLUMN, str(residence_problems[row.residence_code]))
                    )
        return issues

    def _residence_problem(self, code: str) -> str | None:
        """The residence cell is often in another ward: it must exist and be a cell in force, but need not lie in the
        scope of the import (nothing of it is written)."""
        cell = self.cells.get(code)
        if cell is None:
            message = _(
                "Không có chi bộ nơi cư trú mã “%(code)s” trong hệ thống; hãy kiểm tra mã chi bộ khu phố, ấp nơi "
                "đảng viên cư trú, hoặc nhập cây tổ chức của phường, xã đó trước."
            )
            return message % {"code": code}
        if cell.kind not in CELL_KINDS:
            message = _("Nơi cư trú “%(code)s – %(name)s” là %(kind)s, không phải chi bộ.")
            return message % {"code": cell.code, "name": cell.name, "kind": cell.get_kind_display()}
        if not cell.is_active_on():
            return _("Chi bộ nơi cư trú “%(code)s” đã hết hiệu lực; hãy ghi chi bộ đang hoạt động.") % {"code": code}
        return None

    def _duplicate(self, row: CadreRow, first: CadreRow) -> ImportIssue:
        if first.cell_code != row.cell_code:
            message = _(
                "Đảng viên “%(code)s” có tên ở hai chi bộ: “%(first_cell)s” (dòng %(row)d) và “%(cell)s”. "
                "Mỗi đảng viên chỉ sinh hoạt ở một chi bộ."
            )
        else:
            message = _("Đảng viên “%(code)s” bị lặp lại: đã có ở dòng %(row)d (chi bộ “%(first_cell)s”).")
        values = {"code": row.code, "row": first.number, "first_cell": first.cell_code, "cell": row.cell_code}
        return ImportIssue(row.number, "ma_dang_vien", message % values)

    def _cell_problem(
        self, cell_code: str, scope: ScopeCheck, allows: Callable[[PartyOrganisation], bool]
    ) -> str | None:
        cell = self.cells.get(cell_code)
        if cell is None:
            message = _("Không có chi bộ mã “%(code)s” trong hệ thống; hãy nhập cây tổ chức trước.")
            return message % {"code": cell_code}
        if cell.kind not in CELL_KINDS:
            message = _(
                "“%(code)s – %(name)s” là %(kind)s, không phải chi bộ. Đảng viên chỉ sinh hoạt ở chi bộ cơ sở "
                "hoặc chi bộ trực thuộc."
            )
            values = {"code": cell.code, "name": cell.name, "kind": cell.get_kind_display()}
            return message % values
        if not cell.is_active_on():
            message = _("Chi bộ “%(code)s” đã hết hiệu lực; hãy ghi chi bộ đang hoạt động.")
            return message % {"code": cell.code}
        if not allows(cell):
            return scope.refusal(cell)
        return None

    def _check_current_cell(self, row: CadreRow, allows: Callable[[PartyOrganisation], bool]) -> list[ImportIssue]:
        """Moving a cadre in from a cell outside the user's scope would take them from another unit."""
        cadre = self.cadres.get(row.code)
        membership = self.memberships.get(cadre.id) if cadre is not None else None
        if membership is None:
            return []
        cell = self.current_cells[membership.cell_id]
        if cell.code == row.cell_code or allows(cell):
            return []
        message = _(
            "Đảng viên “%(code)s” đang sinh hoạt ở chi bộ “%(cell)s”, ngoài phạm vi đồng chí được nhập dữ liệu."
        )
        return [ImportIssue(row.number, "ma_dang_vien", message % {"code": row.code, "cell": cell.code})]

    def apply(self, acting_user: User | None) -> ImportResult:
        writer = BulkWriter(acting_user, HISTORY_REASON)
        created_codes = self._create_cadres(writer)
        changes = RosterChanges()
        today = timezone.localdate()
        for row in self.rows:
            self._compare(row, changes, today, created=row.code in created_codes)

        if changes.cadre_updates:
            writer.update(Cadre, CADRE_FIELDS, changes.cadre_updates)
            # The bulk update skips Cadre.save: a renamed owner's programmes are found by the new name at once.
            for chunk in in_chunks(values[0] for values in changes.cadre_updates):
                ActionProgramme.refresh_owner_names(chunk)
        writer.insert(CadrePrivateDetails, NEW_PRIVATE_FIELDS, changes.private_new)
        writer.update(CadrePrivateDetails, PRIVATE_FIELDS, changes.private_updates)
        # Close before opening: a cadre has at most one membership without an end date.
        writer.update(Membership, CLOSING_FIELDS, changes.closing)
        writer.update(Membership, MEMBERSHIP_FIELDS, changes.membership_updates)
        writer.insert(Membership, NEW_MEMBERSHIP_FIELDS, changes.opening)

        updated = len(changes.changed - created_codes)
        return ImportResult(
            created=len(created_codes), updated=updated, unchanged=len(self.rows) - len(created_codes) - updated
        )

    def _create_cadres(self, writer: BulkWriter) -> set[str]:
        new = [
            (row.code, row.full_name, fold(row.full_name), row.gender)
            for row in self.rows
            if row.code not in self.cadres
        ]
        writer.insert(Cadre, NEW_CADRE_FIELDS, new)
        created_codes = {values[0] for values in new}
        for chunk in in_chunks(created_codes):
            stored = Cadre.objects.filter(code__in=chunk).values_list("code", *StoredCadre._fields)
            self.cadres.update({code: StoredCadre(*values) for code, *values in stored})
        return created_codes

    def _compare(self, row: CadreRow, changes: RosterChanges, today: datetime.date, *, created: bool) -> None:
        """Add to `changes` what the row changes in its cadre, their private details and their membership."""
        cadre = self.cadres[row.code]
        # A cadre created by this import was written from this row: nothing to compare (nor to fold again).
        cadre_values = (row.full_name, fold(row.full_name), row.gender) if not created else cadre[1:]
        if cadre_values != (cadre.full_name, cadre.name_folded, cadre.gender):
            changes.cadre_updates.append((cadre.id, *cadre_values))
            changes.changed.add(row.code)
        private_values = (row.date_of_birth, row.citizen_id, row.phone, row.email)
        details = self.private.get(cadre.id)
        if details is None:
            changes.private_new.append((cadre.id, *private_values))
            changes.changed.add(row.code)
        elif details != private_values:
            changes.private_updates.append((cadre.id, *private_values))
            changes.changed.add(row.code)
        current = self.memberships.get(cadre.id)
        membership_values = (
            row.member_type,
            row.status,
            row.joined_party_on,
            row.official_on,
            *self._residence_values(row, current),
        )
        cell = self.cells[row.cell_code]
        if current is not None and current.cell_id != cell.pk:
            # A transfer: the old membership ends the day before the new one starts.
            end_date = max(today - datetime.timedelta(days=1), current.start_date)
            changes.closing.append((current.id, MembershipStatus.TRANSFERRED.value, end_date))
            current = None
        if current is None:
            changes.opening.append((cadre.id, cell.pk, *membership_values, today, None))
            changes.changed.add(row.code)
        elif membership_values != current[StoredMembership._fields.index("member_type") :]:
            changes.membership_updates.append((current.id, *membership_values))
            changes.changed.add(row.code)

    def _residence_values(self, row: CadreRow, current: StoredMembership | None) -> tuple[int | None, str, str]:
        """The residence cell and exemption the row gives; the stored ones when the file has no such columns (a
        transfer keeps where the member lives)."""
        if not row.residence_given:
            if current is None:
                return (None, "", "")
            return (current.residence_cell_id, current.residence_exemption, current.residence_exemption_reason)
        residence = self.cells[row.residence_code].pk if row.residence_code else None
        return (residence, row.residence_exemption, row.residence_exemption_reason)
