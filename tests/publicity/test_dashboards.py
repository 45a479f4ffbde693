"""The organisation dashboards: the figures counted ahead (publicity.dashboards.refresh), whole and after each
change, the pages that read them, who may open which, and what the charts say to someone who cannot see them."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes.progress import progress_report
from programmes.models import (
    CommitmentTerms,
    Membership,
    OrganisationKind,
    PartyOrganisation,
    ProgressStatus,
    Role,
    SummaryMark,
)
from publicity import feedback
from publicity.dashboards import charts
from publicity.dashboards.refresh import COUNT_FIELDS, refresh_all, refresh_marked
from publicity.models import OrganisationSummary
from reviews.models import Review
from tests.factories import (
    RoleAssignmentFactory,
    UserFactory,
    client_for,
    make_member,
    make_members,
    make_organisation,
)
from tests.programmes.programme_data import make_confirmed
from tests.publicity.feedback_data import send
from tests.publicity.public_data import publish
from tests.reviews.review_data import proposed_review

OWN, SUBTREE = OrganisationSummary.Scope.OWN, OrganisationSummary.Scope.SUBTREE


def figures(organisation: PartyOrganisation, scope: str = SUBTREE) -> OrganisationSummary:
    return OrganisationSummary.objects.get(organisation=organisation, scope=scope)


def staff_of(organisation: PartyOrganisation, username: str):
    user = UserFactory(username=username)
    RoleAssignmentFactory(user=user, role=Role.ORG_BOARD_STAFF, organisation=organisation)
    return user


def report_done(programme, position: int = 0) -> None:
    """The owner reports the commitment at `position` done, with a link as its evidence."""
    terms = programme.current_version.terms.order_by("position")[position]
    progress_report(
        commitment=terms.commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        links=["https://motcua.example.vn/so-theo-doi"],
        acting_user=programme.owner.user,
    )


# --- Counting ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_whole_count_gives_each_organisation_its_own_figures_and_each_subtree_their_sum(cast):
    review = proposed_review(cast)  # Ánh's programme confirmed, a period opened over the ward, her review proposed
    programme = review.cadre.programmes.get()
    report_done(programme)
    publish(programme)
    feedback.case_accept(case=send(programme), acting_user=cast.overseer)
    send(programme, address="203.0.113.8")  # not yet taken up by the Front: the party side knows nothing of it

    outcome = refresh_all()

    cell_a = figures(cast.cell_a)
    assert (cell_a.members, cell_a.members_with_programme) == (2, 1)
    # Her two commitments, due on 30/06/2026: one done with evidence, the other overdue without any.
    assert cell_a.commitments == 2
    assert (cell_a.commitments_done, cell_a.commitments_not_started) == (1, 1)
    assert (cell_a.overdue, cell_a.overdue_without_evidence, cell_a.due_soon) == (1, 1, 0)
    assert cell_a.reviews_cell_proposed == 1
    assert cell_a.reviews == Review.objects.filter(cell=cast.cell_a).count()
    assert cell_a.cases_accepted == cell_a.open_cases == cell_a.cases_open_week == 1
    assert (cell_a.public_programmes, cell_a.public_commitments, cell_a.public_done) == (1, 2, 1)
    # The quota belongs to the deciding organisation: the grassroots committee, with the cell's Good proposal.
    grassroots_own = figures(cast.grassroots, OWN)
    assert (grassroots_own.quota_organisations, grassroots_own.quota_good, grassroots_own.quota_excellent) == (1, 1, 0)
    assert grassroots_own.quota_limited == 1 and grassroots_own.quota_allowed == 0

    for organisation in (cast.grassroots, cast.ward, cast.city):
        organisation.refresh_from_db()
        children = PartyOrganisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
        total, own = figures(organisation), figures(organisation, OWN)
        for name in COUNT_FIELDS:
            expected = getattr(own, name) + sum(getattr(figures(child), name) for child in children)
            assert getattr(total, name) == expected, (organisation.name, name)
    city = figures(cast.city)
    assert city.members == Membership.objects.filter(end_date__isnull=True).count() == 5
    assert city.reviews == Review.objects.count()
    assert figures(cast.other_ward).members == 0
    assert outcome.counted == PartyOrganisation.objects.count()
    assert outcome.written == 2 * PartyOrganisation.objects.count()


@pytest.mark.django_db
def test_a_change_marks_its_organisation_and_the_task_counts_it_with_the_sums_above_it_only(
    cast, django_capture_on_commit_callbacks
):
    programme = make_confirmed(cast.member, cast.secretary.user)
    refresh_all()
    SummaryMark.objects.all().delete()
    untouched = figures(cast.cell_b, OWN).refreshed_at
    before = figures(cast.city).refreshed_at

    # The service marks the programme's cell; once it commits, the outbox hands the task over (at once in tests).
    with django_capture_on_commit_callbacks(execute=True):
        report_done(programme)

    assert not SummaryMark.objects.exists()
    assert figures(cast.cell_a).commitments_done == figures(cast.city).commitments_done == 1
    assert figures(cast.city).refreshed_at > before
    assert figures(cast.cell_b, OWN).refreshed_at == untouched
    # Asked again with nothing marked, the task finds nothing to count.
    assert refresh_marked() is None


@pytest.mark.django_db
def test_the_first_change_of_a_new_portal_counts_the_whole_tree(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_confirmed(cast.member, cast.secretary.user)

    # Not only the marked cell: the sums above it need every organisation's own figures.
    assert figures(cast.city).members == 5
    assert OrganisationSummary.objects.count() == 2 * PartyOrganisation.objects.count()


@pytest.mark.django_db
def test_a_mark_left_by_a_failed_count_is_put_back_for_the_next(cast, monkeypatch):
    SummaryMark.objects.create(organisation=cast.cell_a)

    def broken(*_args):
        raise RuntimeError("database gone")

    monkeypatch.setattr("publicity.dashboards.refresh._own_counts", broken)
    with pytest.raises(RuntimeError):
        refresh_marked()

    assert list(SummaryMark.objects.values_list("organisation", "subtree")) == [(cast.cell_a.pk, False)]


@pytest.mark.django_db
def test_an_opened_period_marks_its_whole_scope(cast, django_capture_on_commit_callbacks):
    refresh_all()
    with django_capture_on_commit_callbacks(execute=True):
        proposed_review(cast)

    assert figures(cast.ward).reviews == Review.objects.filter(cell__path__startswith=cast.ward.path).count() > 0
    assert figures(cast.cell_b).reviews_self_drafting == Review.objects.filter(cell=cast.cell_b).count()


@pytest.mark.django_db
def test_stalled_and_due_soon_follow_their_settings(cast, settings):
    programme = make_confirmed(cast.member, cast.secretary.user)
    version = programme.current_version
    assert version is not None
    version.confirmed_at = timezone.now() - datetime.timedelta(days=61)
    version.save(update_fields=["confirmed_at"])
    soon = timezone.localdate() + datetime.timedelta(days=20)
    CommitmentTerms.objects.filter(version=version, position=1).update(deadline=soon)

    refresh_all()
    assert (figures(cast.cell_a).stalled, figures(cast.cell_a).due_soon) == (2, 1)

    settings.DASHBOARD_STALLED_DAYS = 90
    settings.DASHBOARD_DUE_SOON_DAYS = 10
    refresh_all()
    assert (figures(cast.cell_a).stalled, figures(cast.cell_a).due_soon) == (0, 0)


@pytest.mark.django_db
def test_unpublished_and_capped_commitments_stay_out_of_the_public_figures(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    refresh_all()
    assert figures(cast.ward).public_programmes == figures(cast.ward).public_commitments == 0
    assert figures(cast.ward).commitments == 2

    publish(programme)
    first = CommitmentTerms.objects.filter(version=programme.current_version_id).order_by("position")[0].commitment
    first.publicity_cap = 3
    first.save(update_fields=["publicity_cap"])
    refresh_all()
    assert (figures(cast.ward).public_programmes, figures(cast.ward).public_commitments) == (1, 1)


# --- Who opens which dashboard -------------------------------------------------------------------------------------


def _status(user, organisation: PartyOrganisation) -> int:
    return client_for(user).get(reverse("dashboards:organisation", args=[organisation.pk])).status_code


@pytest.mark.django_db
def test_two_wards_each_staff_reads_its_own_ward_and_is_refused_the_other(cast):
    refresh_all()
    other_staff = staff_of(cast.other_ward, "bantochuc_saigon")

    assert _status(cast.org_board, cast.ward) == 200
    assert _status(cast.org_board, cast.cell_b) == 200
    assert _status(other_staff, cast.ward) == 403
    assert _status(other_staff, cast.cell_a) == 403
    assert _status(other_staff, cast.other_ward) == 200
    assert _status(cast.org_board, cast.other_ward) == 403
    assert _status(cast.org_board, cast.city) == 403


@pytest.mark.django_db
def test_a_cell_secretary_sees_the_cell_only(cast):
    refresh_all()
    secretary = cast.secretary.user

    assert _status(secretary, cast.cell_a) == 200
    for organisation in (cast.cell_b, cast.grassroots, cast.ward, cast.city):
        assert _status(secretary, organisation) == 403, organisation.name
    response = client_for(secretary).get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:organisation", args=[cast.cell_a.pk])


@pytest.mark.django_db
def test_plain_members_overseers_and_visitors_have_no_dashboard(cast):
    for user in (cast.member.user, cast.overseer):
        assert _status(user, cast.cell_a) == 403
        assert client_for(user).get(reverse("dashboards:home")).status_code == 403
    response = client_for(None).get(reverse("dashboards:organisation", args=[cast.cell_a.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert _status(cast.org_board, PartyOrganisation(pk=999_999)) == 404


@pytest.mark.django_db
def test_the_committee_opens_at_its_grassroots_organisation_and_staff_of_two_wards_choose(cast):
    assert client_for(cast.head.user).get(reverse("dashboards:home"))["Location"] == reverse(
        "dashboards:organisation", args=[cast.grassroots.pk]
    )
    both = staff_of(cast.ward, "bantochuc_hai_phuong")
    RoleAssignmentFactory(user=both, role=Role.ORG_BOARD_STAFF, organisation=cast.other_ward)
    page = client_for(both).get(reverse("dashboards:home")).content.decode()
    for ward in (cast.ward, cast.other_ward):
        assert reverse("dashboards:organisation", args=[ward.pk]) in page


@pytest.mark.django_db
def test_the_dashboard_links_up_where_the_reader_may_go_and_down_to_every_child(cast):
    refresh_all()
    page = client_for(cast.head.user).get(reverse("dashboards:organisation", args=[cast.cell_a.pk])).content.decode()
    breadcrumbs = page[page.index('class="breadcrumb"') : page.index("</ol>")]
    assert reverse("dashboards:organisation", args=[cast.grassroots.pk]) in breadcrumbs
    # The head reads the grassroots committee's subtree: the ward above it is named, not linked.
    assert cast.ward.name in breadcrumbs
    assert reverse("dashboards:organisation", args=[cast.ward.pk]) not in breadcrumbs

    page = client_for(cast.org_board).get(reverse("dashboards:organisation", args=[cast.ward.pk])).content.decode()
    children = page[page.index('id="children"') :]
    assert reverse("dashboards:organisation", args=[cast.grassroots.pk]) in children
    assert "Số liệu cập nhật lúc" in page


@pytest.mark.django_db
def test_before_the_first_count_the_page_says_so(cast):
    page = client_for(cast.org_board).get(reverse("dashboards:organisation", args=[cast.ward.pk])).content.decode()
    assert "Chưa có số liệu" in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "<svg" not in main


# --- The same cost at every scale ----------------------------------------------------------------------------------


def _queries(client: Client, organisation: PartyOrganisation) -> int:
    url = reverse("dashboards:organisation", args=[organisation.pk])
    client.get(url)  # the session and the grants are read once on the first request of a browser
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# What a dashboard costs, whatever the number of members below it: the session, the account, its grants (cadre,
# roles), the header's counts, the organisation, those above it (none above the city: no query), its children, their
# summary rows, the latest period.
WARD_QUERIES, CITY_QUERIES = 10, 9


@pytest.mark.django_db
def test_the_ward_and_the_city_dashboard_cost_the_same_queries_with_10_and_1000_members(cast):
    city_staff = staff_of(cast.city, "bantochuc_thanhpho")
    client = client_for(city_staff)
    counts = {}
    for members in (10, 1000):
        make_members(cast.cell_b, members - Membership.objects.filter(cell=cast.cell_b, end_date__isnull=True).count())
        refresh_all()
        assert figures(cast.city).members == Membership.objects.filter(end_date__isnull=True).count()
        counts[members] = (_queries(client, cast.ward), _queries(client, cast.city))

    assert counts[10] == counts[1000] == (WARD_QUERIES, CITY_QUERIES)


# --- Charts --------------------------------------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element's tag and attributes, and the text inside each element that has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes:
            self.text[attributes["id"]] = ""
            self._open.append(attributes["id"])
        else:
            self._open.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data


def _parse(page: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(page)
    return parsed


@pytest.mark.django_db
def test_every_chart_is_an_image_named_by_its_title_described_by_visible_text_and_backed_by_a_data_table(cast):
    review = proposed_review(cast)
    report_done(review.cadre.programmes.get())
    refresh_all()
    page = client_for(cast.org_board).get(reverse("dashboards:organisation", args=[cast.ward.pk])).content.decode()
    parsed = _parse(page)
    drawings = [attributes for tag, attributes in parsed.elements if tag == "svg" and attributes.get("role") == "img"]

    assert len(drawings) == 7  # members, progress, deadlines, reviews, levels, cases, their ages
    for drawing in drawings:
        title_id, summary_id = drawing["aria-labelledby"], drawing["aria-describedby"]
        chart_id = title_id.removesuffix("-title")
        assert parsed.text[title_id].strip(), chart_id
        assert len(parsed.text[summary_id].strip()) > 20, chart_id
        assert ("title", {"id": title_id}) in parsed.elements, chart_id
        table = parsed.text[f"{chart_id}-data"]
        assert "Số liệu của biểu đồ" in table, chart_id
    # The table says in figures what the drawing shows: the progress of the ward's two commitments.
    progress = " ".join(parsed.text["chart-progress-data"].split())
    assert "Hoàn thành 1 50%" in progress and "Chưa bắt đầu 1 50%" in progress
    summary = parsed.text["chart-members-summary"]
    assert "1 trên 5 đảng viên (20%)" in summary


def test_the_colours_meet_wcag_aa_on_white_and_every_series_has_its_own_pattern():
    def luminance(colour: str) -> float:
        channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(colour: str) -> float:
        return 1.05 / (luminance(colour) + 0.05)

    assert all(contrast(style.colour) >= 3 for style in charts.STYLES)  # a graphic on white (WCAG 1.4.11)
    assert contrast(charts.TEXT_COLOUR) >= 4.5 and contrast(charts.EMPTY_COLOUR) >= 3
    assert len({style.pattern for style in charts.STYLES}) == len(charts.STYLES)


def test_a_stacked_chart_parts_its_series_with_patterns_and_names_them_in_a_legend():
    table = charts.Table("Tổ chức", ("A", "B"), (("Chi bộ 1", ("3", "1")),))
    chart = charts.stacked_chart(
        dom_id="thu",
        title="Thử <nghiệm>",
        summary="Ba và một.",
        series=["Đã nộp", "Chưa nộp"],
        stacks=[charts.Stack("Chi bộ 1", (3, 1)), charts.Stack("Chi bộ 2", (0, 0))],
        table=table,
    )
    svg = str(chart.svg)
    assert 'role="img" aria-labelledby="thu-title" aria-describedby="thu-summary"' in svg
    assert '<title id="thu-title">Thử &lt;nghiệm&gt;</title>' in svg
    assert 'fill="url(#thu-pattern-1)"' in svg and '<pattern id="thu-pattern-1"' in svg
    assert ">Đã nộp</text>" in svg and ">Chưa nộp</text>" in svg
    assert "style=" not in svg and "<script" not in svg
    # An empty row is an outlined bar, not nothing.
    assert 'stroke="#6b6b6b"' in svg


# --- The public area dashboard -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_area_dashboard_shows_published_figures_only_and_is_linked_from_the_area_list(cast):
    hidden = make_confirmed(cast.secretary, cast.head.user)  # confirmed, not published
    shown = publish(make_confirmed(cast.member, cast.secretary.user))
    refresh_all()
    url = reverse("publicity:area_dashboard", args=[cast.ward.pk])

    page = Client().get(url).content.decode()
    assert "Số liệu công khai: Đảng bộ phường Bến Thành" in page
    key = page[page.index('class="dashboard-figures"') : page.index("</dl>")]
    assert re.search(r"Chương trình hành động được công khai</dt><dd>1<", key)
    assert re.search(r"Nội dung cam kết được công khai</dt><dd>2<", key)
    assert hidden.title not in page and shown.title not in page  # figures, never a programme
    assert "Đảng bộ Khu phố 1" in page
    assert url in Client().get(reverse("publicity:public_home")).content.decode()
    assert Client().get(reverse("publicity:area_dashboard", args=[cast.cell_a.pk])).status_code == 404
    assert Client().post(url).status_code == 405


@pytest.mark.django_db
def test_the_public_area_dashboard_is_served_from_the_cache_until_the_figures_are_counted_again(
    cast, django_capture_on_commit_callbacks
):
    programme = make_confirmed(cast.member, cast.secretary.user)
    refresh_all()
    url = reverse("publicity:area_dashboard", args=[cast.ward.pk])
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        cached = Client().get(url)
    assert len(queries) == 0 and cached["Cache-Control"] == "public, max-age=300"

    publish(programme)
    assert re.search(r"được công khai</dt><dd>0<", Client().get(url).content.decode())
    # The count, once committed, moves the stamp the cached page is kept under.
    with django_capture_on_commit_callbacks(execute=True):
        refresh_all()
    assert re.search(r"được công khai</dt><dd>1<", Client().get(url).content.decode())


# --- The navigation ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_menu_offers_the_dashboards_to_those_who_may_read_them(cast):
    link = f'href="{reverse("dashboards:home")}"'
    assert link in client_for(cast.secretary.user).get(reverse("programmes:dashboard")).content.decode()
    assert link not in client_for(cast.member.user).get(reverse("programmes:dashboard")).content.decode()


@pytest.mark.django_db
def test_a_committee_counts_its_leadership_s_reviews_itself_and_shows_them_below_its_children(cast):
    proposed_review(cast)
    refresh_all()
    own = figures(cast.grassroots, OWN)
    # The committee member and the head are reviewed in the committee's leadership too (DOMAIN 1.2).
    assert own.reviews == Review.objects.filter(cell=cast.grassroots).count() == 2
    page = client_for(cast.head.user).get(reverse("dashboards:organisation", args=[cast.grassroots.pk]))
    assert "Trực tiếp tại Đảng bộ Khu phố 1" in page.content.decode()


@pytest.mark.django_db
def test_the_city_lists_the_wards_in_force_not_the_units_dissolved_with_nothing_left(cast):
    dissolved = make_organisation(
        "Đảng bộ phường 1, Quận 1 (cũ)",
        OrganisationKind.COMMUNE_COMMITTEE,
        cast.city,
        valid_to=datetime.date(2025, 6, 30),
    )
    merged = make_organisation(
        "Đảng bộ phường 2, Quận 1 (cũ)",
        OrganisationKind.COMMUNE_COMMITTEE,
        cast.city,
        valid_to=datetime.date(2025, 6, 30),
    )
    make_member(make_organisation("Chi bộ khu phố 3 (cũ)", parent=merged), full_name="Lâm Văn Sáu")
    refresh_all()
    page = client_for(staff_of(cast.city, "bantochuc_thanhpho")).get(
        reverse("dashboards:organisation", args=[cast.city.pk])
    )
    children = page.content.decode()[page.content.decode().index('id="children"') :]
    assert cast.ward.name in children and cast.other_ward.name in children
    assert dissolved.name not in children
    # Ended, but a member was left in one of its cells: its figures are shown where they are counted.
    assert merged.name in children
