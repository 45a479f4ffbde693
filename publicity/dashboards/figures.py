"""What one dashboard shows, read from the summary rows of the organisation and of its children only.

A ward's dashboard and the city's read the same few rows (the organisation's own figures, its subtree's, and each
child's subtree), whatever the number of members below them: `refresh` counted them ahead. Each chart comes with the
sentence that says what it shows and the table of its figures.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from programmes import access
from programmes.access import Action, AnyUser
from programmes.models import OrganisationKind, PartyOrganisation
from programmes.models.organisations import in_force_on
from publicity.dashboards.charts import Bar, Chart, Stack, Table, bar_chart, stacked_chart
from publicity.dashboards.refresh import (
    CASE_STATE_FIELDS,
    COUNT_FIELDS,
    LEVEL_FIELDS,
    REVIEW_STATE_FIELDS,
    STATUS_FIELDS,
)
from publicity.models import CaseState, OrganisationSummary
from reviews.models import LEVEL_ORDER, PeriodKind, RatingLevel, ReviewPeriod, ReviewState

Scope = OrganisationSummary.Scope
# A chart of the children shows at most this many (those most behind first); the table below it lists them all.
CHART_CHILDREN = 20
# The review states in the order a review goes through them (the order they are declared in).
PIPELINE = tuple(ReviewState)
ENDED = (ReviewState.FINAL, ReviewState.NOT_RATED)
OPEN_CASES = (CaseState.ACCEPTED, CaseState.FORWARDED)


def count(value: int) -> str:
    """A whole number as the page's language writes it (1.234 in Vietnamese); cheaper than number_format, called
    hundreds of times on the city's page."""
    return f"{value:,}".replace(",", str(get_format("THOUSAND_SEPARATOR")))


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def percent_text(part: int, whole: int) -> str:
    share = percent(part, whole)
    return "–" if share is None else f"{share}%"


def share_table(label_header: str, count_header: str, rows: Sequence[tuple[str, int]], whole: int) -> Table:
    """The data table behind a chart of parts of a whole: each row's count and its share of `whole`."""
    return Table(
        label_header,
        (count_header, _("Tỷ lệ")),
        tuple((label, (count(value), percent_text(value, whole))) for label, value in rows),
    )


@dataclass(frozen=True)
class Link:
    """An organisation above the dashboard's, linked only when the reader may open its dashboard."""

    organisation: PartyOrganisation
    may_open: bool


@dataclass(frozen=True)
class Child:
    organisation: PartyOrganisation
    figures: OrganisationSummary | None

    @property
    def cells(self) -> tuple[str, ...]:
        """The row of the children's table: members, with a confirmed programme, commitments, overdue, reviews with
        a result out of all, cases being handled."""
        figures = self.figures
        if figures is None:
            return ()
        return (
            count(figures.members),
            count(figures.members_with_programme),
            count(figures.commitments),
            count(figures.overdue),
            f"{count(figures.reviews_ended)}/{count(figures.reviews)}",
            count(figures.open_cases),
        )


@dataclass(frozen=True)
class StaffDashboard:
    organisation: PartyOrganisation
    ancestors: list[Link]
    # The organisation's whole subtree, and what is counted in the organisation itself (None when nothing is: a
    # committee's own row holds its leadership's programmes and reviews, and its quota as a deciding body).
    total: OrganisationSummary | None
    own: OrganisationSummary | None
    children: list[Child]
    period: ReviewPeriod | None
    charts: dict[str, Chart]

    @property
    def refreshed_at(self) -> datetime.datetime | None:
        return self.total.refreshed_at if self.total is not None else None

    @property
    def own_row(self) -> Child | None:
        """What is counted in the organisation itself, as a row of its children's table."""
        return Child(self.organisation, self.own) if self.own is not None else None


def _subtree_figures(condition: Q) -> Exists:
    """The organisation's subtree row meets `condition`."""
    rows = OrganisationSummary.objects.filter(condition, organisation=OuterRef("pk"), scope=Scope.SUBTREE)
    return Exists(rows)


def _children(organisation: PartyOrganisation, listed: Q | Exists) -> list[PartyOrganisation]:
    """The organisation's children that `listed` keeps, by name: one query."""
    return list(
        PartyOrganisation.objects.filter(listed, path__startswith=organisation.path, depth=organisation.depth + 1)
        .only("pk", "name", "kind", "path", "depth")
        .order_by("name", "pk")
    )


def _in_force_or_holding_figures() -> Q:
    """The children in force, and those ended that still hold figures (programmes registered there before a merger):
    the city's hundreds of units dissolved in 2025, with nothing left in them, would only hide its wards."""
    in_force = in_force_on(timezone.localdate())
    any_figure = Q(pk__in=[])
    for name in COUNT_FIELDS:
        any_figure |= Q(**{f"{name}__gt": 0})
    return in_force | Q(_subtree_figures(any_figure))


def _summaries(
    organisation: PartyOrganisation, children: list[PartyOrganisation]
) -> dict[tuple[int, str], OrganisationSummary]:
    rows = OrganisationSummary.objects.filter(
        Q(organisation=organisation) | Q(organisation_id__in=[child.pk for child in children], scope=Scope.SUBTREE)
    )
    return {(row.organisation_id, row.scope): row for row in rows}


def _has_figures(row: OrganisationSummary | None) -> bool:
    return row is not None and any(getattr(row, name) for name in COUNT_FIELDS)


def _latest_period(organisation: PartyOrganisation) -> ReviewPeriod | None:
    """The latest period (ad hoc ones apart) opened over the organisation, above it or inside it."""
    over_or_inside = Q(scope__path__in=access.path_and_above(organisation.path)) | Q(
        scope__path__startswith=organisation.path
    )
    periods = ReviewPeriod.objects.exclude(kind=PeriodKind.AD_HOC).filter(over_or_inside)
    return periods.select_related("scope").order_by("-covers_to", "-pk").first()


def staff_dashboard(user: AnyUser, organisation: PartyOrganisation) -> StaffDashboard:
    """The dashboard of `organisation` for a reader allowed its figures (asked by the view): four queries."""
    above = access.path_and_above(organisation.path)[:-1]
    ancestors = list(PartyOrganisation.objects.filter(path__in=above).order_by("depth"))
    children = _children(organisation, _in_force_or_holding_figures())
    rows = _summaries(organisation, children)
    total = rows.get((organisation.pk, Scope.SUBTREE))
    own = rows.get((organisation.pk, Scope.OWN))
    kids = [Child(child, rows.get((child.pk, Scope.SUBTREE))) for child in children]
    return StaffDashboard(
        organisation=organisation,
        ancestors=[Link(node, access.can(user, Action.VIEW_DASHBOARD, node)) for node in ancestors],
        total=total,
        own=own if children and _has_figures(own) else None,
        children=kids,
        period=_latest_period(organisation),
        charts=staff_charts(organisation, total, kids) if total is not None else {},
    )


# --- The staff charts ----------------------------------------------------------------------------------------------


def staff_charts(
    organisation: PartyOrganisation, total: OrganisationSummary, children: Sequence[Child]
) -> dict[str, Chart]:
    charts = {
        "members": members_chart(organisation, total, children),
        "progress": progress_chart("chart-progress", total, prefix="commitments"),
        "deadlines": deadlines_chart(total),
        "levels": levels_chart(total),
        "cases": cases_chart(total),
        "case_ages": case_ages_chart(total),
    }
    if sum(_pipeline(total)):
        charts["reviews"] = reviews_chart(organisation, total, children)
    return charts


Measure = Callable[[OrganisationSummary], float]


def _behind_first(
    children: Sequence[Child], include: Callable[[OrganisationSummary], bool], key: Measure
) -> tuple[list[tuple[Child, OrganisationSummary]], str]:
    """The children with figures to chart, those most behind first, at most CHART_CHILDREN; and the note saying so
    when some are left out of the chart."""
    shown = [(child, child.figures) for child in children if child.figures is not None and include(child.figures)]
    shown.sort(key=lambda pair: (key(pair[1]), pair[0].organisation.name))
    note = ""
    if len(shown) > CHART_CHILDREN:
        note = _(
            "Biểu đồ nêu %(shown)s trên %(total)s tổ chức trực thuộc, các tổ chức có tỷ lệ thấp nhất; bảng số liệu "
            "và bảng các tổ chức trực thuộc dưới đây nêu đủ."
        ) % {"shown": CHART_CHILDREN, "total": len(shown)}
    return shown[:CHART_CHILDREN], note


def members_chart(organisation: PartyOrganisation, total: OrganisationSummary, children: Sequence[Child]) -> Chart:
    rows, note = _behind_first(
        children, lambda figures: figures.members > 0, lambda figures: figures.members_with_programme / figures.members
    )
    if not children:
        rows = [(Child(organisation, total), total)]
    bars = [
        Bar(
            child.organisation.name,
            percent(figures.members_with_programme, figures.members) or 0,
            percent_text(figures.members_with_programme, figures.members),
        )
        for child, figures in rows
    ]
    summary = _(
        "%(with)s trên %(members)s đảng viên (%(share)s) có chương trình hành động đã được xác nhận và đang thực hiện."
    ) % {
        "with": count(total.members_with_programme),
        "members": count(total.members),
        "share": percent_text(total.members_with_programme, total.members),
    }
    if children and rows:
        lowest, figures = rows[0]
        summary += " " + _("Thấp nhất: %(name)s, %(share)s.") % {
            "name": lowest.organisation.name,
            "share": percent_text(figures.members_with_programme, figures.members),
        }
    table = Table(
        _("Tổ chức"),
        (_("Đảng viên"), _("Có chương trình đã xác nhận"), _("Tỷ lệ")),
        tuple(
            (
                child.organisation.name,
                (
                    count(figures.members),
                    count(figures.members_with_programme),
                    percent_text(figures.members_with_programme, figures.members),
                ),
            )
            for child, figures in rows
        ),
    )
    return bar_chart(
        dom_id="chart-members",
        title=_("Tỷ lệ đảng viên có chương trình hành động đã xác nhận"),
        summary=summary,
        bars=bars,
        table=table,
        maximum=100,
        note=note,
    )


def _statuses(figures: OrganisationSummary, prefix: str) -> list[tuple[str, int]]:
    return [(str(status.label), getattr(figures, f"{prefix}_{name}")) for status, name in STATUS_FIELDS.items()]


def _whole(parts: list[tuple[str, int]]) -> int:
    return sum(value for _label, value in parts)


def _share_bars(parts: list[tuple[str, int]]) -> list[Bar]:
    """A bar per part, labelled with its number and its share of the whole."""
    whole = _whole(parts)
    return [
        Bar(label, value, f"{count(value)} ({percent_text(value, whole)})", style=index)
        for index, (label, value) in enumerate(parts)
    ]


def _parts_text(parts: list[tuple[str, int]]) -> str:
    """The parts in words, for a chart's text alternative."""
    return "; ".join(f"{label.lower()} {count(value)}" for label, value in parts)


def progress_chart(dom_id: str, figures: OrganisationSummary, *, prefix: str) -> Chart:
    """The commitments in force by their latest progress status (`prefix`: the staff or the public figures)."""
    statuses = _statuses(figures, prefix)
    whole = _whole(statuses)
    bars = _share_bars(statuses)
    summary = _("%(total)s nội dung cam kết đang thực hiện: %(parts)s.") % {
        "total": count(whole),
        "parts": _parts_text(statuses),
    }
    table = share_table(_("Tình trạng thực hiện"), _("Số nội dung"), statuses, whole)
    return bar_chart(
        dom_id=dom_id,
        title=_("Tiến độ thực hiện các nội dung cam kết"),
        summary=summary,
        bars=bars,
        table=table,
    )


def _deadline_rows(figures: OrganisationSummary, *, public: bool = False) -> list[tuple[str, int]]:
    soon = _("Đến hạn trong %(days)s ngày tới") % {"days": settings.DASHBOARD_DUE_SOON_DAYS}
    if public:
        return [(_("Quá hạn, chưa hoàn thành"), figures.public_overdue), (soon, figures.public_due_soon)]
    return [
        (_("Quá hạn, chưa hoàn thành"), figures.overdue),
        (_("Quá hạn, chưa có minh chứng nào"), figures.overdue_without_evidence),
        (soon, figures.due_soon),
        (
            _("Không báo cáo tiến độ trong %(days)s ngày") % {"days": settings.DASHBOARD_STALLED_DAYS},
            figures.stalled,
        ),
    ]


def deadlines_chart(figures: OrganisationSummary, *, public: bool = False, dom_id: str = "chart-deadlines") -> Chart:
    rows = _deadline_rows(figures, public=public)
    whole = figures.public_commitments if public else figures.commitments
    bars = [Bar(label, value, count(value), style=index) for index, (label, value) in enumerate(rows)]
    summary = _("Trong %(total)s nội dung cam kết đang thực hiện: %(parts)s.") % {
        "total": count(whole),
        "parts": _parts_text(rows),
    }
    table = share_table(_("Chỉ số"), _("Số nội dung"), rows, whole)
    return bar_chart(dom_id=dom_id, title=_("Thời hạn thực hiện"), summary=summary, bars=bars, table=table)


def _pipeline(figures: OrganisationSummary) -> tuple[int, ...]:
    return tuple(getattr(figures, REVIEW_STATE_FIELDS[state]) for state in PIPELINE)


def reviews_chart(organisation: PartyOrganisation, total: OrganisationSummary, children: Sequence[Child]) -> Chart:
    def ended_share(figures: OrganisationSummary) -> float:
        return figures.reviews_ended / figures.reviews

    rows, note = _behind_first(children, lambda figures: sum(_pipeline(figures)) > 0, ended_share)
    stacks = [Stack(_("Toàn %(name)s") % {"name": organisation.name}, _pipeline(total))]
    stacks += [Stack(child.organisation.name, _pipeline(figures)) for child, figures in rows]
    labels = [str(state.label) for state in PIPELINE]
    values = _pipeline(total)
    whole = sum(values)
    summary = _("%(ended)s trên %(total)s bản kiểm điểm đã có kết quả hoặc không xếp loại; %(parts)s.") % {
        "ended": count(sum(getattr(total, REVIEW_STATE_FIELDS[state]) for state in ENDED)),
        "total": count(whole),
        "parts": _parts_text(list(zip(labels, values, strict=True))),
    }
    table = Table(
        _("Tổ chức"),
        (*labels, _("Cộng")),
        tuple((stack.label, (*(count(value) for value in stack.values), count(sum(stack.values)))) for stack in stacks),
    )
    return stacked_chart(
        dom_id="chart-reviews",
        title=_("Tiến độ kiểm điểm, đánh giá, xếp loại của đợt gần nhất"),
        summary=summary,
        series=labels,
        stacks=stacks,
        table=table,
        total_text=count,
        note=note,
    )


def levels_chart(figures: OrganisationSummary) -> Chart:
    levels = [(str(RatingLevel(level).label), getattr(figures, LEVEL_FIELDS[level])) for level in LEVEL_ORDER]
    whole = _whole(levels)
    bars = _share_bars(levels)
    summary = _("%(total)s đảng viên đã có mức xếp loại (đã quyết định hoặc đã có kết quả): %(parts)s.") % {
        "total": count(whole),
        "parts": _parts_text(levels),
    }
    if figures.quota_limited:
        summary += " " + _(
            "Xuất sắc đã quyết định %(excellent)s, tối đa theo tỷ lệ %(allowed)s; %(over)s trên %(bodies)s cấp quyết "
            "định vượt tỷ lệ."
        ) % {
            "excellent": count(figures.quota_excellent),
            "allowed": count(figures.quota_allowed),
            "over": count(figures.quota_over),
            "bodies": count(figures.quota_limited),
        }
    table = share_table(_("Mức xếp loại"), _("Số đảng viên"), levels, whole)
    return bar_chart(
        dom_id="chart-levels", title=_("Kết quả xếp loại so với tỷ lệ"), summary=summary, bars=bars, table=table
    )


def cases_chart(figures: OrganisationSummary) -> Chart:
    states = [(str(state.label), getattr(figures, name)) for state, name in CASE_STATE_FIELDS.items()]
    whole = sum(value for _label, value in states)
    bars = [Bar(label, value, count(value), style=index) for index, (label, value) in enumerate(states)]
    summary = _("%(total)s góp ý, phản ánh của Nhân dân về các chương trình đã được tiếp nhận: %(parts)s.") % {
        "total": count(whole),
        "parts": _parts_text(states),
    }
    table = share_table(_("Trạng thái"), _("Số góp ý, phản ánh"), states, whole)
    return bar_chart(
        dom_id="chart-cases", title=_("Góp ý, phản ánh của Nhân dân"), summary=summary, bars=bars, table=table
    )


def case_ages_chart(figures: OrganisationSummary) -> Chart:
    ages = [
        (_("Đang xử lý, gửi trong 7 ngày qua"), figures.cases_open_week),
        (_("Đang xử lý, gửi từ 8 đến 30 ngày trước"), figures.cases_open_month),
        (_("Đang xử lý, gửi trên 30 ngày trước"), figures.cases_open_older),
        (_("Quá hạn trả lời"), figures.cases_overdue),
    ]
    still_open = sum(getattr(figures, CASE_STATE_FIELDS[state]) for state in OPEN_CASES)
    bars = [Bar(label, value, count(value), style=index) for index, (label, value) in enumerate(ages)]
    summary = _("%(open)s góp ý, phản ánh đang xử lý, %(overdue)s trong số đó đã quá hạn trả lời.") % {
        "open": count(still_open),
        "overdue": count(figures.cases_overdue),
    }
    table = Table(_("Thời gian"), (_("Số góp ý, phản ánh"),), tuple((label, (count(value),)) for label, value in ages))
    return bar_chart(
        dom_id="chart-case-ages",
        title=_("Góp ý, phản ánh đang xử lý theo thời gian"),
        summary=summary,
        bars=bars,
        table=table,
    )


# --- The public area dashboard -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicDashboard:
    area: PartyOrganisation
    total: OrganisationSummary | None
    # The organisations of the area with at least one published programme.
    children: list[Child]
    charts: dict[str, Chart]

    @property
    def refreshed_at(self) -> datetime.datetime | None:
        return self.total.refreshed_at if self.total is not None else None


def public_dashboard(area: PartyOrganisation) -> PublicDashboard:
    """The published figures of a ward or commune and of its organisations: two queries, nothing unpublished (the
    public figures count the public pages' programmes and commitments only)."""
    children = _children(area, _subtree_figures(Q(public_programmes__gt=0)))
    rows = _summaries(area, children)
    total = rows.get((area.pk, Scope.SUBTREE))
    kids = [Child(child, rows.get((child.pk, Scope.SUBTREE))) for child in children]
    charts: dict[str, Chart] = {}
    if total is not None and total.public_commitments:
        charts = {
            "progress": progress_chart("chart-public-progress", total, prefix="public"),
            "deadlines": deadlines_chart(total, public=True, dom_id="chart-public-deadlines"),
        }
    return PublicDashboard(
        area=area,
        total=total,
        children=kids,
        charts=charts,
    )


def is_area(organisation: PartyOrganisation) -> bool:
    """The public dashboards are per ward or commune (the areas of the public pages)."""
    return organisation.kind == OrganisationKind.COMMUNE_COMMITTEE
