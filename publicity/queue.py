"""The oversight body's queue of citizen feedback: the cases an account handles, in one tab (open, overdue, closed,
all), searched by tracking code or the cadre's name without accents, by area, state and kind. The queue's page and
its spreadsheet (publicity.exports) read through here."""

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from programmes.access import AnyUser
from programmes.search import words_condition
from publicity.access import cases_handled_by
from publicity.models import CLOSED_STATES, OPEN_STATES, CaseState, FeedbackCase


def filter_cases(cases: QuerySet[FeedbackCase], filters: dict[str, Any]) -> QuerySet[FeedbackCase]:
    """The cases an account handles (publicity.access.cases_handled_by) narrowed by the queue's search: a tracking
    code typed whole, or the words of the cadre's name (folded, as `ActionProgramme.owner_name_folded` keeps it)."""
    text = (filters.get("q") or "").strip()
    if text:
        cases = cases.filter(
            Q(tracking_code__iexact=text.replace(" ", "")) | words_condition("programme__owner_name_folded", text)
        )
    if filters.get("dia_ban"):
        cases = cases.filter(area__path__startswith=filters["dia_ban"].path)
    if filters.get("trang_thai"):
        cases = cases.filter(state=filters["trang_thai"])
    if filters.get("loai"):
        cases = cases.filter(kind=filters["loai"])
    return cases


def oversight_queue(user: AnyUser, shown: str, filters: dict[str, Any]) -> QuerySet[FeedbackCase]:
    """The cases the user handles in one tab of the queue (open, overdue, closed, all), searched, in its order."""
    cases = filter_cases(cases_handled_by(user), filters).select_related("programme__owner", "area")
    today = timezone.localdate()
    if shown == "closed":
        return cases.filter(state__in=CLOSED_STATES).order_by("-closed_at", "-pk")
    if shown == "all":
        return cases.order_by("-submitted_at", "-pk")
    cases = cases.filter(state__in=OPEN_STATES)
    if shown == "overdue":
        cases = cases.filter(due_on__lt=today)
    # New cases first, then by deadline; a sender who left contact details comes first among equals.
    waiting_first = Case(When(state=CaseState.RECEIVED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return cases.order_by(waiting_first, "due_on", "-identified", "pk")
