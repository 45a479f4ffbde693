"""The base app's exportable lists: an organisation's roster, and the programmes (with their commitments) a
staff member reads. Each reads through the list page's own selector and filter form."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access, selectors
from programmes.action_programmes import selectors as programme_selectors
from programmes.action_programmes.filters import ProgrammeFilterForm, filter_programmes
from programmes.action_programmes.progress import programme_progress
from programmes.exports import ExportList, Selection, batches, register, write_rows
from programmes.exports.workbook import Book
from programmes.member_filters import MemberFilterForm, filter_members
from programmes.models import ActionProgramme, Membership, PartyOrganisation
from programmes.search import ListFilterForm, OrganisationFilterField


def checked_filters(form: ListFilterForm) -> dict[str, Any]:
    """The form's filters for an export. An organisation outside the list's scope is refused (403), not dropped:
    the person asked for a list they may not have. Any other bad value is dropped, as the list on screen drops it."""
    form.is_valid()
    if any(isinstance(form.fields[name], OrganisationFilterField) for name in form.errors):
        raise PermissionDenied(_("Tổ chức trong bộ lọc không thuộc phạm vi của đồng chí."))
    return form.filters() if not form.errors else {}


def object_id(parameters: dict[str, str]) -> int:
    """The id of the object a list is about (its organisation, its period), as its address carries it."""
    value = parameters.get("id", "")
    if not value.isdigit():
        raise Http404
    return int(value)


# --- An organisation's roster ------------------------------------------------------------------------------------


class MembersSelection(Selection):
    def __init__(self, organisation: PartyOrganisation, memberships: QuerySet[Membership]) -> None:
        self.scope = organisation
        self.memberships = memberships

    def rows(self) -> QuerySet[Membership]:
        return self.memberships

    def write(self, book: Book) -> None:
        # The columns of the roster on the organisation's page: no private detail, which the roster does not show.
        headers = [_("Họ và tên"), _("Chi bộ"), _("Loại đảng viên"), _("Tình trạng sinh hoạt"), _("Chức vụ")]
        write_rows(book, _("Danh sách đảng viên"), headers, batches(self.memberships), _member_values)


def _member_values(membership: Membership) -> list[Any]:
    positions = getattr(membership.cadre, "current_positions", [])
    return [
        membership.cadre.full_name,
        membership.cell.name,
        membership.get_member_type_display(),
        membership.get_status_display(),
        "; ".join(position.display_title for position in positions),
    ]


class MembersList(ExportList):
    key = "members"
    label = gettext_lazy("Danh sách đảng viên")
    file_stem = "danh-sach-dang-vien"

    def select(self, user: User, parameters: dict[str, str]) -> Selection:
        organisation = PartyOrganisation.objects.filter(pk=object_id(parameters)).first()
        if organisation is None:
            raise Http404
        if not access.can_export_members(user, organisation):
            raise PermissionDenied
        filters = checked_filters(MemberFilterForm(parameters, organisation=organisation))
        return MembersSelection(organisation, filter_members(selectors.members_of(organisation), filters))


# --- The programmes a staff member reads, and their commitments ----------------------------------------------------


class ProgrammesSelection(Selection):
    def __init__(self, user: User, programmes: QuerySet[ActionProgramme], scope: PartyOrganisation | None) -> None:
        self.user = user
        self.programmes = programmes
        self.scope = scope

    def rows(self) -> QuerySet[ActionProgramme]:
        return self.programmes

    def write(self, book: Book) -> None:
        programmes = book.sheet(
            _("Chương trình"),
            [
                _("Người lập"),
                _("Chức vụ, chức danh"),
                _("Tổ chức đảng"),
                _("Tên chương trình"),
                _("Lý do lập chương trình"),
                _("Thực hiện từ ngày"),
                _("Đến ngày"),
                _("Trạng thái"),
                _("Tiến độ chung (%)"),
                _("Số cam kết quá hạn"),
            ],
        )
        commitments = book.sheet(
            _("Cam kết"),
            [
                _("Người lập"),
                _("Tên chương trình"),
                _("Thứ tự"),
                _("Nhóm nội dung"),
                _("Nội dung cam kết"),
                _("Chỉ tiêu đo lường"),
                _("Đơn vị tính"),
                _("Giá trị cam kết"),
                _("Thời hạn hoàn thành"),
                _("Trọng số"),
                _("Tình trạng thực hiện"),
                _("Giá trị đạt được"),
                _("Tiến độ (%)"),
                _("Quá hạn"),
            ],
        )
        for batch in batches(self.programmes):
            # A commitment the owner capped below this reader is left out, as on the page: one reading per batch.
            readings = access.CommitmentReadings(self.user, batch)
            for programme in batch:
                version = programme.current_version
                if version is None:
                    continue
                progress = programme_progress(version, terms=readings.of(programme).terms(version.terms.all()))
                programmes.append(
                    [
                        programme.owner.full_name,
                        programme.position_title,
                        programme.organisation_name,
                        programme.title,
                        programme.get_occasion_display(),
                        programme.term_start,
                        programme.term_end,
                        programme.get_state_display(),
                        progress.percent,
                        progress.overdue_count,
                    ]
                )
                for item in progress.items:
                    terms = item.terms
                    commitments.append(
                        [
                            programme.owner.full_name,
                            programme.title,
                            terms.position,
                            terms.get_category_display(),
                            terms.statement,
                            terms.indicator,
                            terms.unit,
                            terms.target_value,
                            terms.deadline,
                            terms.weight,
                            item.status_label,
                            item.value_reached,
                            item.percent,
                            _("Có") if item.overdue else "",
                        ]
                    )
            book.advance(len(batch))


class ProgrammesList(ExportList):
    key = "programmes"
    label = gettext_lazy("Chương trình hành động trong phạm vi")
    file_stem = "chuong-trinh-hanh-dong"

    def select(self, user: User, parameters: dict[str, str]) -> Selection:
        if not access.can_export_lists(user):
            raise PermissionDenied
        filters = checked_filters(ProgrammeFilterForm(parameters, user=user))
        programmes = filter_programmes(programme_selectors.programmes_readable_by(user), filters, timezone.localdate())
        return ProgrammesSelection(user, programmes, filters.get("to_chuc"))


register(MembersList(), ProgrammesList())
