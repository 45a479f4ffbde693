"""Posts held by cadres. A post has no code of its own: it is known by who, which post, where and since when."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programmes.audit_actions import ImportAction
from programmes.models import Cadre, Membership, PartyOrganisation, PartyPost, Position, PostKind

from .base import Column, ImportIssue, ImportResult, RowReader, ScopeCheck, Table, choice_lookup, in_chunks, parse_table

COLUMNS = (
    Column("ma_dang_vien", gettext_lazy("Mã đảng viên đã có trong danh sách đảng viên."), "DV0001", True),
    Column("loai_chuc_vu", gettext_lazy("dang (chức vụ Đảng) hoặc chinh_quyen (chính quyền, đoàn thể)."), "dang", True),
    Column(
        "chuc_vu_dang",
        gettext_lazy("Với chức vụ Đảng: Bí thư, Phó Bí thư, Ủy viên Ban Thường vụ hoặc Cấp ủy viên."),
        "Bí thư",
    ),
    Column("ma_to_chuc", gettext_lazy("Mã tổ chức đảng nơi giữ chức vụ (bắt buộc với chức vụ Đảng)."), "79-26743-KP1A"),
    Column("chuc_danh", gettext_lazy("Chức danh (bắt buộc với chức vụ chính quyền)."), "Chủ tịch UBND phường"),
    Column("co_quan", gettext_lazy("Cơ quan, đơn vị."), "UBND phường Bến Thành"),
    Column("nguoi_dung_dau", gettext_lazy("Người đứng đầu cơ quan, đơn vị: có hoặc không."), "không"),
    Column("dai_bieu_hdnd", gettext_lazy("Đại biểu Hội đồng nhân dân: có hoặc không."), "không", may_be_absent=True),
    Column("tu_ngay", gettext_lazy("Giữ chức vụ từ ngày (dd/mm/yyyy)."), "01/07/2025", True),
    Column("den_ngay", gettext_lazy("Đến ngày (dd/mm/yyyy); để trống nếu đang giữ."), ""),
)
POST_KINDS = choice_lookup(PostKind, {"dang": PostKind.PARTY, "chinh quyen": PostKind.GOVERNMENT})
PARTY_POSTS = choice_lookup(
    PartyPost,
    {
        "bi thu": PartyPost.SECRETARY,
        "pho bi thu": PartyPost.DEPUTY_SECRETARY,
        "uy vien ban thuong vu": PartyPost.STANDING_MEMBER,
        "cap uy vien": PartyPost.COMMITTEE_MEMBER,
    },
)
HISTORY_REASON = "import"
UPDATABLE_FIELDS = ("agency_name", "is_head", "council_deputy", "end_date")
PositionKey = tuple[int, str, str, int | None, str, datetime.date]


@dataclass
class PositionRow:
    number: int
    cadre_code: str
    post_kind: str
    party_post: str
    organisation_code: str
    title: str
    agency_name: str
    is_head: bool
    council_deputy: bool
    start_date: datetime.date | None
    end_date: datetime.date | None


def parse_rows(table: Table) -> tuple[list[PositionRow], list[ImportIssue]]:
    return parse_table(table, _parse_row)


def _parse_row(cells: RowReader) -> PositionRow:
    start, end = cells.period("tu_ngay", "den_ngay", start_required=True)
    row = PositionRow(
        number=cells.row.number,
        cadre_code=cells.text("ma_dang_vien", required=True, max_length=32),
        post_kind=cells.choice("loai_chuc_vu", POST_KINDS, required=True),
        party_post=cells.choice("chuc_vu_dang", PARTY_POSTS),
        organisation_code=cells.text("ma_to_chuc", max_length=32),
        title=cells.text("chuc_danh"),
        agency_name=cells.text("co_quan"),
        is_head=cells.flag("nguoi_dung_dau"),
        council_deputy=cells.flag("dai_bieu_hdnd"),
        start_date=start,
        end_date=end,
    )
    if row.post_kind == PostKind.PARTY:
        if not row.party_post:
            cells.error("chuc_vu_dang", _("Chức vụ Đảng cần ghi rõ chức vụ (ví dụ Bí thư)."))
        if not row.organisation_code:
            cells.error("ma_to_chuc", _("Chức vụ Đảng cần mã tổ chức đảng nơi giữ chức vụ."))
    elif row.post_kind == PostKind.GOVERNMENT and not row.title:
        cells.error("chuc_danh", _("Chức vụ chính quyền, đoàn thể cần ghi chức danh."))
    return row


class PositionImport:
    audit_action: ImportAction = ImportAction.POSITIONS

    def __init__(self, rows: list[PositionRow]) -> None:
        self.rows = rows
        self.cadres: dict[str, Cadre] = {}
        self.cells: dict[int, PartyOrganisation] = {}
        self.organisations: dict[str, PartyOrganisation] = {}
        self.keys: dict[int, PositionKey] = {}

    def _load(self) -> None:
        for chunk in in_chunks({row.cadre_code for row in self.rows}):
            self.cadres.update({cadre.code: cadre for cadre in Cadre.objects.filter(code__in=chunk)})
        for chunk in in_chunks([cadre.pk for cadre in self.cadres.values()]):
            current = Membership.objects.filter(cadre_id__in=chunk, end_date__isnull=True).select_related("cell")
            self.cells.update({membership.cadre_id: membership.cell for membership in current})
        codes = {row.organisation_code for row in self.rows if row.organisation_code}
        for chunk in in_chunks(codes):
            self.organisations.update({org.code: org for org in PartyOrganisation.objects.filter(code__in=chunk)})

    def validate(self, scope: ScopeCheck) -> list[ImportIssue]:
        self._load()
        issues: list[ImportIssue] = []
        first_seen: dict[PositionKey, int] = {}
        for row in self.rows:
            row_issues = self._check_references(row, scope)
            issues += row_issues
            if row_issues or row.start_date is None or not row.post_kind:
                continue
            key = self._key(row)
            self.keys[row.number] = key
            first = first_seen.setdefault(key, row.number)
            if first != row.number:
                message = _("Chức vụ này của đảng viên “%(code)s” bị lặp lại: đã có ở dòng %(row)d.")
                issues.append(ImportIssue(row.number, "ma_dang_vien", message % {"code": row.cadre_code, "row": first}))
        return issues

    def _check_references(self, row: PositionRow, scope: ScopeCheck) -> list[ImportIssue]:
        issues = []
        cadre = self.cadres.get(row.cadre_code)
        if row.cadre_code and cadre is None:
            message = _("Không có đảng viên mã “%(code)s” trong hệ thống; hãy nhập danh sách đảng viên trước.")
            issues.append(ImportIssue(row.number, "ma_dang_vien", message % {"code": row.cadre_code}))
        elif cadre is not None:
            cell = self.cells.get(cadre.pk)
            if cell is None:
                message = _("Đảng viên “%(code)s” chưa sinh hoạt ở chi bộ nào; hãy nhập danh sách đảng viên trước.")
                issues.append(ImportIssue(row.number, "ma_dang_vien", message % {"code": row.cadre_code}))
            elif not scope.allows(cell):
                issues.append(ImportIssue(row.number, "ma_dang_vien", scope.refusal(cell)))
        if row.organisation_code:
            organisation = self.organisations.get(row.organisation_code)
            if organisation is None:
                message = _("Không có tổ chức đảng mã “%(code)s” trong hệ thống.")
                issues.append(ImportIssue(row.number, "ma_to_chuc", message % {"code": row.organisation_code}))
            elif not scope.allows(organisation):
                issues.append(ImportIssue(row.number, "ma_to_chuc", scope.refusal(organisation)))
        return issues

    def _key(self, row: PositionRow) -> PositionKey:
        organisation = self.organisations.get(row.organisation_code)
        if row.start_date is None:
            raise ValueError("a position without a start date has no key")
        return (
            self.cadres[row.cadre_code].pk,
            row.post_kind,
            row.party_post if row.post_kind == PostKind.PARTY else "",
            organisation.pk if organisation is not None else None,
            row.title,
            row.start_date,
        )

    def apply(self, acting_user: User | None) -> ImportResult:
        existing: dict[PositionKey, Position] = {}
        for chunk in in_chunks({key[0] for key in self.keys.values()}):
            for position in Position.objects.filter(cadre_id__in=chunk):
                key = (
                    position.cadre_id,
                    position.post_kind,
                    position.party_post,
                    position.organisation_id,
                    position.title,
                    position.start_date,
                )
                existing[key] = position
        new: list[Position] = []
        updates: list[Position] = []
        for row in self.rows:
            key = self.keys[row.number]
            values = {
                "agency_name": row.agency_name,
                "is_head": row.is_head,
                "council_deputy": row.council_deputy,
                "end_date": row.end_date,
            }
            found = existing.get(key)
            if found is None:
                cadre_id, post_kind, party_post, organisation_id, title, start = key
                new.append(
                    Position(
                        cadre_id=cadre_id,
                        post_kind=post_kind,
                        party_post=party_post,
                        organisation_id=organisation_id,
                        title=title,
                        start_date=start,
                        **values,
                    )
                )
            elif any(getattr(found, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(found, name, value)
                updates.append(found)
        history = {"default_user": acting_user, "default_change_reason": HISTORY_REASON, "batch_size": 1000}
        bulk_create_with_history(new, Position, **history)
        if updates:
            bulk_update_with_history(updates, Position, list(UPDATABLE_FIELDS), **history)
        return ImportResult(created=len(new), updated=len(updates), unchanged=len(self.rows) - len(new) - len(updates))
