"""The organisation tree: upsert by code, parents before children, moves through treebeard, successions."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programmes.audit_actions import ImportAction
from programmes.models import (
    Membership,
    OrganisationKind,
    OrganisationSuccession,
    PartyOrganisation,
    SuccessionShare,
)
from programmes.models.organisations import CELL_KINDS

from .base import Column, ImportIssue, ImportResult, RowReader, ScopeCheck, Table, choice_lookup, in_chunks, parse_table

COLUMNS = (
    Column(
        "ma_to_chuc", gettext_lazy("Mã tổ chức, duy nhất; lần nhập sau cập nhật theo mã này."), "79-26743-KP1", True
    ),
    Column("ten_to_chuc", gettext_lazy("Tên tổ chức đảng."), "Đảng bộ Khu phố 1", True),
    Column(
        "loai",
        gettext_lazy("Loại tổ chức: mã hoặc tên loại (ví dụ “Chi bộ trực thuộc” hoặc subordinate_cell)."),
        "grassroots_committee",
        True,
    ),
    Column("ma_cap_tren", gettext_lazy("Mã tổ chức cấp trên; để trống nếu là tổ chức gốc."), "79-26743"),
    Column("ma_don_vi_hanh_chinh", gettext_lazy("Mã xã, phường, đặc khu (nếu có)."), "26743"),
    Column("hieu_luc_tu", gettext_lazy("Hiệu lực từ ngày (dd/mm/yyyy)."), "01/07/2025"),
    Column("hieu_luc_den", gettext_lazy("Hiệu lực đến ngày (dd/mm/yyyy); để trống nếu còn hoạt động."), ""),
    Column("ma_tien_than", gettext_lazy("Mã các tổ chức tiền thân, cách nhau bởi dấu “;”."), ""),
)
KINDS = choice_lookup(OrganisationKind)
HISTORY_REASON = "import"
UPDATABLE_FIELDS = ("name", "kind", "admin_area_code", "valid_from", "valid_to")


@dataclass
class OrganisationRow:
    number: int
    code: str
    name: str
    kind: str
    parent_code: str = ""
    admin_area_code: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    # (code, share); share None keeps an existing link's share and makes new links "full".
    predecessors: list[tuple[str, str | None]] = field(default_factory=list)


def parse_rows(table: Table) -> tuple[list[OrganisationRow], list[ImportIssue]]:
    return parse_table(table, _parse_row)


def _parse_row(cells: RowReader) -> OrganisationRow:
    valid_from, valid_to = cells.period("hieu_luc_tu", "hieu_luc_den")
    predecessors = [code.strip() for code in cells.text("ma_tien_than", max_length=4000).split(";")]
    return OrganisationRow(
        number=cells.row.number,
        code=cells.text("ma_to_chuc", required=True, max_length=32),
        name=cells.text("ten_to_chuc", required=True),
        kind=cells.choice("loai", KINDS, required=True),
        parent_code=cells.text("ma_cap_tren", max_length=32),
        admin_area_code=cells.text("ma_don_vi_hanh_chinh", max_length=10),
        valid_from=valid_from,
        valid_to=valid_to,
        predecessors=[(code, None) for code in predecessors if code],
    )


class OrganisationImport:
    """Validate the whole file first; apply only when nothing is wrong."""

    audit_action: ImportAction = ImportAction.ORGANISATIONS

    def __init__(self, rows: list[OrganisationRow]) -> None:
        self.rows = [row for row in rows if row.code]
        self.by_code: dict[str, OrganisationRow] = {}
        self.existing: dict[str, PartyOrganisation] = {}
        self.path_of: dict[str, str] = {}
        self.code_at: dict[str, str] = {}
        self.depth: dict[str, int] = {}

    def _db_parent_code(self, code: str) -> str | None:
        path = self.path_of.get(code)
        if path is None or len(path) <= PartyOrganisation.steplen:
            return None
        return self.code_at[path[: -PartyOrganisation.steplen]]

    def _final_parent(self, code: str) -> str | None:
        row = self.by_code.get(code)
        if row is not None:
            return row.parent_code or None
        return self._db_parent_code(code)

    def _known(self, code: str) -> bool:
        return code in self.by_code or code in self.path_of

    def _load(self) -> None:
        # Code and path of every organisation: cycles can run through organisations not in the file.
        for code, path in PartyOrganisation.objects.values_list("code", "path").iterator(chunk_size=5000):
            self.path_of[code] = path
            self.code_at[path] = code
        for chunk in in_chunks(code for code in {row.code for row in self.rows} if code in self.path_of):
            self.existing.update({org.code: org for org in PartyOrganisation.objects.filter(code__in=chunk)})

    def validate(self, scope: ScopeCheck) -> list[ImportIssue]:
        self._load()
        issues: list[ImportIssue] = []
        for row in self.rows:
            first = self.by_code.setdefault(row.code, row)
            if first is not row:
                issues.append(
                    ImportIssue(
                        row.number,
                        "ma_to_chuc",
                        _("Mã tổ chức “%(code)s” bị trùng: đã có ở dòng %(row)d.")
                        % {"code": row.code, "row": first.number},
                    )
                )
        for row in self.rows:
            issues += self._check_references(row)
        if issues:
            return issues
        for row in self.rows:
            issues += self._check_cycle(row)
        if issues:
            return issues
        for row in self.rows:
            issues += self._check_scope(row, scope) + self._check_kind_change(row)
        return issues

    def _check_references(self, row: OrganisationRow) -> list[ImportIssue]:
        issues = []
        if row.parent_code and not self._known(row.parent_code):
            issues.append(
                ImportIssue(
                    row.number,
                    "ma_cap_tren",
                    _("Không có tổ chức cấp trên mã “%(code)s” trong tệp hoặc trong hệ thống.")
                    % {"code": row.parent_code},
                )
            )
        for code, _share in row.predecessors:
            if code == row.code:
                issues.append(
                    ImportIssue(row.number, "ma_tien_than", _("Một tổ chức không thể là tiền thân của chính nó."))
                )
            elif not self._known(code):
                issues.append(
                    ImportIssue(
                        row.number,
                        "ma_tien_than",
                        _("Không có tổ chức tiền thân mã “%(code)s” trong tệp hoặc trong hệ thống.") % {"code": code},
                    )
                )
        return issues

    def _check_cycle(self, row: OrganisationRow) -> list[ImportIssue]:
        chain = [row.code]
        seen = {row.code}
        current = self._final_parent(row.code)
        while current is not None:
            if current == row.code:
                loop = " → ".join([*chain, current])
                message = _("Cấp trên tạo thành vòng lặp: %(loop)s. Một tổ chức không thể nằm dưới chính nó.")
                return [ImportIssue(row.number, "ma_cap_tren", message % {"loop": loop})]
            if current in seen:
                # A loop that does not pass through this row; it is reported on its own rows.
                return []
            chain.append(current)
            seen.add(current)
            current = self._final_parent(current)
        self.depth[row.code] = len(chain)
        return []

    def _check_scope(self, row: OrganisationRow, scope: ScopeCheck) -> list[ImportIssue]:
        existing = self.existing.get(row.code)
        if existing is not None and not scope.allows(existing):
            return [ImportIssue(row.number, "ma_to_chuc", scope.refusal(existing))]
        moved = existing is None or self._db_parent_code(row.code) != (row.parent_code or None)
        if not moved:
            return []
        if not row.parent_code:
            if scope.allows_new_root():
                return []
            message = _("Chỉ quản trị hệ thống được tạo hoặc chuyển tổ chức thành tổ chức gốc (không có cấp trên).")
            return [ImportIssue(row.number, "ma_cap_tren", message)]
        if row.parent_code in self.by_code:
            # A parent created or moved by this file is checked on its own row.
            return []
        parent = PartyOrganisation.objects.get(code=row.parent_code)
        return [] if scope.allows(parent) else [ImportIssue(row.number, "ma_cap_tren", scope.refusal(parent))]

    def _check_kind_change(self, row: OrganisationRow) -> list[ImportIssue]:
        existing = self.existing.get(row.code)
        if existing is None or existing.kind not in CELL_KINDS or row.kind in CELL_KINDS:
            return []
        if not Membership.objects.filter(cell=existing, end_date__isnull=True).exists():
            return []
        message = _("Chi bộ “%(code)s” đang có đảng viên sinh hoạt nên không thể đổi sang loại không phải chi bộ.")
        return [ImportIssue(row.number, "loai", message % {"code": row.code})]

    def apply(self, acting_user: User | None) -> ImportResult:
        result = ImportResult()
        created: dict[str, PartyOrganisation] = {}
        changed: set[str] = set()
        for row in sorted(self.rows, key=lambda r: self.depth[r.code]):
            existing = self.existing.get(row.code)
            if existing is None:
                created[row.code] = self._create(row, acting_user)
            else:
                changed |= self._move_if_needed(row, existing)
                if any(getattr(existing, name) != getattr(row, name) for name in UPDATABLE_FIELDS):
                    changed.add(row.code)
        self._save_changes(changed, acting_user)
        changed |= self._link_predecessors(acting_user) - set(created)
        result.created = len(created)
        result.updated = len(changed)
        result.unchanged = len(self.rows) - result.created - result.updated
        return result

    def _organisation(self, code: str) -> PartyOrganisation:
        return PartyOrganisation.objects.get(code=code)

    def _create(self, row: OrganisationRow, acting_user: User | None) -> PartyOrganisation:
        node = PartyOrganisation(code=row.code, **{name: getattr(row, name) for name in UPDATABLE_FIELDS})
        # Read by simple-history's post_save handler, so the history row names who imported it.
        node._history_user = acting_user
        node._change_reason = HISTORY_REASON
        if not row.parent_code:
            return PartyOrganisation.objects.add_root(instance=node)
        return PartyOrganisation.objects.add_child(self._organisation(row.parent_code), instance=node)

    def _move_if_needed(self, row: OrganisationRow, organisation: PartyOrganisation) -> set[str]:
        if self._db_parent_code(row.code) == (row.parent_code or None):
            return set()
        if row.parent_code:
            PartyOrganisation.objects.move(organisation, self._organisation(row.parent_code), "last-child")
        else:
            # After the last root (treebeard's get_last_root_node, which may say None where there is always one: the
            # organisation's own tree).
            last_root = PartyOrganisation.objects.filter(depth=1).latest("path")
            PartyOrganisation.objects.move(organisation, last_root, "last-sibling")
        return {row.code}

    def _save_changes(self, codes: set[str], acting_user: User | None) -> None:
        if not codes:
            return
        # Fetched again: moves rewrote paths, and history rows should record the new ones.
        fresh = list(PartyOrganisation.objects.filter(code__in=codes))
        for organisation in fresh:
            row = self.by_code[organisation.code]
            for name in UPDATABLE_FIELDS:
                setattr(organisation, name, getattr(row, name))
        bulk_update_with_history(
            fresh,
            PartyOrganisation,
            list(UPDATABLE_FIELDS),
            batch_size=500,
            default_user=acting_user,
            default_change_reason=HISTORY_REASON,
        )

    def _link_predecessors(self, acting_user: User | None) -> set[str]:
        """Add missing succession links and correct changed ones; returns the successor codes touched."""
        wanted = [(row, code, share) for row in self.rows for code, share in row.predecessors]
        if not wanted:
            return set()
        codes = {row.code for row, _code, _share in wanted} | {code for _row, code, _share in wanted}
        ids = dict(PartyOrganisation.objects.filter(code__in=codes).values_list("code", "pk"))
        links = {
            (link.predecessor_id, link.successor_id): link
            for link in OrganisationSuccession.objects.filter(
                successor_id__in={ids[row.code] for row, _c, _s in wanted}
            )
        }
        new: dict[tuple[int, int], OrganisationSuccession] = {}
        updated: list[OrganisationSuccession] = []
        touched: set[str] = set()
        for row, code, share in wanted:
            key = (ids[code], ids[row.code])
            link = links.get(key)
            if link is None:
                if key not in new:
                    new[key] = OrganisationSuccession(
                        predecessor_id=key[0],
                        successor_id=key[1],
                        share=share or SuccessionShare.FULL,
                        effective_on=row.valid_from,
                    )
                    touched.add(row.code)
            elif (share is not None and link.share != share) or link.effective_on != row.valid_from:
                link.share = share or link.share
                link.effective_on = row.valid_from
                updated.append(link)
                touched.add(row.code)
        history = {"default_user": acting_user, "default_change_reason": HISTORY_REASON, "batch_size": 500}
        bulk_create_with_history(list(new.values()), OrganisationSuccession, **history)
        if updated:
            bulk_update_with_history(updated, OrganisationSuccession, ["share", "effective_on"], **history)
        return touched
