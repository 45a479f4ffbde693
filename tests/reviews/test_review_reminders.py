"""The reviews' morning reminders: a member whose self-review is still a draft, three days before the deadline and
on its last day; the head who confirms, every three days that a decision waits for them. Once a day each."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Notification, NotificationKind
from reviews.models import Decision, Review
from reviews.reminders import confirmation_pairs, review_reminders_send, self_review_pairs
from tests.reviews.review_data import decided_review, open_period, write_and_submit

pytestmark = pytest.mark.django_db


def days(number: int) -> datetime.timedelta:
    return datetime.timedelta(days=number)


def test_a_draft_is_reminded_three_days_before_the_deadline_and_on_its_last_day(cast):
    period = open_period(cast.ward, cast.org_board)
    until = period.self_review_until
    drafts = {
        (review.cadre.user_id, review.pk) for review in Review.objects.filter(period=period).select_related("cadre")
    }
    submitted = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(submitted)
    drafts.discard((cast.member.user.pk, submitted.pk))

    assert set(self_review_pairs(until - days(3))) == drafts
    assert set(self_review_pairs(until)) == drafts
    for quiet in (4, 2, 1, -1):
        assert self_review_pairs(until - days(quiet)) == [], quiet

    sent = review_reminders_send(until - days(3))
    assert sent[NotificationKind.SELF_REVIEW_CLOSING] == len(drafts)
    assert review_reminders_send(until - days(3))[NotificationKind.SELF_REVIEW_CLOSING] == 0
    reminder = Notification.objects.filter(kind=NotificationKind.SELF_REVIEW_CLOSING, recipient=cast.secretary.user)
    assert reminder.get().subject == "Còn 3 ngày để nộp bản kiểm điểm"
    review_reminders_send(until)
    assert reminder.order_by("-pk").first().subject == "Hôm nay là hạn cuối nộp bản kiểm điểm"  # type: ignore[union-attr]


def test_the_head_is_reminded_every_three_days_a_decision_waits(cast):
    review, decision = decided_review(cast)
    decided_on = timezone.localtime(decision.decided_at).date()
    head = cast.head.user.pk
    assert confirmation_pairs(decided_on + days(2)) == []
    assert confirmation_pairs(decided_on + days(3)) == [(head, decision.pk)]
    assert confirmation_pairs(decided_on + days(6)) == [(head, decision.pk)]
    review_reminders_send(decided_on + days(3))
    reminder = Notification.objects.get(kind=NotificationKind.CONFIRMATION_WAITING)
    assert reminder.recipient == cast.head.user
    assert reminder.subject == "Kết quả xếp loại chờ đồng chí xác nhận: Trần Thị Ánh"
    assert "đã 3 ngày chờ đồng chí xác nhận" in reminder.body
    assert reminder.link == reverse("reviews:decision_confirm", args=[review.pk])
    # Once it no longer waits (returned to the cell, here), nobody is reminded of it.
    Decision.objects.filter(pk=decision.pk).update(state="superseded")
    assert confirmation_pairs(decided_on + days(6)) == []
