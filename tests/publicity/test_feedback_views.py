"""The feedback pages: the citizen's form and tracking page, the oversight workspace and the cadre's reply."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from programmes.action_programmes import publication
from programmes.models import PublicityLevel, Role
from publicity import feedback
from publicity.models import CaseState, FeedbackCase, Verification
from tests.factories import make_member
from tests.programmes.programme_data import make_confirmed
from tests.publicity.feedback_data import SENDER, overseer_of, send
from tests.publicity.public_data import make_public, owner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(cast):
    return make_public(cast.member, cast.secretary.user)


def _form_answer(page: str) -> dict[str, str]:
    """The hidden challenge and the answer a person gives to the question shown."""
    token = re.search(r'name="challenge" value="([^"]+)"', page)
    question = re.search(r"(\d+) cộng (\d+) bằng bao nhiêu", page)
    assert token and question, "the form asks its question"
    return {"challenge": token.group(1), "answer": str(int(question.group(1)) + int(question.group(2)))}


def _post_feedback(client: Client, programme, **fields: str):
    address = reverse("publicity:feedback_new", args=[programme.pk])
    data = {
        "kind": "suggestion",
        "commitment": "",
        "text": "Đề nghị công khai lịch tiếp dân.",
        **_form_answer(client.get(address).text),
    }
    data.update(fields)
    return client.post(address, data, REMOTE_ADDR="192.0.2.44")


def test_a_visitor_sends_feedback_and_reads_its_code(programme):
    client = Client()
    page = client.get(reverse("publicity:feedback_new", args=[programme.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"].startswith("noindex")

    response = _post_feedback(client, programme, **SENDER)

    case = FeedbackCase.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/gop-y/{case.tracking_code}/")
    shown = client.get(response["Location"]).text
    assert "Đã gửi. Xin cảm ơn bạn." in shown and case.tracking_code in shown
    assert SENDER["email"] not in shown and SENDER["phone"] not in shown and SENDER["name"] not in shown
    # The thanks are shown once; the page itself stays for whoever holds the code.
    again = client.get(response["Location"]).text
    assert "Đã gửi. Xin cảm ơn bạn." not in again and "Đã nhận, chờ tiếp nhận" in again


def test_a_commitment_link_preselects_it(programme):
    commitment = programme.commitments.order_by("pk").last()
    page = Client().get(reverse("publicity:feedback_new", args=[programme.pk]) + f"?cam_ket={commitment.pk}").text
    assert f'<option value="{commitment.pk}" selected>' in page


def test_a_wrong_answer_or_a_filled_trap_is_refused_with_a_clear_message(programme):
    client = Client()
    wrong = _post_feedback(client, programme, answer="99")
    assert wrong.status_code == 400 and "Kết quả chưa đúng" in wrong.text
    trapped = _post_feedback(client, programme, website="http://spam.example")
    assert trapped.status_code == 400 and "Không gửi được. Hãy kiểm tra lại nội dung" in trapped.text
    assert "http://spam.example" not in trapped.text  # the trap comes back empty: a person just sends again
    expired = _post_feedback(client, programme, challenge="forged")
    assert expired.status_code == 400 and "Câu hỏi kiểm tra đã hết hạn" in expired.text
    assert not FeedbackCase.objects.exists()

    # The page shown again carries a fresh question with its own token: answering it sends the feedback.
    again = {
        "kind": "suggestion",
        "commitment": "",
        "text": "Đề nghị công khai lịch tiếp dân.",
        **_form_answer(expired.text),
    }
    address = reverse("publicity:feedback_new", args=[programme.pk])
    assert client.post(address, again, REMOTE_ADDR="192.0.2.44").status_code == 302
    assert FeedbackCase.objects.count() == 1


def test_a_burst_beyond_the_limit_is_refused_with_a_clear_message(programme):
    client = Client()
    for _number in range(3):
        assert _post_feedback(client, programme).status_code == 302

    refused = _post_feedback(client, programme)

    assert refused.status_code == 429
    assert "Bạn đã gửi 3 góp ý, phản ánh trong 10 phút qua, là mức tối đa." in refused.text
    assert FeedbackCase.objects.count() == 3


def test_the_form_of_an_unpublished_programme_does_not_exist(cast):
    from tests.programmes.programme_data import make_confirmed

    hidden = make_confirmed(cast.member, cast.secretary.user)
    assert Client().get(reverse("publicity:feedback_new", args=[hidden.pk])).status_code == 404


def test_tracking_by_code_shows_the_published_answer(cast, programme):
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    feedback.case_answer(
        case=case,
        verification=Verification.TRUE,
        answer="Ủy ban MTTQ đã làm việc với khu phố.",
        acting_user=cast.overseer,
    )
    client = Client()

    found = client.get(reverse("publicity:track"), {"ma": case.tracking_code.lower()})
    assert found.status_code == 302
    page = client.get(found["Location"]).text
    assert "Ủy ban MTTQ đã làm việc với khu phố." in page and "Đúng" in page
    for value in SENDER.values():
        assert value not in page

    unknown = client.get(reverse("publicity:track"), {"ma": "AAAAA-BBBBB"})
    assert unknown.status_code == 200 and "Không tìm thấy góp ý, phản ánh nào có mã này." in unknown.text
    assert client.get(reverse("publicity:track_case", args=["AAAAA-BBBBB"])).status_code == 404


def test_the_front_handles_a_case_from_its_workspace(cast, programme):
    case = send(programme)
    client = Client()
    client.force_login(cast.overseer)

    queue = client.get(reverse("oversight:queue")).text
    assert case.tracking_code in queue and cast.member.full_name in queue
    # Its state is the portal's badge, in the colour every page gives a case waiting on someone.
    badge = '<span class="badge text-bg-warning" data-state="feedback_case-received">Đã nhận, chờ tiếp nhận</span>'
    assert badge in queue
    page = client.get(reverse("oversight:case", args=[case.pk])).text
    assert SENDER["email"] in page  # the body handling the case may contact the sender

    assert client.post(reverse("oversight:accept", args=[case.pk])).status_code == 302
    forward = client.post(
        reverse("oversight:forward", args=[case.pk]),
        {"forward-organisation": cast.grassroots.pk, "forward-note": "Đề nghị xác minh"},
    )
    assert forward.status_code == 302
    missing = client.post(
        reverse("oversight:answer", args=[case.pk]), {"answer-verification": "true", "answer-answer": ""}
    )
    assert missing.status_code == 400 and "Nhập trả lời công khai cho người gửi" in missing.text
    answered = client.post(
        reverse("oversight:answer", args=[case.pk]), {"answer-verification": "true", "answer-answer": "Đúng."}
    )
    assert answered.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ANSWERED and case.forwarded_to == cast.grassroots


def test_another_wards_front_and_party_accounts_see_nothing_of_a_case(cast, programme):
    case = send(programme)
    other_front = overseer_of(cast.other_ward, Role.FRONT_OVERSEER)
    client = Client()
    client.force_login(other_front)
    assert case.tracking_code not in client.get(reverse("oversight:queue")).text
    assert client.get(reverse("oversight:case", args=[case.pk])).status_code == 404
    assert client.post(reverse("oversight:accept", args=[case.pk])).status_code == 404

    for party_user in (cast.head.user, cast.member.user):
        client.force_login(party_user)
        assert client.get(reverse("oversight:queue")).status_code == 403
        assert client.get(reverse("oversight:case", args=[case.pk])).status_code == 404


def test_the_cadre_replies_once_the_case_is_accepted_and_never_sees_the_sender(cast, programme):
    case = send(programme)
    client = Client()
    client.force_login(cast.member.user)
    address = reverse("oversight:owner_case", args=[case.pk])
    assert client.get(address).status_code == 404  # not yet accepted

    assert case.tracking_code not in client.get(reverse("oversight:owner_cases")).text
    feedback.case_accept(case=case, acting_user=cast.overseer)
    cases = client.get(reverse("oversight:owner_cases")).text
    assert case.tracking_code in cases and 'data-state="feedback_case-accepted"' in cases
    page = client.get(address).text
    for value in SENDER.values():
        assert value not in page
    assert client.post(address, {"text": "Tôi đã lên lịch đối thoại."}).status_code == 302
    case.refresh_from_db()
    assert case.cadre_reply == "Tôi đã lên lịch đối thoại."


def test_feedback_pages_keep_a_fixed_number_of_queries(cast, programme, django_assert_num_queries):
    for _number in range(3):
        send(programme, address=f"192.0.2.{_number}")
    client = Client()
    form_address = reverse("publicity:feedback_new", args=[programme.pk])
    case = FeedbackCase.objects.get(source_digest=feedback.source_digest("192.0.2.0"))
    track_address = reverse("publicity:track_case", args=[case.tracking_code])
    client.get(form_address)
    with django_assert_num_queries(2):
        client.get(form_address)
    # The case with its programme, and whether the programme is still published.
    with django_assert_num_queries(2):
        client.get(track_address)

    client.force_login(cast.overseer)
    client.get(reverse("oversight:queue"))
    # The queue's page, and the areas its search offers.
    with django_assert_num_queries(8):
        client.get(reverse("oversight:queue"))
    for _number in range(10):
        send(programme, address=f"192.0.2.{_number + 10}")
    with django_assert_num_queries(8):
        client.get(reverse("oversight:queue"))


def test_overseers_list_the_programmes_published_to_them_in_their_area_only(cast, programme):
    colleague = make_member(cast.cell_a, "phuc", full_name="Lý Văn Phúc")
    for_the_front = make_confirmed(
        colleague, cast.secretary.user, publicity_max=PublicityLevel.OVERSIGHT, title="Chương trình cho Mặt trận"
    )
    owner = owner_user(for_the_front)
    publication.consent_give(programme=for_the_front, acting_user=owner)
    publication.publicity_set(programme=for_the_front, level=PublicityLevel.OVERSIGHT, acting_user=owner)
    client = Client()
    client.force_login(cast.overseer)
    listing = client.get(reverse("programmes:programme_list")).text
    assert "Chương trình cho Mặt trận" in listing and programme.title in listing

    client.force_login(overseer_of(cast.other_ward))
    listing = client.get(reverse("programmes:programme_list")).text
    assert "Chương trình cho Mặt trận" not in listing and programme.title not in listing


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(programme, settings):
    from django.test import RequestFactory

    from programmes.middleware import client_address

    settings.PORTAL_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    # The proxy's own entry is believed; what the client wrote before it is not.
    assert client_address(request) == "198.51.100.9"
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"

    settings.PORTAL_TRUSTED_PROXIES = 1
    client = Client()
    address = reverse("publicity:feedback_new", args=[programme.pk])
    for number in range(4):
        data = {"kind": "suggestion", "commitment": "", "text": "Góp ý", **_form_answer(client.get(address).text)}
        forwarded = f"6.6.6.6, 198.51.100.{number}"
        assert client.post(address, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code == 302
    assert FeedbackCase.objects.count() == 4


def test_the_programme_page_publishes_answers_but_never_the_sender_or_their_words(cast, programme):
    answered, waiting = send(programme), send(programme, text="Một phản ánh chưa xử lý.")
    feedback.case_accept(case=answered, acting_user=cast.overseer)
    feedback.case_reply(case=answered, text="Đã lên lịch đối thoại.", acting_user=cast.member.user)
    feedback.case_answer(
        case=answered, verification=Verification.PARTLY, answer="Đã có lịch.", acting_user=cast.overseer
    )

    page = Client().get(reverse("publicity:public_programme", args=[programme.pk])).text

    assert "Đã có lịch." in page and "Đúng một phần" in page and "Đã lên lịch đối thoại." in page
    assert answered.text not in page and waiting.text not in page
    for value in SENDER.values():
        assert value not in page


def test_a_case_page_outlives_the_programme_but_shows_it_only_while_published(cast, programme):
    from tests.publicity.public_data import unpublish

    commitment = programme.commitments.order_by("pk").first()
    case = send(programme, commitment=commitment)
    address = reverse("publicity:track_case", args=[case.tracking_code])
    assert programme.title in Client().get(address).text

    unpublish(programme)
    page = Client().get(address).text
    assert "Chương trình này không còn được công khai." in page
    assert programme.title not in page and cast.member.full_name not in page
    assert reverse("publicity:public_programme", args=[programme.pk]) not in page


def test_a_duplicate_never_reveals_the_code_of_the_case_it_repeats(cast, programme):
    first, second = send(programme), send(programme)
    feedback.case_reject(
        case=second, reason="duplicate", note="Đã nhận.", duplicate_code=first.tracking_code, acting_user=cast.overseer
    )
    page = Client().get(reverse("publicity:track_case", args=[second.tracking_code])).text
    assert "Trùng với góp ý, phản ánh đã nhận" in page and first.tracking_code not in page


def test_the_oversight_case_page_has_no_duplicate_ids(cast, programme):
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    client = Client()
    client.force_login(cast.overseer)
    page = client.get(reverse("oversight:case", args=[case.pk])).text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_anonymous_visitors_and_other_cadres_are_refused_the_workspace_and_the_reply(cast, programme):
    case = send(programme)
    feedback.case_accept(case=case, acting_user=cast.overseer)
    private_pages = [
        reverse("oversight:queue"),
        reverse("oversight:case", args=[case.pk]),
        reverse("oversight:owner_cases"),
        reverse("oversight:owner_case", args=[case.pk]),
    ]
    anonymous = Client()
    for address in private_pages:
        response = anonymous.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/"), address
    for step in ("accept", "reject", "forward", "answer"):
        response = anonymous.post(reverse(f"oversight:{step}", args=[case.pk]))
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/"), step

    outsider = Client()
    outsider.force_login(cast.outsider.user)
    assert outsider.get(reverse("oversight:owner_case", args=[case.pk])).status_code == 404
    assert outsider.post(reverse("oversight:owner_case", args=[case.pk]), {"text": "x"}).status_code == 404
    assert case.tracking_code not in outsider.get(reverse("oversight:owner_cases")).text


def _forms_on(page: str) -> set[str]:
    """The decisions whose form the case page shows, by the step each form posts to."""
    return set(re.findall(r'<form method="post" action="/giam-sat/gop-y/\d+/([a-z-]+)/"', page))


def test_the_case_page_asks_what_to_do_and_shows_only_the_form_of_the_decision_chosen(cast, programme):
    case = send(programme)
    client = Client()
    client.force_login(cast.overseer)
    address = reverse("oversight:case", args=[case.pk])

    received = client.get(address).text
    assert "Đồng chí muốn làm gì?" in received
    assert re.findall(r'name="viec" id="viec-[a-z-]+" value="([a-z-]+)"', received) == ["tiep-nhan", "khong-tiep-nhan"]
    assert _forms_on(received) == set()
    assert _forms_on(client.get(address, {"viec": "tiep-nhan"}).text) == {"tiep-nhan"}
    rejecting = client.get(address, {"viec": "khong-tiep-nhan"}).text
    assert _forms_on(rejecting) == {"khong-tiep-nhan"} and 'value="khong-tiep-nhan" aria-describedby' in rejecting
    assert 'value="khong-tiep-nhan" aria-describedby="viec-khong-tiep-nhan-hint" checked' in rejecting
    # A decision not open in this state is not offered, whatever the address asks.
    assert _forms_on(client.get(address, {"viec": "tra-loi"}).text) == set()

    feedback.case_accept(case=case, acting_user=cast.overseer)
    accepted = client.get(address).text
    assert re.findall(r'name="viec" id="viec-[a-z-]+" value="([a-z-]+)"', accepted) == [
        "chuyen-xac-minh",
        "tra-loi",
        "khong-tiep-nhan",
    ]
    assert _forms_on(accepted) == set()
    assert _forms_on(client.get(address, {"viec": "chuyen-xac-minh"}).text) == {"chuyen-xac-minh"}
    # A refused answer comes back alone, with its error, whatever was chosen before.
    refused = client.post(reverse("oversight:answer", args=[case.pk]), {"answer-verification": "true"})
    assert refused.status_code == 400 and _forms_on(refused.text) == {"ket-qua"}

    feedback.case_forward(case=case, organisation=cast.grassroots, note="Đề nghị xác minh", acting_user=cast.overseer)
    forwarded = client.get(address).text
    # One decision left: no question, its form at once.
    assert "Đồng chí muốn làm gì?" not in forwarded and _forms_on(forwarded) == {"ket-qua"}
