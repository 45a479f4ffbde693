"""“Dữ liệu của tôi”: a person reads and downloads everything the portal holds on them (page, JSON, PDF), with
nothing of anyone else; each download is on the record; the cost does not grow with their programmes, their
notification choices or the reminders sent to them."""

import datetime
import json

import pytest
from axes.models import AccessLog
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from programmes.action_programmes.digests import DIGEST
from programmes.action_programmes.notification_preferences import preferences_save
from programmes.action_programmes.services import carry_commitments, close_programme, record_end_of_term_evaluation
from programmes.models import (
    AuditEvent,
    CadrePrivateDetails,
    ClosingReason,
    Delivery,
    FinalVerdict,
    NotificationKind,
    ReadEvent,
    ReadKind,
)
from programmes.reminders import claim
from publicity import feedback
from reviews import services as review_services
from reviews.models import RatingLevel, Review
from tests.factories import client_for, make_member, make_organisation
from tests.programmes.programme_data import give_private_details, make_confirmed, make_draft
from tests.programmes.test_documents import pdf_text
from tests.publicity.feedback_data import FEEDBACK_TEXT, SENDER, send
from tests.publicity.public_data import make_public
from tests.reviews.review_data import SECTIONS, open_period, propose, write_and_submit

pytestmark = pytest.mark.django_db

TITLE = "Chương trình hành động của đồng chí Ánh năm 2026"
OTHER_TITLE = "Chương trình riêng của đồng chí Cường về chợ đêm"
OTHER_REVIEW_TEXT = "Đồng chí Cường tự nhận còn nể nang trong góp ý."
GROUNDS = "Hoàn thành đúng hạn 2/2 nội dung cam kết, có minh chứng."
MINUTES = "Chi bộ họp kiểm điểm cuối năm"
OTHER_ADDRESS = "198.51.100.77"
URLS = ["programmes:my_data", "programmes:my_data_json", "programmes:my_data_pdf"]


@pytest.fixture
def world(cast):
    """The member (Ánh) with private details, a confirmed programme, a final review and a feedback case on it;
    a colleague (Cường) with a draft programme and a self-review of his own; the secretary confirmed Ánh's
    programme and the head confirmed her rating."""
    give_private_details(cast.member)
    programme = make_public(cast.member, cast.secretary.user, title=TITLE)
    make_draft(cast.outsider, title=OTHER_TITLE)
    period = open_period(cast.ward, cast.org_board)
    review = Review.objects.get(period=period, cadre=cast.member)
    write_and_submit(review)
    propose(review, cast.secretary.user)
    decision = review_services.decision_make(
        review=review, level=RatingLevel.GOOD, acting_user=cast.committee_staff.user
    )
    review_services.decision_confirm(
        decision=decision,
        grounds=GROUNDS,
        assessment_ids=[review.assessments.order_by("position")[0].pk],
        acting_user=cast.head.user,
    )
    other_review = Review.objects.get(period=period, cadre=cast.outsider)
    review_services.self_review_save(
        review=other_review,
        sections={**SECTIONS, "strengths": OTHER_REVIEW_TEXT},
        general_points=25,
        task_points=55,
        level="good",
        verdicts={},
        acting_user=cast.outsider.user,
    )
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    ReadEvent.objects.create(
        reader=cast.secretary.user,
        reader_repr=cast.secretary.user.username,
        kind=ReadKind.CADRE_RECORD,
        subject=cast.member,
        object_repr=cast.member.full_name,
    )
    AccessLog.objects.create(username=cast.outsider.user.username, ip_address=OTHER_ADDRESS, user_agent="Cường")
    return programme


def others_private_values(cast) -> list[str]:
    values = []
    for cadre in (cast.outsider, cast.secretary, cast.head, cast.committee_staff):
        details = CadrePrivateDetails.objects.get(cadre=cadre)
        values += [details.citizen_id, details.phone, details.email]
    return values


def test_the_page_holds_the_person_s_data_and_nothing_of_anyone_else(cast, world):
    response = client_for(cast.member.user).get(reverse("programmes:my_data"))

    assert response.status_code == 200
    page = response.content.decode()
    for mine in (
        "079185012345",
        "0912345678",
        "09/03/1985",
        "12 Lê Lợi",
        cast.member.code,
        TITLE,
        "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1",
        SECTIONS["strengths"],
        GROUNDS,
        FEEDBACK_TEXT,
        "Chi bộ Khu phố 1A",
    ):
        assert mine in page, mine
    # Others only by name where the portal names them to her: her confirmer, the head, who read her file.
    assert cast.secretary.full_name in page and cast.head.full_name in page
    for theirs in [*others_private_values(cast), OTHER_TITLE, OTHER_REVIEW_TEXT, MINUTES, *SENDER.values()]:
        assert theirs not in page, theirs
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]


def test_the_json_copy_holds_the_same_and_nothing_of_anyone_else(cast, world):
    response = client_for(cast.member.user).get(reverse("programmes:my_data_json"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi.json"'
    data = json.loads(response.content)
    assert data["private_details"][0]["citizen_id"] == "079185012345"
    assert data["private_details"][0]["date_of_birth"] == "1985-03-09"
    [programme] = data["programmes"]
    assert programme["title"] == TITLE and programme["state"] == "confirmed"
    [version] = programme["versions"]
    assert version["confirmer"] == cast.secretary.full_name
    assert len(version["commitments"]) == 2
    [review] = data["reviews"]
    assert review["strengths"] == SECTIONS["strengths"]
    assert review["final_level"] == RatingLevel.GOOD
    assert review["decisions"][0]["confirmed_by"] == cast.head.full_name
    assert review["cell_proposal"][0]["level"] == RatingLevel.GOOD
    assert data["feedback"][0]["text"] == FEEDBACK_TEXT
    assert data["reads"][0]["reader"] == cast.secretary.full_name
    assert {event["action"] for event in data["audit_events"]} >= {"programme.submit", "review.self_submit"}
    assert data["notifications"], "the confirmation was notified"
    assert [item["user_agent"] for item in data["sign_ins"]] == ["<unknown>"], "the test client's sign-in"
    text = json.dumps(data, ensure_ascii=False)
    for theirs in [
        *others_private_values(cast),
        OTHER_TITLE,
        OTHER_REVIEW_TEXT,
        MINUTES,
        OTHER_ADDRESS,
        *SENDER.values(),
    ]:
        assert theirs not in text, theirs


def test_the_pdf_copy_is_printable_and_holds_the_person_s_data(cast, world):
    response = client_for(cast.member.user).get(reverse("programmes:my_data_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "DỮ LIỆU CỦA TÔI" in text
    assert "079185012345" in text and TITLE in text
    for theirs in [*others_private_values(cast), OTHER_TITLE, *SENDER.values()]:
        assert theirs not in text, theirs


def test_every_download_is_on_the_record(cast, world):
    client = client_for(cast.member.user)
    for name in URLS:
        assert client.get(reverse(name)).status_code == 200

    events = AuditEvent.objects.filter(action="personal_data.download", actor=cast.member.user).order_by("pk")
    assert [event.after for event in events] == [{"format": "html"}, {"format": "json"}, {"format": "pdf"}]
    # The event says what was downloaded, never the data itself.
    assert all(event.object_id == str(cast.member.user.pk) and event.before is None for event in events)


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_sign_in(cast, name):
    response = Client().get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_cadre_record_gets_its_account_roles_and_actions(cast):
    response = client_for(cast.overseer).get(reverse("programmes:my_data_json"))

    data = response.json()
    assert data["account"][0]["username"] == "overseer"
    assert data["cadre"] == [] and data["private_details"] == [] and data["programmes"] == []
    assert data["roles"][0]["role"] == "front_overseer"


def test_a_post_is_refused(cast):
    assert client_for(cast.member.user).post(reverse("programmes:my_data")).status_code == 405


def queries_for(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("programmes:my_data_json")).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_programmes_notification_choices_or_reminders(cast, world):
    client = client_for(cast.member.user)
    queries_for(client)  # content types and the like, cached after the first request
    one = queries_for(client)
    for number in range(3):
        make_confirmed(cast.member, cast.secretary.user, title=f"Chương trình bổ sung {number}")
    choose(
        cast.member.user, {NotificationKind.COMMITMENT_DUE: Delivery.DIGEST, NotificationKind.GENERAL: "portal"}, "en"
    )
    for day in range(3):
        claim(
            NotificationKind.COMMITMENT_STALLED,
            [(cast.member.user.pk, 500 + day)],
            REMINDED_ON + datetime.timedelta(day),
        )

    assert queries_for(client) == one
    assert one <= 40


def test_the_pdf_is_in_the_portal_s_language_whatever_the_reader_s(cast, world):
    with translation.override("en"):
        english = reverse("programmes:my_data_pdf")
    assert english.startswith("/en/")

    text = " ".join(pdf_text(client_for(cast.member.user).get(english).content).split())

    assert "Thông tin cá nhân" in text and "Số CCCD" in text and "Citizen" not in text


REMINDED_ON = datetime.date(2026, 5, 4)


def choose(user, deliveries: dict[str, str], language: str) -> None:
    preferences_save(user=user, deliveries=deliveries, language=language, acting_user=user)


def test_the_copy_holds_the_person_s_notification_choices_and_reminders_and_nobody_else_s(cast):
    """Ánh (ward Bến Thành) and Giang (ward Sài Gòn) each chose how to be notified and each were reminded."""
    other_cell = make_organisation("Chi bộ Khu phố 9", parent=cast.other_ward)
    other = make_member(other_cell, "giang", full_name="Đỗ Thị Giang")
    assert other.user is not None
    choose(cast.member.user, {NotificationKind.COMMITMENT_DUE: Delivery.DIGEST}, "")
    choose(other.user, {NotificationKind.APPEAL_FILED: Delivery.PORTAL}, "en")
    claim(NotificationKind.COMMITMENT_DUE, [(cast.member.user.pk, 4242)], REMINDED_ON)
    claim(DIGEST, [(cast.member.user.pk, cast.member.user.pk)], REMINDED_ON)
    claim(NotificationKind.SELF_REVIEW_CLOSING, [(other.user.pk, 9191)], REMINDED_ON + datetime.timedelta(days=1))
    client = client_for(cast.member.user)

    data = client.get(reverse("programmes:my_data_json")).json()

    [settings_record] = data["notification_settings"]
    assert settings_record["language"] == ""
    assert [(row["kind"], row["delivery"]) for row in settings_record["deliveries"]] == [("commitment_due", "digest")]
    reminders = [(row["kind"], row["object_id"], row["day"]) for row in data["reminders"]]
    assert reminders == [("commitment_due", 4242, "2026-05-04"), ("digest", cast.member.user.pk, "2026-05-04")]
    text = json.dumps(data, ensure_ascii=False)
    for theirs in ("appeal_filed", "self_review_closing", "9191", "2026-05-05", '"en"'):
        assert theirs not in text, theirs

    page = client.get(reverse("programmes:my_data")).content.decode()
    for mine in (
        "Cách nhận thông báo",
        "Theo ngôn ngữ của cổng",
        "Gộp vào thư tổng hợp hằng ngày",
        "Nhắc việc đã gửi cho tôi",
        str(NotificationKind.COMMITMENT_DUE.label),
        "Thư tổng hợp thông báo trong ngày",
        "4242",
        "04/05/2026",
    ):
        assert mine in page, mine
    for theirs in (
        str(NotificationKind.APPEAL_FILED.label),
        str(NotificationKind.SELF_REVIEW_CLOSING.label),
        "Chỉ xem trên cổng, không gửi thư",
        "9191",
        "05/05/2026",
        other.full_name,
    ):
        assert theirs not in page, theirs

    pdf = " ".join(pdf_text(client.get(reverse("programmes:my_data_pdf")).content).split())
    assert "Nhắc việc đã gửi cho tôi" in pdf and "4242" in pdf and "9191" not in pdf


def test_the_language_chosen_is_named(cast):
    choose(cast.member.user, {}, "en")

    data = client_for(cast.member.user).get(reverse("programmes:my_data_json")).json()
    page = client_for(cast.member.user).get(reverse("programmes:my_data")).content.decode()

    assert data["notification_settings"][0]["language"] == "en"
    assert '<dt>Ngôn ngữ của thông báo và thư</dt>\n        <dd class="text-break">English</dd>' in page


def test_the_copy_holds_the_end_of_term_judgement_and_where_a_commitment_was_carried_from(cast):
    programme = make_confirmed(cast.member, cast.secretary.user, title=TITLE)
    close_programme(cast.secretary.user, programme, ClosingReason.OTHER, note="Được điều động công tác khác")
    assert programme.current_version is not None
    [first, second] = programme.current_version.terms.order_by("position")
    record_end_of_term_evaluation(
        programme=programme,
        verdicts={first.commitment_id: (FinalVerdict.MET, "Đủ hồ sơ đúng hạn")},
        conclusion="Thực hiện nghiêm túc chương trình đã đăng ký.",
        acting_user=cast.secretary.user,
    )
    later = make_draft(cast.member, weights=(60,), title="Chương trình ở cương vị mới")
    carry_commitments(actor=cast.member.user, target_programme=later, commitments=[second.commitment])

    data = json.loads(client_for(cast.member.user).get(reverse("programmes:my_data_json")).content)

    closed, carried_into = data["programmes"]
    assert closed["closed_reason"] == ClosingReason.OTHER
    assert closed["closed_note"] == "Được điều động công tác khác"
    assert closed["final_conclusion"] == "Thực hiện nghiêm túc chương trình đã đăng ký."
    assert closed["evaluated_by"] == cast.secretary.full_name and closed["evaluated_at"]
    verdicts = {item["reference"]: (item["final_verdict"], item["final_note"]) for item in closed["progress"]}
    assert verdicts[str(first.commitment.reference)] == (FinalVerdict.MET, "Đủ hồ sơ đúng hạn")
    [copy] = [item for item in carried_into["progress"] if item["carried_from"]]
    assert copy["carried_from"] == str(second.commitment.reference)
