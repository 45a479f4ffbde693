"""Citizens follow a published programme, a cadre or an area by e-mail, without an account: a form on the public
pages, a confirmation link, e-mails of published changes only (each once), one-click unsubscribe, rate limits with
the same answer whatever the address, the nightly purge, and the per-programme and per-area Atom feeds."""

import datetime
import html
import logging
import re
import smtplib
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes import publication
from programmes.action_programmes.progress import progress_report
from programmes.models import ActionProgramme, AuditEvent, Cadre, Commitment, ProgressStatus, PublicityLevel
from publicity import follow
from publicity.feedback_forms import challenge_terms
from publicity.follow.tokens import confirm_token
from publicity.models import FollowDelivery, FollowRequest, FollowSubscription
from tests.factories import make_member
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_privacy_lifecycle import scan
from tests.publicity.public_data import amend_target, make_public, publish, unpublish

# The unique delivery, the row locks and the path prefixes behave differently on each database: PostgreSQL too.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FOLLOWER = "nguoi.theo.doi@example.vn"
OTHER = "ban.doc.khac@example.vn"
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    mail.outbox.clear()


@pytest.fixture
def nen(cast) -> Cadre:
    """Nguyễn Văn Nên, a member of cell A whose programmes the cell's secretary confirms."""
    return make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")


@pytest.fixture
def programme(cast, nen) -> ActionProgramme:
    return make_public(nen, cast.secretary.user, title="Chương trình hành động nhiệm kỳ 2026 của đồng chí Nên")


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what the outbox queued once the test's change commits: the tasks run at once (eager), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def page_of(programme: ActionProgramme) -> str:
    return reverse("publicity:public_programme", args=[programme.pk])


def commitments(programme: ActionProgramme) -> list[Commitment]:
    assert programme.current_version is not None
    return [terms.commitment for terms in programme.current_version.terms.order_by("position")]


def filled_form(page: str, email: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    """The follow form of a page, filled in as a person would: where it posts, and what."""
    action = re.search(r'<form method="post" action="(/[^"]*theo-doi/[^"]*)"', page)
    challenge = re.search(r'name="challenge" value="([^"]+)"', page)
    assert action and challenge, "the page carries the follow form"
    terms = challenge_terms(challenge.group(1))
    assert terms is not None
    data = {"email": email, "challenge": challenge.group(1), "answer": sum(terms), "website": "", **fields}
    return html.unescape(action.group(1)), data


def subscribe(address: str, email: str, client: Client | None = None, **fields: Any):
    """Open the page at `address` and send its follow form (this programme alone, unless told)."""
    client = client or Client()
    action, data = filled_form(client.get(address).text, email, **fields)
    if "chuong_trinh" in action:
        data.setdefault("pham_vi", "chuong-trinh")
    return client.post(action, data)


def link(message: mail.EmailMessage, kind: str) -> str:
    """The path of the confirmation ("xac-nhan") or unsubscribe ("huy") link in an e-mail."""
    found = re.search(rf"{re.escape(SITE)}(/(?:en/)?cong-khai/theo-doi/{kind}/[^/\s]+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [address]]


def report(commitment: Commitment, owner: Cadre, value: str = "50") -> None:
    assert owner.user is not None
    progress_report(
        commitment=commitment, status=ProgressStatus.ON_TRACK, value_reached=Decimal(value), acting_user=owner.user
    )


def follow_confirmed(address: str, email: str, run_tasks, **fields: Any) -> FollowSubscription:
    """Subscribe through the page and confirm through the e-mailed link; the e-mails so far are cleared."""
    with run_tasks():
        assert subscribe(address, email, **fields).status_code == 302
    [confirmation] = to(email)
    assert Client().post(link(confirmation, "xac-nhan")).status_code == 200
    mail.outbox.clear()
    return FollowSubscription.objects.get(email=email, confirmed_at__isnull=False)


# --- The journey ----------------------------------------------------------------------------------------------


def test_a_citizen_follows_confirms_hears_once_of_published_progress_only_and_unsubscribes_in_one_click(
    cast, nen, programme, run_tasks
):
    shown, capped = commitments(programme)
    publication.commitment_publicity_set(commitment=capped, cap=PublicityLevel.OVERSIGHT, acting_user=nen.user)
    unpublished = make_confirmed(nen, cast.secretary.user, title="Chương trình chưa công khai")
    visitor = Client()

    with run_tasks():
        answer = subscribe(page_of(programme), FOLLOWER, client=visitor)
    assert answer.status_code == 302 and answer["Location"] == reverse("publicity:follow_sent")
    assert "Hãy kiểm tra hộp thư" in visitor.get(answer["Location"]).text
    [confirmation] = mail.outbox
    assert confirmation.to == [FOLLOWER] and programme.title in confirmation.body

    # Nothing reaches a request not yet confirmed; opening the link (a mail scanner would) confirms nothing.
    with run_tasks():
        report(shown, nen, "20")
    assert len(mail.outbox) == 1
    confirm_page = visitor.get(link(confirmation, "xac-nhan"))
    assert confirm_page.status_code == 200 and "Xác nhận theo dõi" in confirm_page.text
    assert FollowSubscription.objects.get().confirmed_at is None
    confirmed = visitor.post(link(confirmation, "xac-nhan"))
    assert confirmed.status_code == 200 and "Bạn đang theo dõi" in confirmed.text
    assert FollowSubscription.objects.get().confirmed_at is not None

    mail.outbox.clear()
    with run_tasks():
        report(shown, nen, "60")  # published: one e-mail
        report(capped, nen, "70")  # a commitment held below the public: nothing
        report(commitments(unpublished)[0], nen, "80")  # a programme not published: nothing
    [news] = mail.outbox
    assert news.to == [FOLLOWER]
    assert news.subject == f"Cập nhật tiến độ: Nguyễn Văn Nên – {programme.title}"
    assert f"{SITE}{page_of(programme)}#cam-ket-{shown.pk}" in news.body
    terms = {item.commitment_id: item.statement for item in programme.current_version.terms.all()}
    assert terms[shown.pk] in news.body and terms[capped.pk] not in news.body
    unsubscribe = link(news, "huy")
    assert news.extra_headers["List-Unsubscribe"] == f"<{SITE}{unsubscribe}>"
    assert news.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The mail program's one click: a POST without cookie or CSRF token (RFC 8058) deletes the address at once.
    mail_program = Client(enforce_csrf_checks=True)
    assert "Hủy theo dõi" in mail_program.get(unsubscribe).text
    assert FollowSubscription.objects.exists()  # the page alone changes nothing
    done = mail_program.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Đã hủy theo dõi" in done.text
    assert not FollowSubscription.objects.exists() and not FollowDelivery.objects.exists()
    assert scan(FOLLOWER) == []  # no column of any table holds the address any more
    assert "không còn theo dõi" in mail_program.post(unsubscribe).text  # a second click: already gone

    mail.outbox.clear()
    with run_tasks():
        report(shown, nen, "90")
    assert mail.outbox == []


def test_an_amendment_of_a_followed_programme_is_told_and_a_withdrawn_programme_tells_nothing(
    cast, nen, programme, run_tasks
):
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    with run_tasks():
        amend_target(programme, cast.secretary.user, "90")
    [amended] = to(FOLLOWER)  # the owner and the confirmer have their own notifications
    assert amended.subject.startswith("Điều chỉnh được xác nhận: ") and "Phiên bản 2 có hiệu lực" in amended.body

    unpublish(programme)
    mail.outbox.clear()
    with run_tasks():
        report(commitments(programme)[0], nen)
    assert to(FOLLOWER) == []
    # The feed of a programme no longer published is gone with its page.
    assert Client().get(reverse("publicity:programme_feed", args=[programme.pk])).status_code == 404


def test_a_change_withdrawn_before_its_e_mails_leave_is_not_sent(
    nen, programme, run_tasks, django_capture_on_commit_callbacks
):
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    first = commitments(programme)[0]
    # The fan-out runs, its e-mails wait for the broker; meanwhile the owner withdraws consent.
    with django_capture_on_commit_callbacks(execute=False):
        report(first, nen)
    latest = first.progress_reports.latest("pk")
    with django_capture_on_commit_callbacks(execute=False):
        assert follow.fan_out("progress", latest.pk) == 1
    unpublish(programme)
    waiting = list(FollowDelivery.objects.values_list("pk", flat=True))
    assert follow.deliveries_send(waiting) == 0
    assert mail.outbox == []
    # And a fan-out that starts after the withdrawal finds no change to tell.
    assert follow.fan_out("progress", latest.pk) == 0


def test_a_retried_fan_out_or_e_mail_task_never_sends_a_change_twice(
    nen, programme, run_tasks, django_capture_on_commit_callbacks
):
    subscription = follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    with django_capture_on_commit_callbacks(execute=False):
        report(commitments(programme)[0], nen)
    latest = commitments(programme)[0].progress_reports.latest("pk")
    with run_tasks():
        assert follow.fan_out("progress", latest.pk) == 1
    with run_tasks():
        assert follow.fan_out("progress", latest.pk) == 0  # recorded and sent: nothing queued again
    assert len(mail.outbox) == 1
    every = list(FollowDelivery.objects.values_list("pk", flat=True))
    assert follow.deliveries_send(every) == 0
    assert len(mail.outbox) == 1
    with pytest.raises(IntegrityError):
        FollowDelivery.objects.create(subscription=subscription, change=f"progress-{latest.pk}")


def test_a_follower_who_confirms_after_a_change_is_not_sent_it_when_its_fan_out_runs_late(
    nen, programme, run_tasks, django_capture_on_commit_callbacks
):
    # The report is made while the fan-out waits in the queue; the citizen confirms in between.
    with django_capture_on_commit_callbacks(execute=False):
        report(commitments(programme)[0], nen)
    latest = commitments(programme)[0].progress_reports.latest("pk")
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    mail.outbox.clear()
    with run_tasks():
        assert follow.fan_out("progress", latest.pk) == 0
    assert mail.outbox == [] and not FollowDelivery.objects.exists()

    # What comes after the confirmation is sent.
    with django_capture_on_commit_callbacks(execute=False):
        report(commitments(programme)[0], nen)
    with run_tasks():
        assert follow.fan_out("progress", commitments(programme)[0].progress_reports.latest("pk").pk) == 1
    assert len(mail.outbox) == 1


# --- What is followed ------------------------------------------------------------------------------------------


def test_following_a_cadre_tells_of_every_published_programme_of_theirs_and_no_one_elses(
    cast, nen, programme, run_tasks
):
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks, pham_vi="can-bo")
    assert FollowSubscription.objects.get().cadre_id == nen.pk
    others = make_public(cast.member, cast.secretary.user, title="Chương trình của đồng chí Ánh")
    second = make_confirmed(nen, cast.secretary.user, title="Chương trình thứ hai của đồng chí Nên")

    with run_tasks():
        publish(second)  # newly published: news to the cadre's followers
        report(commitments(programme)[0], nen)
        report(commitments(others)[0], cast.member)
    subjects = sorted(message.subject for message in to(FOLLOWER))
    assert subjects == [
        f"Chương trình mới được công khai: Nguyễn Văn Nên – {second.title}",
        f"Cập nhật tiến độ: Nguyễn Văn Nên – {programme.title}",
    ]
    assert all("các chương trình được công khai của đồng chí Nguyễn Văn Nên" in message.body for message in mail.outbox)


def test_following_an_area_tells_of_programmes_newly_published_there_and_not_in_the_other_ward(
    cast, nen, programme, run_tasks
):
    here = reverse("publicity:public_home") + f"?khu_vuc={cast.ward.pk}"
    assert f'href="{reverse("publicity:area_feed", args=[cast.ward.pk])}"' in Client().get(here).text
    follow_confirmed(here, FOLLOWER, run_tasks)
    # No programme is published in the other ward yet, so its follow form is on the follow page itself.
    follow_confirmed(reverse("publicity:follow") + f"?khu_vuc={cast.other_ward.pk}", OTHER, run_tasks)

    in_ward = make_confirmed(cast.member, cast.secretary.user, title="Chương trình mới ở Bến Thành")
    elsewhere = make_confirmed(cast.member, cast.secretary.user, title="Chương trình ở phường Sài Gòn")
    ActionProgramme.objects.filter(pk=elsewhere.pk).update(organisation=cast.other_ward)
    with run_tasks():
        publish(in_ward)
        report(commitments(programme)[0], nen)  # progress is for a programme's own followers, not the area's
    assert [message.subject for message in to(FOLLOWER)] == [
        f"Chương trình mới được công khai: Trần Thị Ánh – {in_ward.title}"
    ]
    assert to(OTHER) == []
    mail.outbox.clear()
    with run_tasks():
        publish(elsewhere)
    assert [message.to for message in mail.outbox] == [[OTHER]]


def test_a_programme_no_longer_published_or_an_unknown_area_cannot_be_followed(cast, programme):
    hidden = make_confirmed(cast.member, cast.secretary.user, publicity_max=PublicityLevel.OVERSIGHT)
    client = Client()
    assert client.get(reverse("publicity:follow") + f"?chuong_trinh={hidden.pk}").status_code == 404
    assert client.get(reverse("publicity:follow") + f"?khu_vuc={cast.grassroots.pk}").status_code == 404
    assert client.get(reverse("publicity:follow")).status_code == 404
    assert client.get(reverse("publicity:area_feed", args=[cast.cell_a.pk])).status_code == 404


# --- Robots, rates and enumeration ---------------------------------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_the_address_already_follows(programme, run_tasks):
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    before = FollowSubscription.objects.get()
    with run_tasks():
        again = subscribe(page_of(programme), FOLLOWER.upper())
    with run_tasks():
        new = subscribe(page_of(programme), OTHER)
    assert (again.status_code, again["Location"]) == (new.status_code, new["Location"])
    # Each owner learns it in their own mailbox: the one already following is told so (at the address they
    # confirmed), and still follows.
    [told] = to(FOLLOWER)
    assert told.subject.startswith("Bạn đã theo dõi từ trước") and "/theo-doi/xac-nhan/" not in told.body
    assert to(OTHER)[0].subject.startswith("Xác nhận theo dõi")
    after = FollowSubscription.objects.get(pk=before.pk)
    assert (after.email, after.confirmed_at) == (FOLLOWER, before.confirmed_at)


def test_a_wrong_answer_or_a_filled_trap_stores_nothing(programme):
    page = Client().get(page_of(programme)).text
    action, data = filled_form(page, FOLLOWER, pham_vi="chuong-trinh")
    wrong = Client().post(action, {**data, "answer": data["answer"] + 1})
    assert wrong.status_code == 400 and "Kết quả chưa đúng" in wrong.text
    robot = Client().post(action, {**data, "website": "http://spam.example"})
    assert robot.status_code == 400
    bad_address = Client().post(action, {**data, "email": "khong-phai-dia-chi"})
    assert bad_address.status_code == 400
    assert not FollowSubscription.objects.exists() and not FollowRequest.objects.exists() and mail.outbox == []


def test_one_network_address_is_kept_to_its_rate_and_an_address_asked_too_often_gets_nothing_more(
    settings, programme, run_tasks
):
    settings.FOLLOW_RATE_LIMITS = ((10, 3),)
    settings.FOLLOW_ADDRESS_RATE_LIMITS = ((60, 2),)
    answers = []
    for _attempt in range(3):
        with run_tasks():
            answers.append(subscribe(page_of(programme), FOLLOWER))
    assert [answer.status_code for answer in answers] == [302, 302, 302]
    # The address had its two e-mails; the third asking got the same answer and no e-mail.
    assert len(to(FOLLOWER)) == 2
    refused = subscribe(page_of(programme), OTHER)
    assert refused.status_code == 429 and "Từ máy của bạn đã có 3 yêu cầu theo dõi" in refused.text
    assert not FollowSubscription.objects.filter(email=OTHER).exists()
    # Another network address is not held up by this one.
    assert subscribe(page_of(programme), OTHER, client=Client(REMOTE_ADDR="198.51.100.4")).status_code == 302


def test_the_confirmation_link_expires_and_the_request_is_purged_with_its_address(
    settings, programme, run_tasks, monkeypatch
):
    with run_tasks():
        subscribe(page_of(programme), FOLLOWER)
    confirm = link(mail.outbox[0], "xac-nhan")
    later = time.time() + (settings.FOLLOW_CONFIRM_DAYS * 24 + 1) * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    for answer in (Client().get(confirm), Client().post(confirm)):
        assert answer.status_code == 404 and "Liên kết này không dùng được" in answer.text
    assert FollowSubscription.objects.get().confirmed_at is None
    monkeypatch.undo()

    now = timezone.now()
    assert follow.follows_purge(now + datetime.timedelta(days=settings.FOLLOW_PENDING_RETENTION_DAYS - 1)) == 0
    assert follow.follows_purge(now + datetime.timedelta(days=settings.FOLLOW_PENDING_RETENTION_DAYS + 1)) == 1
    assert not FollowSubscription.objects.exists() and not FollowRequest.objects.exists()
    assert scan(FOLLOWER) == []
    purge = AuditEvent.objects.get(action="follow.purge")
    assert purge.after == {"subscriptions": 1}


def test_a_confirmed_subscription_outlives_the_purge(settings, programme, run_tasks):
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    later = timezone.now() + datetime.timedelta(days=settings.FOLLOW_PENDING_RETENTION_DAYS + 30)
    assert follow.follows_purge(later) == 0
    assert FollowSubscription.objects.filter(email=FOLLOWER).exists()


def test_a_forged_link_is_refused(programme, run_tasks):
    with run_tasks():
        subscribe(page_of(programme), FOLLOWER)
    pending = FollowSubscription.objects.get()
    forged = confirm_token(pending.pk)[:-2] + "xx"
    for address in (
        reverse("publicity:follow_confirm", args=[forged]),
        reverse("publicity:follow_unsubscribe", args=[forged]),
    ):
        assert Client().get(address).status_code == 404
        assert Client().post(address).status_code == 404
    # A confirmation link does not unsubscribe, nor the reverse: each is signed for its own use.
    assert Client().get(reverse("publicity:follow_unsubscribe", args=[confirm_token(pending.pk)])).status_code == 404
    assert FollowSubscription.objects.get().confirmed_at is None


# --- Language, cache, privacy ----------------------------------------------------------------------------------


def test_the_e_mails_lead_to_the_pages_in_the_language_the_follower_used(programme, run_tasks):
    with run_tasks():
        subscribe("/en" + page_of(programme), FOLLOWER)
    assert link(mail.outbox[0], "xac-nhan").startswith("/en/")
    assert FollowSubscription.objects.get().language == "en"


def test_the_programme_page_stays_cached_whole_with_its_static_form_and_no_cookie(programme, django_assert_num_queries):
    first = Client().get(page_of(programme))
    assert not first.cookies and "csrfmiddlewaretoken" not in first.text
    assert f'action="{reverse("publicity:follow")}?chuong_trinh={programme.pk}"' in first.text
    feed = reverse("publicity:programme_feed", args=[programme.pk])
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in first.text
    with django_assert_num_queries(0):
        assert Client().get(page_of(programme)).content == first.content
    # The form sent from that copy works (its question is signed, not stored), and sets no cookie either.
    action, data = filled_form(first.text, FOLLOWER, pham_vi="chuong-trinh")
    sent = Client().post(action, data)
    assert sent.status_code == 302 and not sent.cookies


def test_the_address_is_never_in_a_log_line_or_the_audit_log(settings, nen, programme, run_tasks, caplog):
    caplog.set_level(logging.DEBUG)
    follow_confirmed(page_of(programme), FOLLOWER, run_tasks)
    with run_tasks():
        report(commitments(programme)[0], nen)
    assert len(mail.outbox) == 1
    # A mail server that refuses the address: logged by the subscription's id alone, and not tried again.
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with run_tasks():
        report(commitments(programme)[0], nen, "60")
    assert any("refused the address of subscription" in record.getMessage() for record in caplog.records)
    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)
    assert FOLLOWER not in logged
    events = AuditEvent.objects.filter(action__startswith="follow.")
    assert {event.action for event in events} == {"follow.request", "follow.confirm"}
    assert all(FOLLOWER not in f"{event.object_repr} {event.before} {event.after}" for event in events)
    assert all(event.ip_address is None for event in events)


class RefusingBackend(EmailBackend):
    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user") for message in messages})


# --- Feeds -------------------------------------------------------------------------------------------------------


def test_the_programme_and_area_feeds_carry_only_their_published_changes(cast, nen, programme):
    shown, capped = commitments(programme)
    publication.commitment_publicity_set(commitment=capped, cap=PublicityLevel.OVERSIGHT, acting_user=nen.user)
    report(shown, nen)
    report(capped, nen)
    elsewhere = make_public(cast.member, cast.secretary.user, title="Chương trình ở phường Sài Gòn")
    ActionProgramme.objects.filter(pk=elsewhere.pk).update(organisation=cast.other_ward)
    report(commitments(elsewhere)[0], cast.member)

    own = Client().get(reverse("publicity:programme_feed", args=[programme.pk]))
    assert own["Content-Type"].startswith("application/atom+xml") and "public" in own["Cache-Control"]
    feed = own.text
    assert feed.count("<entry>") == 2  # the confirmation and the public progress
    assert f"#cam-ket-{shown.pk}" in feed and f"#cam-ket-{capped.pk}" not in feed
    assert elsewhere.title not in feed

    ward = Client().get(reverse("publicity:area_feed", args=[cast.ward.pk])).text
    assert programme.title in ward and elsewhere.title not in ward and f"#cam-ket-{capped.pk}" not in ward
    other_ward = Client().get(reverse("publicity:area_feed", args=[cast.other_ward.pk])).text
    assert elsewhere.title in other_ward and programme.title not in other_ward


def _queries(address: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert Client().get(address).status_code == 200
    return len(context)


def test_feed_and_follow_page_query_counts_are_pinned(cast, nen, programme, run_tasks):
    for value in ("10", "20", "30"):
        report(commitments(programme)[0], nen, value)
    more = make_public(nen, cast.secretary.user, title="Chương trình khác")
    report(commitments(more)[0], nen)
    # The programme (or the ward), its versions, its progress: whatever the number of entries.
    assert _queries(reverse("publicity:programme_feed", args=[programme.pk])) == 3
    assert _queries(reverse("publicity:area_feed", args=[cast.ward.pk])) == 3
    # The follow page reads what it names; the page after sending reads nothing.
    assert _queries(reverse("publicity:follow") + f"?chuong_trinh={programme.pk}") == 1
    assert _queries(reverse("publicity:follow_sent")) == 0
