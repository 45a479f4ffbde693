"""Who may download a stored report, and which reports a user may list.

A report is as private as what it prints. The individual report of a review goes to whoever may read
that review (reviews.access): the review's own circle, who judge the commitments copied into it. A
programme's document goes to whoever may read the programme and every one of its commitments
(programmes.access.commitment_reading): the stored file prints them all, so a reader kept from a capped
commitment does not get it and prints the programme page's own PDF instead, which leaves that commitment out.
A cell summary or an organisation roll-up prints the levels of many members, so it goes only to those who
read reviews where the report's organisation lies: the secretary or deputy of that cell, committee members
above it, organisation-board staff of the subtree. Never to overseers, plain members or the public.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from programmes import access
from programmes.access import AnyUser
from reviews.access import _READERS, can_view_review, reviews_visible_to
from reviews.models import Report, ReportKind, Review, ReviewState

ORGANISATION_KINDS = (ReportKind.CELL_SUMMARY, ReportKind.ORGANISATION_ROLLUP)
# Reviews with a result to print, as reviews.reports.batches.planned_items takes them.
REPORTABLE_STATES = (ReviewState.FINAL, ReviewState.APPEALED)


def _is_superuser(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def _reader_grants(user: AnyUser) -> list[access.Grant]:
    return [grant for grant in access.grants_for(user) if grant.persona in _READERS]


def can_download_report(user: AnyUser, report: Report) -> bool:
    if not user.is_authenticated:
        return False
    if _is_superuser(user):
        return True
    if report.kind == ReportKind.INDIVIDUAL:
        return report.review is not None and can_view_review(user, report.review)
    if report.kind == ReportKind.PROGRAMME:
        programme = report.programme
        return (
            programme is not None
            and access.can_view_programme(user, programme)
            and access.commitment_reading(user, programme).shows_all(programme.commitments.all())
        )
    return any(grant.covers(report.organisation) for grant in _reader_grants(user))


def reports_visible_to(user: AnyUser) -> QuerySet[Report]:
    """The reports `user` may download, as one query (the same rule as can_download_report, but for the deciding
    committee, which downloads a programme document with a capped commitment by its link: see
    access.programmes_read_in_full)."""
    queryset = Report.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if _is_superuser(user):
        return queryset
    condition = Q(kind=ReportKind.INDIVIDUAL, review__in=reviews_visible_to(user).values("pk")) | Q(
        kind=ReportKind.PROGRAMME, programme__in=access.programmes_read_in_full(user).values("pk")
    )
    grants = _reader_grants(user)
    if grants:
        covered = Q()
        for grant in grants:
            covered |= grant.as_q("organisation__")
        condition |= Q(kind__in=ORGANISATION_KINDS) & covered
    return queryset.filter(condition)


def get_report_for(user: AnyUser, pk: Any) -> Report:
    """The report if the user may download it; else 404, whether or not it exists."""
    report = (
        Report.objects.select_related("organisation", "period", "review__place", "review__cell", "review__cadre")
        .filter(pk=pk)
        .first()
    )
    if report is None or not can_download_report(user, report):
        raise Http404
    return report


def current_individual_report(review: Review) -> Report | None:
    """The latest individual report of a review, for its page; whoever reads the review may download it."""
    if review.state not in REPORTABLE_STATES:
        return None
    return Report.objects.filter(review=review, kind=ReportKind.INDIVIDUAL, is_current=True).only("pk").first()
