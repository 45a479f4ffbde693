"""The oversight body's queue as a spreadsheet: the cases of the tab and search on screen, with what the queue shows
of them. Never the sender's name or contact, which the queue does not show (nor the party side ever sees)."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.exports import ExportList, Selection, batches, register, write_rows
from programmes.exports.lists import checked_filters
from programmes.exports.workbook import Book
from publicity import access, queue
from publicity.feedback_forms import QueueFilterForm
from publicity.models import FeedbackCase


class CasesSelection(Selection):
    def __init__(self, cases: QuerySet[FeedbackCase], filters: dict[str, Any]) -> None:
        self.cases = cases
        self.scope = filters.get("dia_ban")

    def rows(self) -> QuerySet[FeedbackCase]:
        return self.cases

    def write(self, book: Book) -> None:
        headers = [
            _("Mã tra cứu"),
            _("Cán bộ"),
            _("Chương trình"),
            _("Loại"),
            _("Địa bàn"),
            _("Cơ quan giám sát"),
            _("Gửi lúc"),
            _("Hạn trả lời"),
            _("Trạng thái"),
            _("Quá hạn"),
            _("Kết thúc lúc"),
        ]

        def values(case: FeedbackCase) -> list[Any]:
            return [
                case.tracking_code,
                case.programme.owner.full_name,
                case.programme.title,
                case.get_kind_display(),
                case.area.name,
                case.get_body_display(),
                case.submitted_at,
                case.due_on,
                case.get_state_display(),
                _("Có") if case.is_overdue else "",
                case.closed_at,
            ]

        write_rows(book, _("Góp ý, phản ánh"), headers, batches(self.cases), values)


class FeedbackCasesList(ExportList):
    key = "feedback_cases"
    label = gettext_lazy("Góp ý, phản ánh của Nhân dân")
    file_stem = "gop-y-phan-anh"

    def select(self, user: User, parameters: dict[str, str]) -> Selection:
        if not access.can_export_cases(user):
            raise PermissionDenied
        filters = checked_filters(QueueFilterForm(parameters, user=user))
        shown = filters.pop("loc", "") or "open"
        return CasesSelection(queue.oversight_queue(user, shown, filters), filters)


register(FeedbackCasesList())
