"""The morning reminder of citizen feedback past its answer deadline: to the accounts that handle the case (the
Front of its ward, or of a body above it), the day after the deadline and every week after, once a day; never to the
other ward's Front, to the cadre the case is about, nor for a case already answered."""

import datetime

import pytest
from django.urls import reverse

from programmes.models import Notification, NotificationKind, ReminderLog, Role
from publicity import feedback
from publicity.models import Verification
from publicity.reminders import feedback_reminders_send, overdue_case_pairs
from tests.factories import RoleAssignmentFactory
from tests.publicity.feedback_data import overseer_of, send
from tests.publicity.public_data import make_public

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return send(make_public(cast.member, cast.secretary.user))


def days(number: int) -> datetime.timedelta:
    return datetime.timedelta(days=number)


def test_the_handlers_are_reminded_the_day_after_the_deadline_and_every_week(cast, case):
    city_front = overseer_of(cast.city, Role.FRONT_OVERSEER, "front_city")
    overseer_of(cast.other_ward, Role.FRONT_OVERSEER, "front_saigon")
    overseer_of(cast.ward, Role.COUNCIL_OVERSEER, "council_benthanh")
    handlers = {(cast.overseer.pk, case.pk), (city_front.pk, case.pk)}

    assert overdue_case_pairs(case.due_on) == []
    assert set(overdue_case_pairs(case.due_on + days(1))) == handlers
    assert overdue_case_pairs(case.due_on + days(2)) == []
    assert set(overdue_case_pairs(case.due_on + days(8))) == handlers


def test_each_handler_is_reminded_once_a_day_with_the_case_named(cast, case):
    today = case.due_on + days(1)
    assert feedback_reminders_send(today) == {NotificationKind.FEEDBACK_OVERDUE: 1}
    assert feedback_reminders_send(today) == {NotificationKind.FEEDBACK_OVERDUE: 0}
    reminder = Notification.objects.get(kind=NotificationKind.FEEDBACK_OVERDUE)
    assert reminder.recipient == cast.overseer
    assert reminder.subject == f"Góp ý, phản ánh mã {case.tracking_code} đã quá hạn trả lời"
    assert reminder.link == reverse("oversight:case", args=[case.pk])
    assert ReminderLog.objects.filter(kind=NotificationKind.FEEDBACK_OVERDUE).count() == 1


def test_an_answered_case_and_the_cadre_it_is_about_are_not_reminded(cast, case):
    # The cadre the case is about also sits on the ward's Front: never reminded of a case about themselves.
    RoleAssignmentFactory(user=cast.member.user, role=Role.FRONT_OVERSEER, organisation=cast.ward)
    today = case.due_on + days(1)
    assert cast.member.user.pk not in {user for user, _case in overdue_case_pairs(today)}
    feedback.case_accept(case=case, acting_user=cast.overseer)
    feedback.case_answer(case=case, verification=Verification.UNTRUE, answer="Không đúng.", acting_user=cast.overseer)
    assert overdue_case_pairs(today) == []
