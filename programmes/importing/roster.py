"""The roster: cadres, their private details and their current cell, upserted in bulk by member code."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programmes.audit_actions import ImportAction
from programmes.models import (
    ActionProgramme,
    Cadre,
    CadrePrivateDetails,
    Membership,
    MembershipStatus,
    MemberType,
    PartyOrganisation,
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
    assign_changed,
    choice_lookup,
    in_chunks,
    parse_table,
)

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
)
GENDERS = choice_lookup(Gender)


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
MEMBERSHIP_FIELDS = ("member_type", "status", "joined_party_on", "official_on")


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


def parse_rows(table: Table) -> tuple[list[CadreRow], list[ImportIssue]]:
    return parse_table(table, _parse_row)


def _parse_row(cells: RowReader) -> CadreRow:
    joined, official = cells.period("ngay_vao_dang", "ngay_chinh_thuc")
    full_name = cells.text("ho_ten", required=True)
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
    )


class RosterImport:
    """Upsert cadres, their private details and current membership; a changed cell is a transfer."""

    audit_action: ImportAction = ImportAction.ROSTER

    def __init__(self, rows: list[CadreRow]) -> None:
        self.rows = [row for row in rows if row.code and row.cell_code]
        self.cells: dict[str, PartyOrganisation] = {}
        self.cadres: dict[str, Cadre] = {}
        self.memberships: dict[int, Membership] = {}
        self.private: dict[int, CadrePrivateDetails] = {}

    def _load(self) -> None:
        cell_codes = {row.cell_code for row in self.rows}
        for chunk in in_chunks(cell_codes):
            self.cells.update({org.code: org for org in PartyOrganisation.objects.filter(code__in=chunk)})
        for chunk in in_chunks({row.code for row in self.rows}):
            self.cadres.update({cadre.code: cadre for cadre in Cadre.objects.filter(code__in=chunk)})
        cadre_ids = [cadre.pk for cadre in self.cadres.values()]
        for chunk in in_chunks(cadre_ids):
            current = Membership.objects.filter(cadre_id__in=chunk, end_date__isnull=True).select_related("cell")
            self.memberships.update({membership.cadre_id: membership for membership in current})
            self.private.update(
                {details.cadre_id: details for details in CadrePrivateDetails.objects.filter(cadre_id__in=chunk)}
            )

    def validate(self, scope: ScopeCheck) -> list[ImportIssue]:
        self._load()
        issues: list[ImportIssue] = []
        first_seen: dict[str, CadreRow] = {}
        for row in self.rows:
            first = first_seen.setdefault(row.code, row)
            if first is not row:
                issues.append(self._duplicate(row, first))
            issues += self._check_cell(row, scope)
            issues += self._check_current_cell(row, scope)
        return issues

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

    def _check_cell(self, row: CadreRow, scope: ScopeCheck) -> list[ImportIssue]:
        cell = self.cells.get(row.cell_code)
        if cell is None:
            message = _("Không có chi bộ mã “%(code)s” trong hệ thống; hãy nhập cây tổ chức trước.")
            return [ImportIssue(row.number, "ma_chi_bo", message % {"code": row.cell_code})]
        if cell.kind not in CELL_KINDS:
            message = _(
                "“%(code)s – %(name)s” là %(kind)s, không phải chi bộ. Đảng viên chỉ sinh hoạt ở chi bộ cơ sở "
                "hoặc chi bộ trực thuộc."
            )
            values = {"code": cell.code, "name": cell.name, "kind": cell.get_kind_display()}
            return [ImportIssue(row.number, "ma_chi_bo", message % values)]
        if not cell.is_active_on():
            message = _("Chi bộ “%(code)s” đã hết hiệu lực; hãy ghi chi bộ đang hoạt động.")
            return [ImportIssue(row.number, "ma_chi_bo", message % {"code": cell.code})]
        if not scope.allows(cell):
            return [ImportIssue(row.number, "ma_chi_bo", scope.refusal(cell))]
        return []

    def _check_current_cell(self, row: CadreRow, scope: ScopeCheck) -> list[ImportIssue]:
        """Moving a cadre in from a cell outside the user's scope would take them from another unit."""
        cadre = self.cadres.get(row.code)
        membership = self.memberships.get(cadre.pk) if cadre is not None else None
        if membership is None or membership.cell.code == row.cell_code or scope.allows(membership.cell):
            return []
        message = _("Đảng viên “%(code)s” đang sinh hoạt ở chi bộ “%(cell)s”, ngoài phạm vi bạn được nhập dữ liệu.")
        return [ImportIssue(row.number, "ma_dang_vien", message % {"code": row.code, "cell": membership.cell.code})]

    def apply(self, acting_user: User | None) -> ImportResult:
        history = {"default_user": acting_user, "default_change_reason": HISTORY_REASON, "batch_size": 1000}
        today = timezone.localdate()
        new_cadres = [
            Cadre(code=row.code, full_name=row.full_name, name_folded=fold(row.full_name), gender=row.gender)
            for row in self.rows
            if row.code not in self.cadres
        ]
        created_codes = {cadre.code for cadre in new_cadres}
        for cadre in bulk_create_with_history(new_cadres, Cadre, **history):
            self.cadres[cadre.code] = cadre

        changed: set[str] = set()
        cadre_updates, private_new, private_updates = [], [], []
        closing, opening, membership_updates = [], [], []
        for row in self.rows:
            cadre = self.cadres[row.code]
            if assign_changed(
                cadre, {"full_name": row.full_name, "name_folded": fold(row.full_name), "gender": row.gender}
            ):
                cadre_updates.append(cadre)
                changed.add(row.code)
            private_values = {name: getattr(row, name) for name in PRIVATE_FIELDS}
            details = self.private.get(cadre.pk)
            if details is None:
                private_new.append(CadrePrivateDetails(cadre=cadre, **private_values))
                changed.add(row.code)
            elif assign_changed(details, private_values):
                private_updates.append(details)
                changed.add(row.code)
            membership_values = {name: getattr(row, name) for name in MEMBERSHIP_FIELDS}
            current = self.memberships.get(cadre.pk)
            cell = self.cells[row.cell_code]
            if current is not None and current.cell_id != cell.pk:
                # A transfer: the old membership ends the day before the new one starts.
                current.status = MembershipStatus.TRANSFERRED
                current.end_date = max(today - datetime.timedelta(days=1), current.start_date)
                closing.append(current)
                current = None
            if current is None:
                opening.append(Membership(cadre=cadre, cell=cell, start_date=today, **membership_values))
                changed.add(row.code)
            elif assign_changed(current, membership_values):
                membership_updates.append(current)
                changed.add(row.code)

        if cadre_updates:
            bulk_update_with_history(cadre_updates, Cadre, list(CADRE_FIELDS), **history)
            # The bulk update skips Cadre.save: a renamed owner's programmes are found by the new name at once.
            ActionProgramme.refresh_owner_names(cadre.pk for cadre in cadre_updates)
        bulk_create_with_history(private_new, CadrePrivateDetails, **history)
        if private_updates:
            bulk_update_with_history(private_updates, CadrePrivateDetails, list(PRIVATE_FIELDS), **history)
        # Close before opening: a cadre has at most one membership without an end date.
        if closing:
            bulk_update_with_history(closing, Membership, ["status", "end_date"], **history)
        if membership_updates:
            bulk_update_with_history(membership_updates, Membership, list(MEMBERSHIP_FIELDS), **history)
        bulk_create_with_history(opening, Membership, **history)

        updated = len(changed - created_codes)
        return ImportResult(
            created=len(created_codes), updated=updated, unchanged=len(self.rows) - len(created_codes) - updated
        )
