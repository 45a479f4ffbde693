"""The confirmer's pages: the queue, reviewing a version (return or confirm), and the notifications page."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes import services
from programmes.action_programmes.notifications import notify
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    Notification,
    PartyPost,
    Position,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from tests.factories import PositionFactory, client_for, make_member
from tests.programmes.programme_data import make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db

# session, user, the grants (cadre, membership, posts, roles), the header's counts, then the page: count and rows.
QUEUE_QUERIES = 9
NOTIFICATION_LIST_QUERIES = 9


def review_url(programme: ActionProgramme, number: int = 1) -> str:
    return reverse("programmes:programme_review", args=[programme.pk, number])


def queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("programmes:confirmation_queue"))
    assert response.status_code == 200
    return len(captured)


def submitted_by_member(cast) -> ProgrammeVersion:
    return submit(make_draft(cast.member))


# --- Every page: anonymous and outsiders ----------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_confirmation_page(cast):
    version = submitted_by_member(cast)
    client = Client()
    for url in (
        reverse("programmes:confirmation_queue"),
        review_url(version.programme),
        reverse("programmes:version_compare", args=[version.programme.pk]),
        reverse("programmes:notification_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_outsider_gets_404_for_the_review_page_and_cannot_act(cast):
    version = submitted_by_member(cast)
    client = client_for(cast.outsider.user)
    assert client.get(review_url(version.programme)).status_code == 404
    response = client.post(review_url(version.programme), {"action": "confirm", "confirm-publicity_max": "4"})
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_unknown_version_number_is_404(cast):
    version = submitted_by_member(cast)
    assert client_for(cast.secretary.user).get(review_url(version.programme, 7)).status_code == 404


# --- The queue ------------------------------------------------------------------------------------------------


def test_members_programme_waits_in_the_cell_secretarys_queue_not_the_heads(cast):
    version = submitted_by_member(cast)
    secretary_page = client_for(cast.secretary.user).get(reverse("programmes:confirmation_queue")).text
    assert cast.member.full_name in secretary_page
    assert review_url(version.programme) in secretary_page
    assert "Đăng ký lần đầu" in secretary_page
    head_page = client_for(cast.head.user).get(reverse("programmes:confirmation_queue")).text
    assert cast.member.full_name not in head_page
    assert "Hiện không có chương trình nào chờ đồng chí xác nhận." in head_page


def test_secretarys_own_programme_goes_to_the_head_and_never_to_their_own_queue(cast):
    version = submit(make_draft(cast.secretary, title="Chương trình của bí thư chi bộ"))
    own = client_for(cast.secretary.user).get(reverse("programmes:confirmation_queue")).text
    assert "Chương trình của bí thư chi bộ" not in own
    assert review_url(version.programme) not in own
    head_page = client_for(cast.head.user).get(reverse("programmes:confirmation_queue")).text
    assert review_url(version.programme) in head_page


def test_owner_sees_nothing_of_their_own_in_the_queue(cast):
    submitted_by_member(cast)
    page = client_for(cast.member.user).get(reverse("programmes:confirmation_queue")).text
    assert "Hiện không có chương trình nào chờ đồng chí xác nhận." in page


def test_queue_shows_an_amendment_with_its_reason(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Khu phố sáp nhập, đổi địa bàn", acting_user=cast.member.user)
    submit(programme, 2)
    page = client_for(cast.secretary.user).get(reverse("programmes:confirmation_queue")).text
    assert "Bản điều chỉnh" in page
    assert "Khu phố sáp nhập, đổi địa bàn" in page
    assert review_url(programme, 2) in page


def test_header_links_to_the_queue_with_its_count_only_for_whoever_has_something_waiting(cast):
    submitted_by_member(cast)
    secretary_page = client_for(cast.secretary.user).get(reverse("programmes:dashboard")).text
    assert "Chờ xác nhận (1)" in secretary_page
    assert reverse("programmes:confirmation_queue") in secretary_page
    member_page = client_for(cast.member.user).get(reverse("programmes:dashboard")).text
    assert reverse("programmes:confirmation_queue") not in member_page


def test_queue_costs_the_same_queries_for_1_and_5_programmes(cast, django_assert_num_queries):
    client = client_for(cast.secretary.user)
    submitted_by_member(cast)
    client.get(reverse("programmes:confirmation_queue"))  # warm the session
    one = queue_queries(client)
    for number in range(4):
        colleague = make_member(cast.cell_a, f"colleague{number}", full_name=f"Đồng chí Thứ {number}")
        submit(make_draft(colleague))
    assert queue_queries(client) == one
    assert one == QUEUE_QUERIES
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("programmes:confirmation_queue"))
    assert response.text.count("Xem và xác nhận") == 5


# --- Reviewing a version --------------------------------------------------------------------------------------


def test_confirmer_reads_every_field_and_the_quality_check(cast):
    version = submitted_by_member(cast)
    response = client_for(cast.secretary.user).get(review_url(version.programme))
    assert response.status_code == 200
    text = response.text
    for expected in (
        cast.member.full_name,
        "Chương trình hành động nhiệm kỳ 2026",
        "Nhận nhiệm vụ mới",
        "Chi bộ Khu phố 1A",
        "01/01/2026 – 31/12/2026",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "80 → 100",
        "30/06/2026",
        "Rà soát hồ sơ hằng tuần",
        "Sổ theo dõi hồ sơ có xác nhận của bộ phận một cửa",
        "Thuộc thẩm quyền của bản thân",
        "Đạt: mọi nội dung đều đo được",
        "Ý kiến về nội dung I.1",
        "Ý kiến về nội dung I.2",
        "Mức độ công khai tối đa",
        "Công khai nhân dân",
        "Mọi người dân xem được trên trang công khai",
    ):
        assert expected in text, expected


def test_return_with_notes_per_commitment_reaches_the_owner_by_notification_and_email(
    cast, django_capture_on_commit_callbacks
):
    version = submitted_by_member(cast)
    programme = version.programme
    first, second = version.terms.order_by("position")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.secretary.user).post(
            review_url(programme),
            {
                "action": "return",
                "return-reason": "Cần nói rõ hơn cách đo.",
                f"return-note_{first.pk}": "Chỉ tiêu 100% chưa sát thực tế, đề nghị 95%.",
                f"return-note_{second.pk}": "",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:confirmation_queue")
    version.refresh_from_db()
    programme.refresh_from_db()
    assert version.state == VersionState.RETURNED
    assert version.return_reason == "Cần nói rõ hơn cách đo."
    assert programme.state == ProgrammeState.RETURNED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.return_note == "Chỉ tiêu 100% chưa sát thực tế, đề nghị 95%."
    assert second.return_note == ""
    notification = Notification.objects.get(recipient=cast.member.user)
    assert programme.title in notification.subject
    assert [message.to for message in mail.outbox] == [[cast.member.user.email]]
    assert programme.title in mail.outbox[0].subject


def test_return_without_any_reason_is_refused_on_the_reason_field_and_changes_nothing(cast):
    version = submitted_by_member(cast)
    response = client_for(cast.secretary.user).post(review_url(version.programme), {"action": "return"})
    assert response.status_code == 200
    assert "Hãy ghi lý do trả lại, chung hoặc cho từng nội dung cam kết." in response.text
    assert 'aria-describedby="id_return-reason_helptext id_return-reason_error"' in response.text
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    assert not Notification.objects.filter(recipient=cast.member.user).exists()


def test_a_returned_version_is_read_only_and_its_resubmission_shows_the_earlier_notes(cast):
    version = submitted_by_member(cast)
    first = version.terms.get(position=1)
    services.programme_return(
        version=version,
        reason="Chưa rõ cách đo.",
        commitment_notes={first.pk: "Ghi rõ nguồn số liệu."},
        acting_user=cast.secretary.user,
    )
    client = client_for(cast.secretary.user)
    text = client.get(review_url(version.programme)).text
    assert "không còn chờ xác nhận" in text
    assert "Chưa rõ cách đo." in text
    assert "Ghi rõ nguồn số liệu." in text
    assert 'id="return-form"' not in text
    submit(version.programme, number=2)
    text = client.get(review_url(version.programme, 2)).text
    assert "Ý kiến trả lại lần trước:" in text
    assert "Ghi rõ nguồn số liệu." in text
    assert "Bản sửa theo ý kiến trả lại" in text
    assert "Chưa rõ cách đo." in text
    assert 'id="return-form"' in text
    # The returned version stays as it was sent, read-only, with its reason.
    text = client.get(review_url(version.programme)).text
    assert "không còn chờ xác nhận" in text
    assert "Chưa rõ cách đo." in text


def test_confirm_sets_the_maximum_publicity_and_puts_the_version_in_force(cast, django_capture_on_commit_callbacks):
    version = submitted_by_member(cast)
    programme = version.programme
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.secretary.user).post(
            review_url(programme),
            {"action": "confirm", "confirm-publicity_max": str(PublicityLevel.OVERSIGHT), "confirm-comment": "Đạt."},
        )
    assert response.status_code == 302
    programme.refresh_from_db()
    version.refresh_from_db()
    assert programme.current_version == version
    assert programme.publicity_max == PublicityLevel.OVERSIGHT
    assert programme.state == ProgrammeState.CONFIRMED
    assert version.state == VersionState.CONFIRMED
    assert version.confirmed_by == cast.secretary.user
    assert version.confirmation_comment == "Đạt."
    assert Notification.objects.filter(recipient=cast.member.user, subject__contains=programme.title).exists()


def test_confirm_refuses_a_publicity_level_outside_the_list(cast):
    version = submitted_by_member(cast)
    response = client_for(cast.secretary.user).post(
        review_url(version.programme), {"action": "confirm", "confirm-publicity_max": str(PublicityLevel.PRIVATE)}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_a_service_refusal_is_shown_on_the_form(cast):
    version = submitted_by_member(cast)
    # The version changed under the confirmer's feet: weights no longer add up, so the service refuses.
    CommitmentTerms.objects.filter(version=version, position=2).update(weight=10)
    response = client_for(cast.secretary.user).post(
        review_url(version.programme), {"action": "confirm", "confirm-publicity_max": str(PublicityLevel.CELL)}
    )
    assert response.status_code == 200
    assert "Trọng số các nội dung nhiệm vụ cộng lại được 70, cần đúng 100." in response.text
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_owner_is_refused_with_403_and_nothing_changes(cast):
    version = submitted_by_member(cast)
    client = client_for(cast.member.user)
    response = client.get(review_url(version.programme))
    assert response.status_code == 403
    assert "Không ai được tự xác nhận chương trình của chính mình." in response.text
    response = client.post(
        review_url(version.programme), {"action": "confirm", "confirm-publicity_max": str(PublicityLevel.PUBLIC)}
    )
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    assert version.programme.current_version_id is None


def test_a_new_secretary_opens_and_confirms_what_waits_in_their_queue(cast):
    version = submitted_by_member(cast)
    programme = version.programme
    old_post = cast.secretary.positions.get()
    old_post.end_date = datetime.date.today() - datetime.timedelta(days=1)
    old_post.save()
    successor = make_member(cast.cell_a, "secretary2", full_name="Đỗ Thị Giang")
    PositionFactory(cadre=successor, organisation=cast.cell_a, party_post=PartyPost.SECRETARY)
    client = client_for(successor.user)
    assert review_url(programme) in client.get(reverse("programmes:confirmation_queue")).text
    assert client.get(reverse("programmes:programme_detail", args=[programme.pk])).status_code == 200
    assert client.get(review_url(programme)).status_code == 200
    response = client.post(
        review_url(programme), {"action": "confirm", "confirm-publicity_max": str(PublicityLevel.CELL)}
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.CONFIRMED
    assert version.confirmed_by == successor.user
    # The one who left still reads what was sent to them, but no longer confirms.
    predecessor = client_for(cast.secretary.user)
    assert predecessor.get(reverse("programmes:programme_detail", args=[programme.pk])).status_code == 200
    assert predecessor.get(review_url(programme)).status_code == 403


def test_head_who_cannot_see_an_unconfirmed_programme_gets_404(cast):
    version = submitted_by_member(cast)
    assert client_for(cast.head.user).get(review_url(version.programme)).status_code == 404


def test_reader_who_may_see_but_not_confirm_gets_403(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Điều chỉnh chỉ tiêu", acting_user=cast.member.user)
    submit(programme, 2)
    response = client_for(cast.head.user).get(review_url(programme, 2))
    assert response.status_code == 403
    assert "Đồng chí không phải người xác nhận chương trình này." in response.text


def test_a_confirmed_version_is_read_only(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    client = client_for(cast.secretary.user)
    response = client.get(review_url(programme))
    assert response.status_code == 200
    assert "không còn chờ xác nhận" in response.text
    assert 'id="confirm-form"' not in response.text
    assert 'id="return-form"' not in response.text
    response = client.post(review_url(programme), {"action": "return", "return-reason": "Muộn rồi"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    version = programme.versions.get(number=1)
    assert version.state == VersionState.CONFIRMED
    assert version.return_reason == ""


def test_amendment_review_shows_reason_link_to_comparison_and_what_changed(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    version = services.amendment_start(programme=programme, reason="Đổi thời hạn", acting_user=cast.member.user)
    terms = version.terms.get(position=1)
    services.commitment_update(
        terms=terms, content={"deadline": datetime.date(2026, 9, 30)}, acting_user=cast.member.user
    )
    submit(programme, 2)
    text = client_for(cast.secretary.user).get(review_url(programme, 2)).text
    assert "Đổi thời hạn" in text
    assert reverse("programmes:version_compare", args=[programme.pk]) + "?tu=1&amp;den=2" in text
    assert "Thời hạn đã thay đổi" in text


def test_unknown_action_is_a_bad_request(cast):
    version = submitted_by_member(cast)
    response = client_for(cast.secretary.user).post(review_url(version.programme), {"action": "delete"})
    assert response.status_code == 400


# --- Notifications --------------------------------------------------------------------------------------------


def _notify(user, count: int) -> None:
    for number in range(count):
        notify(recipient=user, subject=f"Thông báo số {number}", body="Nội dung", link="/chuong-trinh/")


def test_notifications_newest_first_unread_marked_and_header_counts_them(cast):
    user = cast.member.user
    _notify(user, 2)
    Notification.objects.filter(subject="Thông báo số 0").update(read_at="2026-01-02T00:00:00Z")
    text = client_for(user).get(reverse("programmes:notification_list")).text
    assert text.index("Thông báo số 1") < text.index("Thông báo số 0")
    assert text.count("Chưa đọc") == 1
    assert "Thông báo (1 chưa đọc)" in text
    assert 'href="/chuong-trinh/"' in text


def test_mark_all_read(cast):
    user = cast.member.user
    _notify(user, 3)
    client = client_for(user)
    response = client.post(reverse("programmes:notification_list"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    text = client.get(reverse("programmes:notification_list")).text
    assert "Chưa đọc" not in text
    assert "chưa đọc)" not in text


def test_notifications_are_only_ones_own(cast):
    _notify(cast.member.user, 1)
    text = client_for(cast.outsider.user).get(reverse("programmes:notification_list")).text
    assert "Thông báo số 0" not in text
    assert "Chưa có thông báo nào." in text


def test_notification_list_costs_the_same_queries_for_1_and_5(cast, django_assert_num_queries):
    user = cast.member.user
    client = client_for(user)
    _notify(user, 1)
    client.get(reverse("programmes:notification_list"))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("programmes:notification_list"))
    one = len(captured)
    _notify(user, 4)
    assert one == NOTIFICATION_LIST_QUERIES
    with django_assert_num_queries(NOTIFICATION_LIST_QUERIES):
        response = client.get(reverse("programmes:notification_list"))
    assert response.text.count("Nội dung") >= 5


def _header_query(user) -> str:
    """The SQL of the menu's counts on a page the user opens."""
    with CaptureQueriesContext(connection) as context:
        text = client_for(user).get(reverse("programmes:notification_list")).text
    (query,) = [query["sql"] for query in context.captured_queries if '"unread"' in query["sql"]]
    return text + "\n" + query


def test_the_menu_counts_the_confirmation_queue_for_a_bodys_secretary_only(cast):
    submit(make_draft(cast.member))
    # The cell's secretary, whom the version waits for: counted in the menu.
    assert "Chờ xác nhận (1)" in _header_query(cast.secretary.user)
    # Anyone else holds no secretary's post, so nothing can wait for them: the menu's one query does not read the
    # versions at all.
    for user in (cast.member.user, cast.org_board, cast.outsider.user):
        page_and_query = _header_query(user)
        assert "Chờ xác nhận (" not in page_and_query
        assert "programmes_programmeversion" not in page_and_query.rsplit("\n", 1)[1]
    # A secretary whose post has ended is asked no more.
    Position.objects.filter(cadre=cast.secretary, party_post=PartyPost.SECRETARY).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert "Chờ xác nhận (" not in _header_query(cast.secretary.user)
