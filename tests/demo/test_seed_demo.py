"""The demo data command: deterministic, idempotent, realistic enough, and every demo account works."""

import datetime
import json
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from demo.plan import build_plan
from demo.reviews import REVIEW_PERIOD_TITLE
from programmes import access
from programmes.access import Persona
from programmes.action_programmes.progress import programme_progress
from programmes.action_programmes.quality import check_version
from programmes.action_programmes.selectors import confirmation_queue, terms_prefetch
from programmes.models import (
    ActionProgramme,
    AuditEvent,
    Cadre,
    CadrePrivateDetails,
    Commitment,
    CommitmentTerms,
    Evidence,
    Membership,
    MembershipStatus,
    MemberType,
    Milestone,
    Notification,
    Occasion,
    OrganisationSuccession,
    PartyOrganisation,
    Position,
    PostKind,
    ProgrammeState,
    ProgrammeVersion,
    ProgressReport,
    ProgressStatus,
    RoleAssignment,
    VersionState,
)
from reviews import access as review_access
from reviews.models import (
    CellMeeting,
    CellProposal,
    CommitmentAssessment,
    ConsistencyNote,
    Decision,
    DecisionState,
    RatingLevel,
    ResidenceComment,
    Review,
    ReviewPeriod,
    ReviewState,
)

pytestmark = pytest.mark.django_db

EXPECTED_PERSONAS = {
    "quantri": set(),
    "bantochuc": {Persona.ORG_BOARD_STAFF},
    "mattran": {Persona.FRONT_OVERSEER},
    "hdnd": {Persona.COUNCIL_OVERSEER},
    "dangvien": {Persona.MEMBER},
    "dangvien2": {Persona.MEMBER},
    "dangvien3": {Persona.MEMBER},
    "bithuchibo": {Persona.MEMBER, Persona.CELL_SECRETARY},
    # The secretary of the residential cell where dangvien3 lives, in the other ward.
    "bithukp2": {Persona.MEMBER, Persona.CELL_SECRETARY},
    "capuy": {Persona.MEMBER, Persona.COMMITTEE_MEMBER},
    "bithudangbo": {Persona.MEMBER, Persona.COMMITTEE_HEAD},
    "bithuphuong": {Persona.MEMBER, Persona.COMMITTEE_HEAD},
    # The city secretary's own cell lies outside the demo slice.
    "bithuthanhuy": {Persona.COMMITTEE_HEAD},
}
MODELS: list[type[models.Model]] = [
    PartyOrganisation,
    OrganisationSuccession,
    Cadre,
    CadrePrivateDetails,
    Membership,
    Position,
    RoleAssignment,
    ActionProgramme,
    ProgrammeVersion,
    Commitment,
    CommitmentTerms,
    Milestone,
    ProgressReport,
    Evidence,
    Notification,
    ReviewPeriod,
    Review,
    CommitmentAssessment,
    CellMeeting,
    CellProposal,
    Decision,
]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def state() -> dict:
    return {
        "counts": {model.__name__: model._default_manager.count() for model in MODELS},
        "names": list(Cadre.objects.order_by("code").values_list("code", "full_name")),
        "organisations": list(PartyOrganisation.objects.order_by("path").values_list("code", "name", "path")),
        "ids": list(CadrePrivateDetails.objects.order_by("cadre__code").values_list("citizen_id", flat=True)),
    }


@pytest.mark.postgres
def test_running_twice_leaves_the_same_data():
    first_output = seed()
    first = state()
    second_output = seed()
    assert state() == first
    assert re.search(r"(?<!\d)0 bản ghi mới, 0 bản ghi cập nhật", second_output) is not None
    assert re.search(r"(?<!\d)0 bản ghi mới", first_output) is None
    assert AuditEvent.objects.filter(action="demo.seed").count() == 2


def test_the_slice_is_a_realistic_hcmc_structure_after_july_2025():
    seed()
    assert 280 <= Cadre.objects.count() <= 320
    city = PartyOrganisation.objects.get(code="79")
    assert city.name == "Đảng bộ Thành phố Hồ Chí Minh"
    wards = PartyOrganisation.objects.filter(kind="commune_committee", valid_to__isnull=True)
    assert set(wards.values_list("admin_area_code", flat=True)) == {"26740", "26743", "26737", "27637"}
    ben_thanh = wards.get(admin_area_code="26743")
    assert ben_thanh.name == "Đảng bộ phường Bến Thành"
    formed_from = PartyOrganisation.objects.filter(succession_as_predecessor__successor=ben_thanh)
    assert formed_from.count() == 4
    assert {old.valid_to for old in formed_from} == {datetime.date(2025, 6, 30)}
    assert Membership.objects.filter(status=MembershipStatus.EXEMPT).count() == 1
    assert Membership.objects.filter(status=MembershipStatus.SUSPENDED).count() == 1
    assert 1 <= Membership.objects.filter(member_type=MemberType.PROBATIONARY).count() <= 30
    assert (
        Position.objects.filter(post_kind=PostKind.GOVERNMENT, is_head=True, title__startswith="Chủ tịch").count() == 4
    )
    assert Position.objects.filter(title__startswith="Hiệu trưởng").exists()
    assert Position.objects.filter(title__startswith="Giám đốc Bệnh viện").exists()
    assert Position.objects.filter(title__startswith="Trưởng khu phố").exists()
    for cell in PartyOrganisation.objects.filter(kind__in=["subordinate_cell", "grassroots_cell"]):
        posts = set(cell.positions.filter(post_kind=PostKind.PARTY).values_list("party_post", flat=True))
        assert posts == {"secretary", "deputy_secretary"}, cell
    surnames = [name.split()[0] for name in Cadre.objects.values_list("full_name", flat=True)]
    assert 0.3 <= surnames.count("Nguyễn") / len(surnames) <= 0.5


def test_private_details_are_well_formed():
    seed()
    details = list(CadrePrivateDetails.objects.all())
    assert len(details) == Cadre.objects.count()
    assert all(re.fullmatch(r"079[0-3]\d{8}", d.citizen_id) for d in details)
    assert all(re.fullmatch(r"09\d{8}", d.phone) for d in details)
    assert len({d.citizen_id for d in details}) == len(details)
    for d in details:
        assert d.date_of_birth is not None
        assert d.citizen_id[4:6] == f"{d.date_of_birth.year % 100:02d}"


def test_every_demo_account_logs_in_and_holds_its_personas():
    seed("--password", "mat-khau-demo")
    for username, personas in EXPECTED_PERSONAS.items():
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": "mat-khau-demo"})
        assert response.status_code == 302, username
        user = response.wsgi_request.user
        assert user.is_authenticated and user.username == username
        assert access.personas(user) == personas, username
    assert response.wsgi_request.user.is_superuser is False
    dangvien = Cadre.objects.get(user__username="dangvien")
    bithuchibo = Cadre.objects.get(user__username="bithuchibo")
    cells = [cadre.memberships.get(end_date__isnull=True).cell for cadre in (dangvien, bithuchibo)]
    assert cells[0] == cells[1]


def test_the_password_comes_from_the_environment_and_a_changed_one_is_reset(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "tu-bien-moi-truong")
    output = seed()
    assert "tu-bien-moi-truong" in output
    user = User.objects.get(username="dangvien")
    assert user.check_password("tu-bien-moi-truong")
    seed("--password", "demo-2025")
    user.refresh_from_db()
    assert user.check_password("demo-2025")


def test_no_citizen_id_or_phone_reaches_the_audit_log():
    seed()
    seed()
    logged = json.dumps(list(AuditEvent.objects.values("before", "after", "object_repr")), ensure_ascii=False)
    for citizen_id, phone in CadrePrivateDetails.objects.values_list("citizen_id", "phone"):
        assert citizen_id not in logged
        assert phone not in logged
    assert AuditEvent.objects.filter(action="demo.seed", actor__isnull=True).count() == 2


def test_accounts_option_prints_the_table_and_writes_nothing():
    output = seed("--accounts")
    for username in EXPECTED_PERSONAS:
        assert re.search(rf"^{username}\s", output, re.MULTILINE), username
    assert "Cán bộ Ban Tổ chức" in output
    assert "Đảng bộ phường Bến Thành" in output
    assert not PartyOrganisation.objects.exists()
    assert not AuditEvent.objects.exists()


# --- Action programmes ------------------------------------------------------------------------------------------


def account_of(cadre: Cadre) -> User:
    assert cadre.user is not None
    return cadre.user


def programmes_of(username: str) -> list[ActionProgramme]:
    return list(ActionProgramme.objects.filter(owner__user__username=username).order_by("pk"))


def test_the_demo_has_programmes_in_every_state():
    seed()
    states = Counter(ActionProgramme.objects.values_list("state", flat=True))
    assert states == {
        ProgrammeState.CONFIRMED: 4,
        ProgrammeState.SUBMITTED: 2,
        ProgrammeState.RETURNED: 1,
        ProgrammeState.DRAFT: 1,
        ProgrammeState.WITHDRAWN: 1,
    }
    versions = Counter(ProgrammeVersion.objects.values_list("state", flat=True))
    assert versions == {
        VersionState.CONFIRMED: 4,
        VersionState.SUPERSEDED: 1,
        VersionState.SUBMITTED: 3,
        VersionState.RETURNED: 1,
        # The draft programme, and the correction of the returned one.
        VersionState.DRAFT: 2,
        VersionState.WITHDRAWN: 1,
    }
    ward = PartyOrganisation.objects.get(code="79-26743")
    assert all(
        p.organisation.path.startswith(ward.path) for p in ActionProgramme.objects.select_related("organisation")
    )
    # Everything sent to a confirmer passed the quality check; so does the draft, ready to send.
    for version in ProgrammeVersion.objects.exclude(state=VersionState.WITHDRAWN):
        assert check_version(version) == [], version


def test_each_programme_went_to_the_secretary_the_rule_names_and_never_to_its_owner():
    seed()
    plan = build_plan()
    sent = ProgrammeVersion.objects.exclude(confirmer=None).select_related(
        "programme__owner", "confirming_organisation", "confirmer", "confirmed_by"
    )
    assert sent.count() == 10
    confirmers = {}
    by_owner = {code: slot for slot, code in plan.programme_owners.items()}
    for version in sent:
        owner, body, confirmer = version.programme.owner, version.confirming_organisation, version.confirmer
        assert body is not None and confirmer is not None
        assert confirmer != owner.user
        assert confirmer == access.secretary_user(body)
        assert version.confirmer_title == f"Bí thư {body.name}"
        if version.confirmed_by is not None:
            assert version.confirmed_by == confirmer
        if account_of(owner).username == "bithuchibo":
            assert body.code == "79-26743-TRUONG"
            assert confirmer.username == "bithudangbo"
        else:
            membership = owner.current_membership
            assert membership is not None and body == membership.cell
        if version.number == 1:
            confirmers[by_owner[owner.code]] = confirmer.username
    cell_2_secretary = account_of(
        Position.objects.get(organisation__code="79-26743-TRUONG-02", party_post="secretary").cadre
    )
    assert confirmers == {
        "dangvien": "bithuchibo",
        "bithuchibo": "bithudangbo",
        "toan-1": "bithuchibo",
        "toan-2": "bithuchibo",
        "toan-3": "bithuchibo",
        "van-1": cell_2_secretary.username,
        "van-2": cell_2_secretary.username,
        "van-3": cell_2_secretary.username,
    }


def test_dangvien_has_a_confirmed_programme_with_progress_and_an_overdue_commitment_and_a_draft():
    seed()
    confirmed, draft = programmes_of("dangvien")
    assert (confirmed.occasion, confirmed.state) == (Occasion.NEW_DUTY, ProgrammeState.CONFIRMED)
    assert confirmed.organisation.name == "Chi bộ Tổ Toán - Tin học"
    assert confirmed.current_version_id is not None
    version = ProgrammeVersion.objects.prefetch_related(terms_prefetch()).get(pk=confirmed.current_version_id)
    assert 4 <= len(version.terms.all()) <= 5
    figures = programme_progress(version)
    assert figures.overdue_count >= 1
    assert any(item.status == ProgressStatus.AT_RISK and item.overdue for item in figures.items)
    assert figures.percent is not None and 0 < figures.percent < 100
    reports = ProgressReport.objects.filter(commitment__programme=confirmed)
    assert reports.count() >= 4
    evidence = Evidence.objects.filter(commitment__programme=confirmed)
    assert evidence.count() >= 2
    assert not Evidence.objects.exclude(file="").exists()
    assert all(item.link.startswith("https://") for item in evidence)
    for status in ProgressStatus.needing_evidence():
        for report in reports.filter(status=status):
            assert report.evidence.exists(), report
    assert (draft.occasion, draft.state) == (Occasion.ANNUAL, ProgrammeState.DRAFT)
    assert draft.versions.get().terms.count() == 3


def test_bithuchibo_has_two_versions_waiting_and_a_programme_confirmed_one_level_up():
    seed()
    bithuchibo = User.objects.get(username="bithuchibo")
    queue = list(confirmation_queue(bithuchibo))
    assert [(version.number, version.programme.state) for version in queue] == [
        (2, ProgrammeState.CONFIRMED),
        (1, ProgrammeState.SUBMITTED),
    ]
    assert queue[0].amendment_reason
    (own,) = programmes_of("bithuchibo")
    assert own.position_title == "Bí thư Chi bộ Tổ Toán - Tin học"
    assert own.current_version is not None
    assert own.current_version.number == 2
    assert own.current_version.confirmed_by == User.objects.get(username="bithudangbo")
    assert Notification.objects.filter(recipient=bithuchibo, read_at__isnull=True).count() >= 2
    returned = ActionProgramme.objects.get(state=ProgrammeState.RETURNED)
    version, correction = returned.versions.order_by("number")
    assert (version.state, correction.state, correction.resubmission_of) == (
        VersionState.RETURNED,
        VersionState.DRAFT,
        version,
    )
    assert version.return_reason
    assert version.terms.exclude(return_note="").count() == 1
    assert access.can_view_programme(bithuchibo, returned)


def test_the_other_programme_owners_have_accounts_that_cannot_log_in():
    seed("--password", "mat-khau-demo")
    plan = build_plan()
    owners = list(Cadre.objects.filter(code__in=plan.programme_owners.values()))
    assert len(owners) == 8
    extra = [account_of(cadre) for cadre in owners if account_of(cadre).username not in EXPECTED_PERSONAS]
    extra.append(
        account_of(Position.objects.get(organisation__code="79-26743-TRUONG-02", party_post="secretary").cadre)
    )
    assert len(extra) == 7
    for user in extra:
        assert re.fullmatch(r"dv\d{6}", user.username)
        assert not user.has_usable_password()
        assert not user.is_staff and not user.email
        assert not user.check_password("mat-khau-demo")


def test_a_second_run_creates_no_programme_and_no_event_but_its_own():
    seed()
    counts = {model.__name__: model._default_manager.count() for model in MODELS}
    events = AuditEvent.objects.count()
    seed()
    assert {model.__name__: model._default_manager.count() for model in MODELS} == counts
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").action == "demo.seed"


def test_a_programme_changed_after_seeding_is_left_as_it_is():
    seed()
    programme = ActionProgramme.objects.get(state=ProgrammeState.RETURNED)
    ActionProgramme.objects.filter(pk=programme.pk).update(state=ProgrammeState.WITHDRAWN)
    seed()
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.WITHDRAWN
    assert ActionProgramme.objects.count() == 9


def test_programme_audit_events_carry_no_private_data():
    seed()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "programme.create",
        "commitment.add",
        "programme.submit",
        "programme.return",
        "programme.confirm",
        "programme.amend",
        "commitment.update",
        "programme.withdraw",
        "progress.report",
    } <= actions
    logged = json.dumps(list(AuditEvent.objects.values("before", "after", "object_repr")), ensure_ascii=False)
    for details in CadrePrivateDetails.objects.all():
        assert details.date_of_birth is not None
        for value in (details.citizen_id, details.phone, details.address, details.date_of_birth.isoformat()):
            assert value not in logged


# --- The annual review ------------------------------------------------------------------------------------------

SCHOOL = "Đảng bộ Trường Trung học cơ sở Bến Thành"


def demo_cell_reviews() -> dict[str, Review]:
    """The reviews held in dangvien's cell, by the subject's account name."""
    reviews = Review.objects.filter(place__code="79-26743-TRUONG-01").select_related("cadre__user")
    return {account_of(review.cadre).username: review for review in reviews}


def review_of(slot: str) -> Review:
    code = build_plan().review_subjects[slot]
    return Review.objects.select_related("cadre__user").get(cadre__code=code, place__code="79-26743-TRUONG-01")


def test_the_school_has_its_annual_review_opened_by_the_board_with_reviews_in_every_state():
    seed()
    period = ReviewPeriod.objects.select_related("scope", "rule_set", "opened_by").get()
    assert period.title == REVIEW_PERIOD_TITLE == "Kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm 2026"
    assert (period.scope.name, period.rule_set.code, period.opened_by.username) == (SCHOOL, "366-2025", "bantochuc")
    assert (period.covers_from.isoformat(), period.covers_to.isoformat()) == ("2026-01-01", "2026-12-31")
    # 21 members of the school's three cells, and the school's committee reviews of its 5 committee members.
    assert Review.objects.count() == 26
    assert Review.objects.filter(place__name=SCHOOL).count() == 5
    states = Counter(Review.objects.values_list("state", flat=True))
    assert states == {
        ReviewState.SELF_DRAFTING: 21,
        ReviewState.SELF_SUBMITTED: 2,
        ReviewState.CELL_PROPOSED: 1,
        ReviewState.DECIDED: 1,
        ReviewState.FINAL: 1,
    }
    # The only exempt member of the demo lives in another ward: nobody in the school is left unrated.
    exempt = Membership.objects.select_related("cell").get(status=MembershipStatus.EXEMPT)
    assert not exempt.cell.code.startswith("79-26743-TRUONG")
    moving = Review.objects.exclude(state=ReviewState.SELF_DRAFTING)
    assert {review.place.code for review in moving.select_related("place")} == {"79-26743-TRUONG-01"}


def test_dangviens_review_is_a_draft_prefilled_from_the_confirmed_programme_only():
    seed()
    review = demo_cell_reviews()["dangvien"]
    assert review.state == ReviewState.SELF_DRAFTING
    assert review.deciding_organisation.name == SCHOOL
    assert (review.strengths, review.self_level, review.self_general_points) == ("", "", None)
    confirmed, draft = programmes_of("dangvien")
    assessments = list(review.assessments.order_by("position"))
    assert len(assessments) == 5
    assert {assessment.commitment.programme_id for assessment in assessments} == {confirmed.pk}
    # In the programme's document order, numbered as the programme numbers them: its first section first.
    assert assessments[0].programme_number == "I.1"
    assert assessments[0].statement.startswith("Tham gia đầy đủ 12/12 kỳ sinh hoạt chi bộ thường kỳ")
    assert any(
        assessment.statement.startswith("Bồi dưỡng đội tuyển học sinh giỏi Tin học") for assessment in assessments
    )
    assert not any(assessment.self_verdict or assessment.cell_verdict for assessment in assessments)
    assert not CommitmentAssessment.objects.filter(commitment__programme=draft).exists()
    assert not review.prompts.exists() and not review.inputs.exists()


def test_the_colleagues_reviews_went_through_the_demo_accounts_each_in_their_role():
    seed()
    users = {user.username: user for user in User.objects.filter(username__in=EXPECTED_PERSONAS)}
    by_state = {review.state: review for review in demo_cell_reviews().values()}
    submitted = [review for review in demo_cell_reviews().values() if review.state == ReviewState.SELF_SUBMITTED]
    assert len(submitted) == 2
    for review in submitted:
        assert review.self_submitted_at is not None and review.strengths and review.self_level
        assert review_access.can_record_proposal(users["bithuchibo"], review)

    proposed = by_state[ReviewState.CELL_PROPOSED]
    assert proposed == review_of("toan-3")
    proposal = proposed.proposal
    assert proposal.recorded_by == users["bithuchibo"]
    assert (proposal.level, proposal.general_points, proposal.task_points) == (RatingLevel.COMPLETED, 24, 40)
    assert (
        proposal.votes_for + proposal.votes_against <= proposal.meeting.members_present < proposal.meeting.members_total
    )
    assert review_access.can_decide(users["capuy"], proposed)

    decided = by_state[ReviewState.DECIDED]
    decision = decided.decisions.get()
    assert (decision.state, decision.level, decision.decided_by) == (
        DecisionState.AWAITING_CONFIRMATION,
        RatingLevel.GOOD,
        users["capuy"],
    )
    assert review_access.can_confirm_decision(users["bithudangbo"], decided)
    assert Notification.objects.filter(recipient=users["bithudangbo"], link__endswith=f"/{decided.pk}/").exists()

    final = by_state[ReviewState.FINAL]
    assert final == review_of("toan-1")
    confirmed = final.decisions.get()
    assert confirmed.state == DecisionState.CONFIRMED
    assert confirmed.confirmed_by == users["bithudangbo"]
    assert confirmed.grounds.startswith("Lớp 7A1 có 91% học sinh")
    assert final.final_level == RatingLevel.GOOD
    # Subject, proposer, decider and confirmer: four different people.
    people = {account_of(final.cadre), final.proposal.recorded_by, confirmed.decided_by, confirmed.confirmed_by}
    assert len(people) == 4
    cited = set(confirmed.grounds_assessments.values_list("pk", flat=True))
    assert cited == set(final.assessments.values_list("pk", flat=True)) and len(cited) == 3
    assert confirmed.grounds_evidence.exists()
    assert set(confirmed.grounds_evidence.values_list("commitment__programme__owner", flat=True)) == {final.cadre_id}

    # One meeting of the cell, recorded by its secretary, carries the three proposals.
    meeting = CellMeeting.objects.get()
    assert (meeting.recorded_by, meeting.cell.code) == (users["bithuchibo"], "79-26743-TRUONG-01")
    assert meeting.proposals.count() == 3


def test_the_review_subjects_have_accounts_that_cannot_log_in():
    seed("--password", "mat-khau-demo")
    plan = build_plan()
    assert sorted(plan.review_subjects) == ["toan-1", "toan-2", "toan-3", "toan-4", "toan-5"]
    assert {plan.review_subjects[slot] for slot in ("toan-1", "toan-2", "toan-3")} == {
        plan.programme_owners[slot] for slot in ("toan-1", "toan-2", "toan-3")
    }
    for code in plan.review_subjects.values():
        user = account_of(Cadre.objects.get(code=code))
        assert re.fullmatch(r"dv\d{6}", user.username)
        assert not user.has_usable_password()


def test_nobody_outside_reads_the_demo_reviews():
    seed()
    for username in ("mattran", "hdnd"):
        assert not review_access.reviews_visible_to(User.objects.get(username=username)).exists()
    dangvien = User.objects.get(username="dangvien")
    assert list(review_access.reviews_visible_to(dangvien)) == [demo_cell_reviews()["dangvien"]]
    assert review_access.reviews_visible_to(User.objects.get(username="bantochuc")).count() == 26


def test_a_second_run_opens_no_second_period_and_leaves_a_changed_one_as_it_is():
    seed()
    review = demo_cell_reviews()["dangvien"]
    Review.objects.filter(pk=review.pk).update(strengths="Đã viết trên cổng.")
    events = AuditEvent.objects.filter(action__startswith="review.").count()
    seed()
    assert ReviewPeriod.objects.count() == 1
    assert Review.objects.count() == 26
    assert AuditEvent.objects.filter(action__startswith="review.").count() == events
    review.refresh_from_db()
    assert review.strengths == "Đã viết trên cổng."


def test_review_audit_events_carry_no_private_data():
    seed()
    actions = Counter(AuditEvent.objects.filter(action__startswith="review.").values_list("action", flat=True))
    # The cell explains each verdict the progress record contradicts: how many depends on the day of seeding.
    assert actions.pop("review.consistency_note", 0) == ConsistencyNote.objects.count()
    assert actions == {
        "review.period_open": 1,
        "review.self_save": 5,
        "review.self_submit": 5,
        "review.meeting_record": 1,
        "review.propose": 3,
        "review.decide": 2,
        "review.confirm": 1,
        # The verified citizen feedback case the demo answers, attached to the member's review.
        "review.input_attach": 1,
    }
    logged = json.dumps(
        list(AuditEvent.objects.filter(action__startswith="review.").values("before", "after", "object_repr")),
        ensure_ascii=False,
    )
    for details in CadrePrivateDetails.objects.all():
        assert details.date_of_birth is not None
        for value in (details.citizen_id, details.phone, details.address, details.date_of_birth.isoformat()):
            assert value not in logged


def test_the_school_asks_the_residence_cells_of_its_members_once():
    seed()
    requests = ResidenceComment.objects.select_related("review__cadre", "residence_cell")
    # One per working member of the school reviewed at their cell (Quy định 213-QĐ/TW), each to a quarter's cell.
    assert requests.count() == Review.objects.filter(place__code__startswith="79-26743-TRUONG-").count()
    assert all("-KP" in request.residence_cell.code for request in requests)
    # dangvien3 lives in Phường Sài Gòn: his comment is asked of a cell of the other ward.
    far = requests.get(review__cadre__user__username="dangvien3")
    assert (far.residence_cell.code, far.residence_cell.name) == ("79-26740-KP02", "Chi bộ Khu phố 2")
    ward = PartyOrganisation.objects.get_parent(far.residence_cell)
    assert ward is not None and ward.name == "Đảng bộ phường Sài Gòn"
    seed()
    assert ResidenceComment.objects.count() == requests.count()
