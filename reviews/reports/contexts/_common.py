"""What the report kinds share: the portal's language for labels, dates, levels, names, the period and rule set,
who signs, and the moment a report is made.

Everything here goes into the data hash as it comes out, so a change here changes every report kind's hash; but
the print date does not: it goes with the header, outside the hash (see `organisation_period_report`).
"""

import dataclasses
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone, translation

from programmes.models import (
    Cadre,
    PartyOrganisation,
)
from programmes.party_document import SignatureBlock, collective_signature, party_header
from reviews.models import (
    LEVEL_ORDER,
    CellMeeting,
    PeriodKind,
    RatingLevel,
    ReportKind,
    ReviewPeriod,
    RuleSet,
    Verdict,
)
from reviews.reports.kinds import DigitalSigner, ReportData, subject_key

# The abbreviations Party reports use in tables, where the full labels would not fit a column.
LEVEL_SHORT = {
    RatingLevel.EXCELLENT: "HTXSNV",
    RatingLevel.GOOD: "HTTNV",
    RatingLevel.COMPLETED: "HTNV",
    RatingLevel.NOT_COMPLETED: "KHTNV",
}


@contextmanager
def _portal_language() -> Iterator[None]:
    # Labels go into the data hash: they must come out the same from a worker and from a request in English.
    with translation.override(settings.LANGUAGE_CODE):
        yield


def print_moment() -> datetime.datetime:
    """The moment a report is made. Its local day (Asia/Ho_Chi_Minh) is the print date: the header is dated
    that day and every figure "as of" is counted to it."""
    return timezone.now()


def printed_extra(organisation: PartyOrganisation, printed_at: datetime.datetime) -> dict[str, object]:
    """What a report prints of its print date, outside the hashed data: the header dated that day, the footer's
    time, and the "as of" date its figures are counted to. Figures that change with the date (what is
    overdue) are in the data, so a report is made again only when one of them changes: a stored report's
    figures still hold on any later day that returns it."""
    as_of = timezone.localdate(printed_at)
    with _portal_language():
        header = party_header(organisation, as_of)
    return {"header": header, "generated_at": printed_at, "as_of": as_of.isoformat()}


def organisation_period_report(
    kind: ReportKind,
    organisation: PartyOrganisation,
    period: ReviewPeriod,
    template: str,
    data: dict[str, Any],
    printed_at: datetime.datetime,
) -> ReportData:
    """The report of `kind` on an organisation over a period, under the organisation's Party header dated the
    print date (outside the hashed data), signed by the organisation (the block `data["signature"]`)."""
    return ReportData(
        kind=kind,
        subject_key=subject_key(kind, organisation.pk, period),
        title=f"{organisation.name} – {period.title}",
        template=template,
        organisation=organisation,
        period=period,
        data=data,
        extra=printed_extra(organisation, printed_at),
        signer=DigitalSigner.of_block(organisation, data["signature"]),
    )


def _signature(block: SignatureBlock) -> dict[str, str]:
    return {key: str(value) for key, value in dataclasses.asdict(block).items()}


def _collective_signature(organisation: PartyOrganisation, on: datetime.date) -> dict[str, str]:
    """The block of whoever signs for `organisation` on the day `on` (the print date): "T/M CHI BỘ"/"T/M ĐẢNG ỦY",
    secretary or deputy."""
    return _signature(collective_signature(organisation, on))


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def _level(value: str) -> str:
    return str(RatingLevel(value).label) if value else ""


def _short(value: str) -> str:
    return LEVEL_SHORT[RatingLevel(value)] if value else ""


def _verdict(value: str) -> str:
    return str(Verdict(value).label) if value else ""


def _total(general: int | None, task: int | None) -> int | None:
    return general + task if general is not None and task is not None else None


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


def _person(user: User | None) -> str:
    """The name printed for an account: its cadre's name (joined by the selectors), else the account's."""
    if user is None:
        return ""
    try:
        return user.cadre.full_name
    except Cadre.DoesNotExist:
        return user.get_full_name() or user.get_username()


class PeriodData(TypedDict):
    title: str
    kind: str
    covers_from: str | None
    covers_to: str | None


class RuleSetData(TypedDict):
    code: str
    name: str
    regulation: str
    uses_points: bool
    general_points_max: int
    task_points_max: int


class LevelTotal(TypedDict):
    level: str
    short: str
    count: int
    percent: int


class MeetingFacts(TypedDict):
    members_total: int
    members_present: int
    has_quorum: bool
    chaired_by: str
    meeting_secretary: str
    presented_by: str


def _meeting_facts(meeting: CellMeeting) -> MeetingFacts:
    """Who the cell's meeting had present and who led it, as both the member's report and the cell's summary
    print it."""
    return {
        "members_total": meeting.members_total,
        "members_present": meeting.members_present,
        "has_quorum": meeting.has_quorum,
        "chaired_by": meeting.chaired_by,
        "meeting_secretary": meeting.meeting_secretary,
        "presented_by": meeting.presented_by,
    }


def _period_data(period: ReviewPeriod) -> PeriodData:
    return {
        "title": period.title,
        "kind": str(PeriodKind(period.kind).label),
        "covers_from": _iso(period.covers_from),
        "covers_to": _iso(period.covers_to),
    }


def _rule_set_data(rule_set: RuleSet) -> RuleSetData:
    return {
        "code": rule_set.code,
        "name": rule_set.name,
        "regulation": rule_set.regulation,
        "uses_points": rule_set.uses_points,
        "general_points_max": rule_set.general_points_max,
        "task_points_max": rule_set.task_points_max,
    }


def _with_rule_set(period: ReviewPeriod | None, kind: str) -> ReviewPeriod:
    if period is None:
        raise ValueError(f"a {kind} report is made for a review period")
    return ReviewPeriod.objects.select_related("rule_set").get(pk=period.pk)


def _level_totals(results: list[str]) -> list[LevelTotal]:
    return [
        {
            "level": str(level.label),
            "short": LEVEL_SHORT[level],
            "count": results.count(level),
            "percent": _percent(results.count(level), len(results)),
        }
        for level in LEVEL_ORDER
    ]
