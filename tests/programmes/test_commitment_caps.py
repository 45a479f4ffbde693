"""A commitment's publicity cap holds for every signed-in reader, not only on the public pages.

The fixed cast (tests/conftest.py), a third cell of the same grassroots organisation, the ward's own committee
and a second ward's accounts. Alice's programme is published to the Front and the People's Council ("Mặt trận
và HĐND"); of its three commitments she keeps one inside her cell ("Nội bộ chi bộ") and one inside the party
committees ("Nội bộ cấp ủy"). Every persona asks for the page, the printed PDF, the comparison of versions and
each commitment's evidence. The owner's chain (the owner, the confirmer, the cell's secretary and the committee
that decides the owner's review) reads every commitment; everyone else reads by level; the other ward nothing.
"""

import datetime
import typing
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import access
from programmes.action_programmes import publication, services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    ActionProgramme,
    Cadre,
    Commitment,
    ConfirmerRule,
    Evidence,
    Notification,
    Occasion,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    Position,
    ProgressStatus,
    PublicityLevel,
    Role,
)
from programmes.reminders import commitment_reminders_send
from reviews import services as services_reviews
from reviews.models import ReportKind, Review
from reviews.reminders import review_reminders_send
from reviews.reports.produce import report_data, report_produce
from tests.factories import (
    PositionFactory,
    RoleAssignmentFactory,
    UserFactory,
    client_for,
    make_member,
    make_organisation,
)
from tests.programmes.programme_data import TERM_END, TERM_START, commitment_content, make_confirmed, submit
from tests.programmes.test_documents import flowing_text
from tests.publicity.feedback_data import send
from tests.reviews.review_data import open_period, propose, write_and_submit

pytestmark = pytest.mark.django_db

OPEN = "Tổ chức đối thoại với Nhân dân khu phố mỗi quý"
CELL_ONLY = "Kèm cặp đảng viên dự bị của chi bộ về nề nếp sinh hoạt"
COMMITTEE_ONLY = "Rà soát hồ sơ đảng viên chuyển sinh hoạt cho cấp ủy"
EVERY = frozenset({OPEN, CELL_ONLY, COMMITTEE_ONLY})
PARTY = frozenset({OPEN, COMMITTEE_ONLY})
OVERSIGHT = frozenset({OPEN})
# (weight, status, value reached, evidence file): Alice's figures are 68 %, the party's 86 %, the Front's 100 %.
COMMITMENTS = {
    OPEN: (50, ProgressStatus.DONE, "100", "doi-thoai-quy.pdf"),
    CELL_ONLY: (30, ProgressStatus.AT_RISK, "85", "kem-cap-du-bi.pdf"),
    COMMITTEE_ONLY: (20, ProgressStatus.ON_TRACK, "90", "ra-soat-ho-so.pdf"),
}
AMENDED = " (điều chỉnh)"
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def status_of(client: Client, url: str) -> int:
    """A download's status; its file is closed, as a server would once the response is sent."""
    response = client.get(url)
    response.close()
    return response.status_code


def _user(cadre: Cadre) -> User:
    assert cadre.user is not None
    return cadre.user


@dataclass
class Capped:
    programme: ActionProgramme
    commitments: dict[str, Commitment]
    evidence: dict[str, Evidence]


def capped_programme(owner: Cadre, confirmer: User, *, position: Position | None = None) -> Capped:
    """A programme at "Mặt trận và HĐND" with one commitment capped at the cell and one at the committees, each
    with progress and a file; an amendment re-words the two capped ones, so that a comparison has them to show."""
    owner_user = _user(owner)
    programme = services.programme_create(
        owner=owner,
        occasion=Occasion.NEW_DUTY,
        title=f"Chương trình hành động của {owner.full_name}",
        position=position,
        term_start=TERM_START,
        term_end=TERM_END,
        acting_user=owner_user,
    )
    first = programme.versions.get(number=1)
    for statement, (weight, *_rest) in COMMITMENTS.items():
        content = commitment_content(statement=statement, weight=weight)
        services.commitment_add(version=first, content=content, acting_user=owner_user)
    services.programme_confirm(version=submit(programme), publicity_max=PublicityLevel.PUBLIC, acting_user=confirmer)
    publication.consent_give(programme=programme, acting_user=owner_user)
    publication.publicity_set(programme=programme, level=PublicityLevel.OVERSIGHT, acting_user=owner_user)
    commitments = {terms.statement: terms.commitment for terms in first.terms.select_related("commitment")}
    for statement, cap in ((CELL_ONLY, PublicityLevel.CELL), (COMMITTEE_ONLY, PublicityLevel.COMMITTEE)):
        publication.commitment_publicity_set(commitment=commitments[statement], cap=cap, acting_user=owner_user)
    for statement, (_weight, status, value, name) in COMMITMENTS.items():
        progress_report(
            commitment=commitments[statement],
            status=status,
            value_reached=Decimal(value),
            files=[SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")],
            acting_user=owner_user,
        )
    services.amendment_start(programme=programme, reason="Làm rõ hai nội dung riêng", acting_user=owner_user)
    for terms in programme.versions.get(number=2).terms.all():
        if terms.statement != OPEN:
            content = commitment_content(statement=terms.statement + AMENDED, weight=terms.weight)
            services.commitment_update(terms=terms, content=content, acting_user=owner_user)
    services.programme_confirm(
        version=submit(programme, number=2), publicity_max=PublicityLevel.PUBLIC, acting_user=confirmer
    )
    programme.refresh_from_db()
    for commitment in commitments.values():
        commitment.refresh_from_db()
    evidence = {statement: Evidence.objects.get(commitment=commitment) for statement, commitment in commitments.items()}
    return Capped(programme, commitments, evidence)


@dataclass
class People:
    users: dict[str, User]
    alice: Capped
    # A committee member of the grassroots organisation: decided on by the ward's committee, not by their own.
    dung: Capped


@pytest.fixture
def people(cast) -> People:
    cell_c = make_organisation("Chi bộ Khu phố 1C", OrganisationKind.SUBORDINATE_CELL, cast.grassroots)
    committee_two = make_member(cell_c, "committee_two", full_name="Mai Văn Tài")
    PositionFactory(cadre=committee_two, organisation=cast.grassroots, party_post=PartyPost.COMMITTEE_MEMBER)
    ward_head = make_member(cell_c, "ward_head", full_name="Trịnh Thị Hoa")
    PositionFactory(cadre=ward_head, organisation=cast.ward, party_post=PartyPost.SECRETARY)
    ward_standing = make_member(cell_c, "ward_standing", full_name="Lý Văn Khoa")
    PositionFactory(cadre=ward_standing, organisation=cast.ward, party_post=PartyPost.STANDING_MEMBER)

    other_grassroots = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, cast.other_ward)
    other_cell = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, other_grassroots)
    other_member = make_member(other_cell, "other_member")
    other_secretary = make_member(other_cell, "other_secretary")
    PositionFactory(cadre=other_secretary, organisation=other_cell, party_post=PartyPost.SECRETARY)
    other_head = make_member(other_cell, "other_head")
    PositionFactory(cadre=other_head, organisation=other_grassroots, party_post=PartyPost.SECRETARY)

    def role(name: str, kind: str, organisation: PartyOrganisation) -> User:
        user = typing.cast(User, UserFactory(username=name))
        RoleAssignmentFactory(user=user, role=kind, organisation=organisation)
        return user

    users = {
        "owner": _user(cast.member),
        "secretary": _user(cast.secretary),
        "cell_member": _user(make_member(cast.cell_a, "cell_member", full_name="Đặng Thị Giang")),
        "outsider": _user(cast.outsider),
        "committee_staff": _user(cast.committee_staff),
        "head": _user(cast.head),
        "committee_two": _user(committee_two),
        "ward_standing": _user(ward_standing),
        "ward_head": _user(ward_head),
        "org_board": cast.org_board,
        "front": cast.overseer,
        "council": role("council", Role.COUNCIL_OVERSEER, cast.ward),
        "other_member": _user(other_member),
        "other_secretary": _user(other_secretary),
        "other_head": _user(other_head),
        "other_org_board": role("other_org_board", Role.ORG_BOARD_STAFF, cast.other_ward),
        "other_front": role("other_front", Role.FRONT_OVERSEER, cast.other_ward),
        "other_council": role("other_council", Role.COUNCIL_OVERSEER, cast.other_ward),
        "superuser": UserFactory(username="superuser", is_superuser=True, is_staff=True),
    }
    alice = capped_programme(cast.member, _user(cast.secretary))
    # A committee member's programme is confirmed by the secretary of the committee above (DOMAIN 2.3).
    post = Position.objects.get(cadre=cast.committee_staff, organisation=cast.grassroots)
    dung = capped_programme(cast.committee_staff, _user(ward_head), position=post)
    return People(users, alice, dung)


# What each persona reads of Alice's programme; None: not the programme at all (404 everywhere).
ALICE = {
    "owner": EVERY,
    # Her confirmer and the secretary of her cell.
    "secretary": EVERY,
    # A cell reads what is kept inside the cell, and the committee level includes the cell.
    "cell_member": EVERY,
    # The grassroots committee decides the review of a plain member of its cell.
    "committee_staff": EVERY,
    "head": EVERY,
    "committee_two": EVERY,
    # The ward's committee sits above the deciding one: it reads what reaches the party committees.
    "ward_standing": PARTY,
    "ward_head": PARTY,
    "org_board": PARTY,
    "front": OVERSIGHT,
    "council": OVERSIGHT,
    "outsider": None,
    "other_member": None,
    "other_secretary": None,
    "other_head": None,
    "other_org_board": None,
    "other_front": None,
    "other_council": None,
    "superuser": EVERY,
}
# What each persona reads of Dung's programme: a grassroots committee member is decided on by the ward's
# committee, so there the ward's committee keeps the cell-only commitment and the grassroots committee does not.
DUNG = {
    "owner": None,
    "secretary": None,
    "cell_member": None,
    # Cell B: Dung's own cell, which the head of the grassroots organisation also belongs to.
    "outsider": EVERY,
    "head": EVERY,
    "committee_staff": EVERY,
    "committee_two": PARTY,
    "ward_standing": EVERY,
    "ward_head": EVERY,
    "org_board": PARTY,
    "front": OVERSIGHT,
    "council": OVERSIGHT,
    "other_member": None,
    "other_secretary": None,
    "other_head": None,
    "other_org_board": None,
    "other_front": None,
    "other_council": None,
    "superuser": EVERY,
}


def _page(programme: ActionProgramme) -> str:
    return reverse("programmes:programme_detail", args=[programme.pk])


def _pdf(programme: ActionProgramme) -> str:
    return reverse("programmes:programme_pdf", args=[programme.pk])


def _compare(programme: ActionProgramme) -> str:
    return reverse("programmes:version_compare", args=[programme.pk])


def _download(evidence: Evidence) -> str:
    return reverse("programmes:evidence_download", args=[evidence.pk])


# --- The rule, asked directly ------------------------------------------------------------------------------


@pytest.mark.parametrize(("which", "expected"), [("alice", ALICE), ("dung", DUNG)])
def test_each_persona_reads_the_commitments_its_level_or_its_duty_gives(people, which, expected):
    capped: Capped = getattr(people, which)
    for name, user in people.users.items():
        readable = expected[name]
        user = User.objects.get(pk=user.pk)
        assert access.can_view_programme(user, capped.programme) == (readable is not None), name
        if readable is None:
            continue
        reading = access.commitment_reading(user, capped.programme)
        shown = {statement for statement, commitment in capped.commitments.items() if reading.shows(commitment)}
        assert shown == readable, name


def test_whoever_an_amendment_waits_for_keeps_every_commitment_and_so_does_their_successor(cast, people):
    # Alice's amendments go to the ward's secretary, who neither leads her cell nor sits on the deciding committee.
    ConfirmerRule.objects.filter(owner_standing=ConfirmerRule.OwnerStanding.MEMBER).update(
        confirming_body=ConfirmerRule.ConfirmingBody.MANAGING_COMMITTEE
    )
    alice = people.alice
    ward_head = people.users["ward_head"]
    assert not access.commitment_reading(ward_head, alice.programme).shows(alice.commitments[CELL_ONLY])
    services.amendment_start(programme=alice.programme, reason="Bổ sung thời hạn", acting_user=_user(cast.member))
    submit(alice.programme, number=3)

    assert access.commitment_reading(ward_head, alice.programme).shows(alice.commitments[CELL_ONLY])
    # The ward's secretary changes while the amendment waits: the successor confirms what was sent, and the
    # one it was sent to keeps it too.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Position.objects.filter(cadre__user=ward_head, organisation=cast.ward).update(
        start_date=datetime.date(2025, 1, 1), end_date=yesterday
    )
    successor = _user(make_member(cast.cell_b, "ward_head_two", full_name="Tạ Văn Lâm"))
    PositionFactory(cadre=successor.cadre, organisation=cast.ward, party_post=PartyPost.SECRETARY)
    for user in (successor, ward_head):
        reading = access.commitment_reading(User.objects.get(pk=user.pk), alice.programme)
        assert reading.keeps_everything()
        assert reading.shows(alice.commitments[CELL_ONLY])
    # The rest of the ward's committee reads by level.
    assert not access.commitment_reading(people.users["ward_standing"], alice.programme).shows(
        alice.commitments[CELL_ONLY]
    )


def test_the_deciding_committee_is_the_one_the_review_of_the_owners_cell_names(cast, people):
    period = open_period(cast.ward, cast.org_board)
    reviews = Review.objects.filter(period=period).select_related("cadre", "place", "deciding_organisation")
    in_cells = [review for review in reviews if review.place.is_cell]
    assert {review.cadre for review in in_cells} >= {cast.member, cast.committee_staff}
    for review in in_cells:
        lineage = [*PartyOrganisation.objects.get_ancestors(review.place), review.place]
        posts = Position.objects.current().filter(cadre=review.cadre).select_related("organisation")
        leads = access.leads_in_review(posts)
        assert access.deciding_organisation_in(lineage, leads=leads) == review.deciding_organisation, review.cadre


def test_nothing_is_looked_up_while_no_commitment_is_capped_below_its_programme(cast, django_assert_num_queries):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitments = list(Commitment.objects.filter(programme=programme))
    for user in (_user(cast.secretary), cast.org_board, _user(cast.head)):
        access.grants_for(user)
        with django_assert_num_queries(0):
            reading = access.commitment_reading(user, programme)
            assert reading.shows_all(commitments)


def test_a_capped_programme_costs_a_fixed_few_queries_whatever_its_commitments(people, django_assert_num_queries):
    # As the programme page has it: the programme with its owner and organisation, and its versions.
    programme = ActionProgramme.objects.select_related("owner", "organisation").get(pk=people.alice.programme.pk)
    versions = list(programme.versions.all())
    commitments = list(people.alice.commitments.values()) * 5
    front, committee = people.users["front"], people.users["committee_two"]
    for user in (front, committee):
        access.grants_for(user)
    # The owner's cell; then, for a seat on a committee around it, its ancestors and the owner's posts.
    with django_assert_num_queries(1):
        reading = access.commitment_reading(front, programme, versions=versions)
        assert [reading.shows(commitment) for commitment in commitments].count(True) == 5
    with django_assert_num_queries(3):
        reading = access.commitment_reading(committee, programme, versions=versions)
        assert reading.shows_all(commitments)


# --- The programme page, the PDF, the comparison and the evidence --------------------------------------------


@pytest.mark.parametrize("name", list(ALICE))
def test_every_reader_gets_only_their_commitments_on_every_surface(people, name):
    alice = people.alice
    readable = ALICE[name]
    client = client_for(people.users[name])
    page = client.get(_page(alice.programme))
    pdf = client.get(_pdf(alice.programme))
    compare = client.get(_compare(alice.programme))
    downloads = {statement: status_of(client, _download(item)) for statement, item in alice.evidence.items()}

    if readable is None:
        assert [page.status_code, pdf.status_code, compare.status_code] == [404, 404, 404]
        assert set(downloads.values()) == {404}
        return
    assert [page.status_code, pdf.status_code, compare.status_code] == [200, 200, 200]
    printed = flowing_text(pdf.content)
    for statement, (_weight, _status, _value, file_name) in COMMITMENTS.items():
        shown = statement in readable
        assert (statement in page.text) == shown, (statement, "page")
        assert (file_name in page.text) == shown, (file_name, "page")
        assert (statement in printed) == shown, (statement, "pdf")
        assert (statement in compare.text) == shown, (statement, "comparison")
        assert downloads[statement] == (200 if shown else 404), (statement, "evidence")
    # Numbered without a gap, so that a hidden commitment leaves no trace in the numbers.
    assert without_gaps([row.number for row in page.context["rows"]], len(readable))
    assert without_gaps([change.new_number for change in compare.context["changes"]], len(readable))


def without_gaps(numbers: list[str], count: int) -> bool:
    """Numbers "I.1", "I.2", "II.1"…: `count` of them, each section from 1 without a gap, sections I, II… in turn."""
    sections: dict[str, list[int]] = {}
    for number in numbers:
        section, place = number.split(".")
        sections.setdefault(section, []).append(int(place))
    numerals = ["I", "II", "III", "IV", "V", "VI"][: len(sections)]
    in_order = list(sections) == numerals
    return len(numbers) == count and in_order and all(v == list(range(1, len(v) + 1)) for v in sections.values())


@pytest.mark.parametrize(
    ("name", "percent", "changed", "unchanged"),
    [("owner", 68, 2, 1), ("committee_staff", 68, 2, 1), ("org_board", 86, 1, 1), ("front", 100, 0, 1)],
)
def test_totals_and_counts_are_made_of_the_readers_commitments_only(people, name, percent, changed, unchanged):
    alice = people.alice
    client = client_for(people.users[name])
    figures = client.get(_page(alice.programme)).context["figures"]
    assert figures.percent == percent
    assert figures.overdue_count == sum(item.overdue for item in figures.items)
    summary = client.get(_compare(alice.programme)).context["summary"]
    assert (summary.changed, summary.unchanged, summary.added, summary.removed) == (changed, unchanged, 0, 0)
    listed = client.get(reverse("programmes:programme_list"))
    rows = {row.programme.pk: row for row in listed.context["readable_rows"]}
    if name != "owner":
        assert rows[alice.programme.pk].progress.percent == percent


def test_the_grassroots_committee_is_not_the_deciding_one_for_a_committee_member(people):
    dung = people.dung
    text = client_for(people.users["committee_two"]).get(_page(dung.programme)).text
    assert COMMITTEE_ONLY in text
    assert CELL_ONLY not in text
    text = client_for(people.users["ward_standing"]).get(_page(dung.programme)).text
    assert CELL_ONLY in text


def test_the_unit_list_costs_the_same_queries_with_one_or_two_capped_programmes(cast, people):
    front = people.users["front"]
    client = client_for(front)
    client.get(reverse("programmes:programme_list"))
    with CaptureQueriesContext(connection) as two:
        listed = client.get(reverse("programmes:programme_list"))
    assert len(listed.context["readable_rows"]) == 2
    publication.publicity_set(
        programme=people.dung.programme, level=PublicityLevel.COMMITTEE, acting_user=_user(cast.committee_staff)
    )
    with CaptureQueriesContext(connection) as one:
        listed = client.get(reverse("programmes:programme_list"))
    assert len(listed.context["readable_rows"]) == 1
    assert len(one) == len(two)


# --- Notifications, the oversight workspace and the stored reports -------------------------------------------


def test_notifications_quoting_a_programme_go_to_the_owners_chain_only(people):
    chain = {
        people.users["owner"],
        people.users["secretary"],
        people.users["committee_staff"],
        people.users["ward_head"],
    }
    notifications = list(Notification.objects.select_related("recipient"))
    assert notifications
    assert {notification.recipient for notification in notifications} <= chain
    for notification in notifications:
        for statement in (CELL_ONLY, COMMITTEE_ONLY):
            assert statement not in notification.subject + notification.body


def test_the_front_no_longer_reads_a_commitment_once_capped_below_it_on_a_case_about_it(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    owner = _user(cast.member)
    publication.consent_give(programme=programme, acting_user=owner)
    publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=owner)
    assert programme.current_version is not None
    terms = programme.current_version.terms.select_related("commitment").order_by("position")[0]
    case = send(programme, commitment=terms.commitment)
    address = reverse("oversight:case", args=[case.pk])
    assert terms.statement in client_for(cast.overseer).get(address).text

    publication.commitment_publicity_set(commitment=terms.commitment, cap=PublicityLevel.COMMITTEE, acting_user=owner)

    page = client_for(cast.overseer).get(address)
    assert page.status_code == 200
    assert terms.statement not in page.text
    assert "Một nội dung cam kết không còn được công khai" in page.text


def test_a_stored_programme_document_goes_only_to_readers_of_every_commitment(people):
    alice = people.alice
    report, _made = report_produce(ReportKind.PROGRAMME, alice.programme.pk)
    download = reverse("reviews:report_download", args=[report.pk])
    for name, readable in ALICE.items():
        client = client_for(people.users[name])
        expected = 200 if readable == EVERY else 404
        assert status_of(client, download) == expected, name
        listed = [row.report for row in client.get(reverse("reviews:report_list")).context["rows"]]
        # The deciding committee gets it by its link; the list names the owner's chain it can find in one query.
        if name in ("owner", "secretary", "cell_member", "superuser"):
            assert listed == [report], name
        elif expected == 404:
            assert report not in listed, name


def test_a_cell_summary_quotes_no_overdue_commitment_kept_inside_the_cell(cast, people):
    period = open_period(cast.ward, cast.org_board)
    built = report_data(ReportKind.CELL_SUMMARY, cast.cell_a.pk, period)
    quoted = " ".join(row["statement"] for row in built.data["overdue"])
    assert COMMITTEE_ONLY + AMENDED in quoted
    assert CELL_ONLY not in quoted
    # Counted all the same, as her own report counts them: the one kept inside the cell is listed by its number.
    assert "(Nội dung nội bộ chi bộ)" in quoted
    alice = next(row for row in built.data["members"] if row["name"] == cast.member.full_name)
    review = Review.objects.get(period=period, cadre=cast.member, place=cast.cell_a)
    assert alice["overdue"] == report_data(ReportKind.INDIVIDUAL, review.pk).data["figures"]["overdue"] == 2


def test_an_individual_report_goes_to_the_reviews_circle_only(cast, people):
    """The review copies the commitments it judges; its report is read by whoever reads the review (the subject,
    the cell's secretary, the deciding committee and the committees above it, organisation-board staff), never
    by the Front, the People's Council, another member of the cell or anyone of another ward."""
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member, place=cast.cell_a)
    assert {assessment.statement for assessment in review.assessments.all()} >= {CELL_ONLY + AMENDED}
    report, _made = report_produce(ReportKind.INDIVIDUAL, review.pk, period)
    download = reverse("reviews:report_download", args=[report.pk])
    circle = (
        *("owner", "secretary", "committee_staff", "head", "committee_two"),
        *("ward_standing", "ward_head", "org_board", "superuser"),
    )
    for name, user in people.users.items():
        expected = 200 if name in circle else 404
        assert status_of(client_for(user), download) == expected, name


def test_reminders_and_review_hand_offs_quote_a_capped_commitment_only_to_its_readers(
    cast, people, django_capture_on_commit_callbacks
):
    """The morning's commitment reminders and every hand-off of Alice's review: a notification that quotes one of her
    commitments goes only to someone who reads that commitment (her, as it happens), and nobody of the other ward
    hears of any of it."""
    Notification.objects.all().delete()
    deadline = datetime.date(2026, 6, 30)
    with django_capture_on_commit_callbacks(execute=True):
        for today in (deadline - datetime.timedelta(days=7), deadline + datetime.timedelta(days=1)):
            commitment_reminders_send(today)
        period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(review)
    propose(review, _user(cast.secretary))
    services_reviews.decision_make(review=review, level="good", acting_user=_user(cast.committee_staff))
    for ahead in (3, 7):
        review_reminders_send(timezone.localdate() + datetime.timedelta(days=ahead))

    notifications = list(Notification.objects.select_related("recipient"))
    quoting = [n for n in notifications if any(statement in n.subject + n.body for statement in EVERY)]
    assert quoting, "the reminders quote the commitments they are about"
    for notification in notifications:
        reading = access.commitment_reading(User.objects.get(pk=notification.recipient_id), people.alice.programme)
        for statement, commitment in people.alice.commitments.items():
            if statement in notification.subject + notification.body:
                assert reading.shows(commitment), (notification.recipient.username, notification.subject)
    strangers = {name for name in people.users if name.startswith("other_")}
    assert not [n for n in notifications if n.recipient.username in strangers]
