"""What the Front or the People's Council may decide on a case, one decision at a time.

The case page asks "Đồng chí muốn làm gì?" with the decisions open in the case's state, and shows the form of
the one chosen only. The choice travels in the page's address (`?viec=`), so it works without JavaScript: the
question is a GET form, the decision's own form posts to its step as before.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from publicity.models import CaseState, FeedbackCase

CHOICE_PARAMETER = "viec"


@dataclass(frozen=True)
class CaseDecision:
    slug: str
    label: str | Promise
    hint: str | Promise
    # The context key of its form on the case page ("" for accepting, which asks nothing).
    form_name: str
    states: tuple[str, ...]


ACCEPT = CaseDecision(
    "tiep-nhan",
    _("Tiếp nhận góp ý, phản ánh"),
    _("Cán bộ được thông báo (không kèm thông tin người gửi) và có thể gửi ý kiến."),
    "",
    (CaseState.RECEIVED,),
)
FORWARD = CaseDecision(
    "chuyen-xac-minh",
    _("Chuyển cấp ủy quản lý xác minh"),
    _("Cấp ủy quản lý cán bộ xác minh nội dung; cơ quan giám sát vẫn trả lời người gửi."),
    "forward_form",
    (CaseState.ACCEPTED,),
)
ANSWER = CaseDecision(
    "tra-loi",
    _("Ghi kết quả xác minh và trả lời"),
    _("Người gửi xem được trả lời bằng mã tra cứu."),
    "answer_form",
    (CaseState.ACCEPTED, CaseState.FORWARDED),
)
REJECT = CaseDecision(
    "khong-tiep-nhan",
    _("Không tiếp nhận"),
    _("Người gửi xem được lý do bằng mã tra cứu."),
    "reject_form",
    (CaseState.RECEIVED, CaseState.ACCEPTED),
)
DECISIONS = (ACCEPT, FORWARD, ANSWER, REJECT)


def open_decisions(case: FeedbackCase) -> tuple[CaseDecision, ...]:
    return tuple(decision for decision in DECISIONS if case.state in decision.states)


def chosen_decision(case: FeedbackCase, query: Mapping[str, str], refused_form: str = "") -> CaseDecision | None:
    """The decision whose form the page shows: the one whose form was just refused (shown again with its
    errors), else the one asked for in the address, else the only one open; None while there is a choice."""
    for decision in DECISIONS:
        if refused_form and decision.form_name == refused_form:
            return decision
    decisions = open_decisions(case)
    for decision in decisions:
        if query.get(CHOICE_PARAMETER) == decision.slug:
            return decision
    return decisions[0] if len(decisions) == 1 else None
