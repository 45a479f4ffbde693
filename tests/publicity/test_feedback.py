"""Citizen feedback as a case: routing to the oversight body of the area, each step of handling, the cadre's
reply, verified cases joining the cadre's review, the rate limit and the purge of senders' contacts."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from programmes.access import forget_grants
from programmes.models import AuditEvent, Notification, Role
from publicity import access, feedback
from publicity.models import CaseState, FeedbackCase, FeedbackContact, OversightBody, Verification
from reviews.models import InputSource, ReviewInput
from tests.factories import PositionFactory
from tests.publicity.feedback_data import FEEDBACK_TEXT, SENDER, overseer_of, send
from tests.publicity.public_data import make_public, unpublish
from tests.reviews.review_data import open_period

# The locking steps run on PostgreSQL too (stage 2), where row locks and outer joins have rules of their own.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def programme(cast):
    return make_public(cast.member, cast.secretary.user)


@pytest.fixture
def other_front(cast):
    """The Front account of the neighbouring ward."""
    return overseer_of(cast.other_ward, Role.FRONT_OVERSEER, "front_saigon")


def test_a_case_goes_to_the_front_of_the_cadres_ward_never_to_the_cadre(cast, programme):
    before = Notification.objects.filter(recipient=cast.member.user).count()
    case = send(programme)

    assert case.area == cast.ward and case.body == OversightBody.FRONT
    assert case.state == CaseState.RECEIVED and case.identified
    assert send(programme, contact={"phone": "0903 555 123"}).identified  # reachable is enough
    assert not send(programme, contact={"name": "Hạnh"}).identified
    assert len(case.tracking_code) == 11 and feedback.case_by_code(case.tracking_code.lower().replace("-", " ")) == case
    assert case.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert Notification.objects.filter(recipient=cast.overseer, link__contains=str(case.pk)).exists()
    assert Notification.objects.filter(recipient=cast.member.user).count() == before
    assert FeedbackContact.objects.get(case=case).email == SENDER["email"]


def test_the_audit_trail_never_holds_the_senders_contact_nor_address(programme):
    from programmes.audit import current_ip_address

    token = current_ip_address.set("192.0.2.44")  # as the middleware sets it during a request
    try:
        case = send(programme, address="192.0.2.44")
    finally:
        current_ip_address.reset(token)
    event = AuditEvent.objects.get(action="feedback.submit", object_id=str(case.pk))
    assert event.ip_address is None
    stored = str(event.before) + str(event.after) + event.object_repr
    for value in SENDER.values():
        assert value not in stored
    assert FEEDBACK_TEXT not in stored


def test_an_elected_deputy_answers_to_the_peoples_council(cast, programme, other_front):
    PositionFactory(
        cadre=cast.member, post_kind="government", party_post="", title="Đại biểu HĐND phường", council_deputy=True
    )
    council = overseer_of(cast.ward, Role.COUNCIL_OVERSEER, "hdnd")

    case = send(programme)

    assert case.body == OversightBody.COUNCIL
    assert access.can_handle_case(council, case)
    assert not access.can_handle_case(cast.overseer, case)  # the Front of the same ward: another body
    assert list(access.cases_handled_by(council)) == [case]
    assert not access.cases_handled_by(cast.overseer).exists()


def test_feedback_on_an_unpublished_programme_or_a_hidden_commitment_is_refused(cast, programme):
    commitment = programme.commitments.order_by("pk").first()
    commitment.publicity_cap = 3
    commitment.save(update_fields=["publicity_cap"])
    with pytest.raises(ValidationError) as hidden:
        send(programme, commitment=commitment)
    assert "không được công khai" in str(hidden.value)

    unpublish(programme)
    with pytest.raises(ValidationError) as unpublished:
        send(programme)
    assert "không còn được công khai" in str(unpublished.value)
    assert not FeedbackCase.objects.exists()


def test_a_burst_from_one_address_is_refused_beyond_the_limit(programme):
    for _number in range(3):
        send(programme, address="198.51.100.20")

    with pytest.raises(feedback.FeedbackThrottled) as refused:
        send(programme, address="198.51.100.20")

    assert "3 góp ý, phản ánh trong 10 phút" in refused.value.messages[0]
    assert FeedbackCase.objects.count() == 3
    send(programme, address="198.51.100.21")  # another address is not held back
    # Only a keyed digest of the address is kept.
    assert not FeedbackCase.objects.filter(source_digest__contains="198.51").exists()


def test_the_front_accepts_forwards_and_answers_and_the_cadre_replies(cast, programme):
    case = send(programme)
    owner = cast.member.user

    assert not access.cases_for_owner(owner).exists()  # not before the Front takes it up
    feedback.case_accept(case=case, acting_user=cast.overseer)
    assert list(access.cases_for_owner(owner)) == [case]
    assert Notification.objects.filter(recipient=owner, link__contains="y-kien-cua-nhan-dan").count() == 1

    committees = feedback.managing_committees(case)
    assert committees[0] == cast.cell_a and cast.grassroots in committees
    feedback.case_forward(case=case, organisation=cast.grassroots, note="Đề nghị xác minh.", acting_user=cast.overseer)
    assert Notification.objects.filter(recipient=cast.head.user, subject__contains="xác minh").exists()

    feedback.case_reply(case=case, text="Buổi đối thoại đã dời sang tháng 12.", acting_user=owner)
    case = feedback.case_answer(
        case=case,
        verification=Verification.PARTLY,
        answer="Đúng là chưa tổ chức; đã có lịch.",
        acting_user=cast.overseer,
    )

    assert case.state == CaseState.ANSWERED and case.closed_at is not None
    assert case.cadre_reply.startswith("Buổi đối thoại")
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk), action__startswith="feedback.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["feedback.submit", "feedback.accept", "feedback.forward", "feedback.reply", "feedback.answer"]
    with pytest.raises(PermissionDenied):
        feedback.case_reply(case=case, text="Thêm ý kiến", acting_user=owner)  # closed


def test_an_account_of_another_ward_or_the_cadre_cannot_handle_a_case(cast, programme, other_front):
    case = send(programme)
    for outsider in (other_front, cast.member.user, cast.head.user, cast.org_board):
        with pytest.raises(PermissionDenied):
            feedback.case_accept(case=case, acting_user=outsider)
        assert not access.cases_handled_by(outsider).exists()
    # A Front account of the city reaches every ward below it.
    city_front = overseer_of(cast.city, Role.FRONT_OVERSEER)
    assert access.can_handle_case(city_front, case)


def test_a_forward_goes_only_to_a_party_body_managing_the_cadre(cast, programme):
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    with pytest.raises(ValidationError):
        feedback.case_forward(case=case, organisation=cast.cell_b, note="x", acting_user=cast.overseer)
    with pytest.raises(ValidationError):
        feedback.case_forward(case=case, organisation=cast.cell_a, note="  ", acting_user=cast.overseer)


def test_a_rejection_needs_a_reason_and_a_duplicate_names_the_case_it_repeats(cast, programme):
    first, second = send(programme), send(programme)
    with pytest.raises(ValidationError):
        feedback.case_reject(
            case=second, reason="duplicate", note="Trùng.", duplicate_code="", acting_user=cast.overseer
        )
    with pytest.raises(ValidationError):
        feedback.case_reject(case=second, reason="abusive", note=" ", acting_user=cast.overseer)

    rejected = feedback.case_reject(
        case=second,
        reason="duplicate",
        note="Trùng nội dung.",
        duplicate_code=first.tracking_code,
        acting_user=cast.overseer,
    )

    assert rejected.state == CaseState.REJECTED and rejected.duplicate_of == first
    with pytest.raises(ValidationError):
        feedback.case_accept(case=rejected, acting_user=cast.overseer)


def test_a_founded_case_joins_the_open_review_and_an_untrue_one_does_not(cast, programme):
    period = open_period(cast.ward, cast.org_board)
    founded, untrue = send(programme), send(programme)
    for case, verification in ((founded, Verification.TRUE), (untrue, Verification.UNTRUE)):
        feedback.case_accept(case=case, acting_user=cast.overseer)
        feedback.case_answer(case=case, verification=verification, answer="Đã xác minh.", acting_user=cast.overseer)

    entry = ReviewInput.objects.get()
    assert entry.source == InputSource.CITIZEN_FEEDBACK and entry.review.period == period
    assert entry.review.cadre == cast.member
    assert founded.tracking_code in entry.text and "Kết quả xác minh: Đúng." in entry.text
    assert SENDER["email"] not in entry.text and SENDER["name"] not in entry.text
    founded.refresh_from_db()
    assert founded.review_input == entry


def test_a_founded_case_waits_for_the_next_period_then_joins_its_review(cast, programme):
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    feedback.case_answer(case=case, verification=Verification.TRUE, answer="Đúng.", acting_user=cast.overseer)
    assert not ReviewInput.objects.exists()

    open_period(cast.ward, cast.org_board)

    case.refresh_from_db()
    assert case.review_input is not None and case.review_input.review.cadre == cast.member
    open_period(
        cast.ward,
        cast.org_board,
        title="Đợt sau",
        covers_from=datetime.date(2027, 1, 1),
        covers_to=datetime.date(2027, 12, 31),
    )
    assert ReviewInput.objects.count() == 1  # attached once


def test_the_sender_is_emailed_once_when_the_case_is_answered(cast, programme, django_capture_on_commit_callbacks):
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        feedback.case_answer(
            case=case, verification=Verification.UNTRUE, answer="Không đúng.", acting_user=cast.overseer
        )

    to_sender = [message for message in mail.outbox if message.to == [SENDER["email"]]]
    assert len(to_sender) == 1 and case.tracking_code in to_sender[0].body
    assert "Không đúng." not in to_sender[0].body  # the answer is read on the page, by the code
    assert feedback.answer_email_send(case_id=case.pk) is False


def test_contacts_are_purged_after_the_retention_period(cast, programme, settings):
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 30
    closed, still_open = send(programme), send(programme)
    feedback.case_reject(case=closed, reason="off_topic", note="Không liên quan.", acting_user=cast.overseer)

    # The address digests go once the rate limit no longer needs them (a day); the contacts stay.
    assert feedback.contacts_purge(timezone.now() + datetime.timedelta(days=2)) == 0
    assert not FeedbackCase.objects.exclude(source_digest="").exists()
    assert feedback.contacts_purge(timezone.now() + datetime.timedelta(days=29)) == 0
    assert feedback.contacts_purge(timezone.now() + datetime.timedelta(days=31)) == 1

    assert not FeedbackContact.objects.filter(case=closed).exists()
    assert FeedbackContact.objects.filter(case=still_open).exists()
    # A case left unanswered for the retention period past its deadline loses its contact too.
    assert feedback.contacts_purge(timezone.now() + datetime.timedelta(days=30 + 31)) == 1
    assert not FeedbackContact.objects.exists()


def test_an_overseer_reads_programmes_published_to_the_front_in_the_area_and_no_review(cast, programme, other_front):
    from programmes.access import programmes_visible_to
    from reviews.access import reviews_visible_to

    open_period(cast.ward, cast.org_board)
    forget_grants(cast.overseer)
    assert list(programmes_visible_to(cast.overseer)) == [programme]
    assert not programmes_visible_to(other_front).exists()
    assert not reviews_visible_to(cast.overseer).exists()


def test_a_cadre_on_the_front_never_handles_nor_hears_of_a_case_about_themself(cast, programme):
    from tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=cast.member.user, role=Role.FRONT_OVERSEER, organisation=cast.ward)
    forget_grants(cast.member.user)
    before = Notification.objects.filter(recipient=cast.member.user).count()

    case = send(programme)

    assert not access.can_handle_case(cast.member.user, case)
    assert not access.cases_handled_by(cast.member.user).exists()
    assert Notification.objects.filter(recipient=cast.member.user).count() == before
    with pytest.raises(PermissionDenied):
        feedback.case_accept(case=case, acting_user=cast.member.user)


def test_a_case_is_never_forwarded_to_a_body_the_cadre_leads(cast):
    secretary_programme = make_public(cast.secretary, cast.head.user)
    case = send(secretary_programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)

    assert cast.cell_a not in feedback.managing_committees(case)
    with pytest.raises(ValidationError):
        feedback.case_forward(case=case, organisation=cast.cell_a, note="Xác minh", acting_user=cast.overseer)
    feedback.case_forward(case=case, organisation=cast.grassroots, note="Xác minh", acting_user=cast.overseer)


def test_notifications_are_stored_in_the_portals_language_whoever_acts(cast, programme):
    from django.utils import translation

    with translation.override("en"):
        case = send(programme)
    notification = Notification.objects.get(recipient=cast.overseer, link__contains=str(case.pk))
    assert notification.subject.startswith("Góp ý, phản ánh mới") and notification.link.startswith("/giam-sat/")


def test_the_nightly_sweep_attaches_a_case_a_concurrent_opening_missed(cast, programme):
    from publicity.apps import attach_verified_feedback
    from reviews.signals import period_opened

    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    feedback.case_answer(case=case, verification=Verification.TRUE, answer="Đúng.", acting_user=cast.overseer)
    # As if the period opened while the case was being answered: its own attachment saw nothing to attach.
    period_opened.disconnect(dispatch_uid="publicity.attach_verified_feedback")
    try:
        open_period(cast.ward, cast.org_board)
    finally:
        period_opened.connect(attach_verified_feedback, dispatch_uid="publicity.attach_verified_feedback")
    assert not ReviewInput.objects.exists()

    assert feedback.attach_waiting() == 1
    assert feedback.attach_waiting() == 0
    assert ReviewInput.objects.count() == 1


def test_the_steps_views_and_tasks_call_commit_on_their_own(cast, programme):
    """Rejecting, forwarding, replying and the nightly purge are each the outermost transaction: run inside another
    one, they refuse rather than leave their change to be committed (or rolled back) by someone else."""
    case = send(programme)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        feedback.case_reject(case=case, reason="off_topic", note="Không liên quan.", acting_user=cast.overseer)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        feedback.contacts_purge()
    assert FeedbackCase.objects.get(pk=case.pk).state == CaseState.RECEIVED


def test_an_unanswered_case_is_purged_by_the_local_date_of_its_deadline(cast, programme, settings):
    """The answer deadline is a date in Viet Nam; at 18:00 UTC it is already the next day there."""
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 30
    case = send(programme)
    FeedbackCase.objects.filter(pk=case.pk).update(due_on=datetime.date(2026, 1, 10))
    utc = datetime.UTC

    # 9 February 23:00 in Viet Nam: thirty days back is 10 January, the deadline itself.
    assert feedback.contacts_purge(datetime.datetime(2026, 2, 9, 16, 0, tzinfo=utc)) == 0
    # 10 February 01:00 in Viet Nam (still the 9th in UTC): the deadline is thirty days past.
    assert feedback.contacts_purge(datetime.datetime(2026, 2, 9, 18, 0, tzinfo=utc)) == 1
    assert not FeedbackContact.objects.filter(case=case).exists()
