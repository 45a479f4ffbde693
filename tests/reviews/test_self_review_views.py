"""The member's bản kiểm điểm page (save, check, submit), review prompts and comments, for the cast."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes.progress import progress_report
from programmes.models import AuditEvent, Evidence, Notification, ProgressStatus
from reviews.models import RatingLevel, Review, ReviewInput, ReviewState, Verdict
from reviews.services.self_review import AUTOSAVE_SITTING
from tests.factories import client_for
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import SECTIONS, open_period

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTMX = {"HX-Request": "true"}
TOO_FEW_POINTS = "Tổng 88 điểm chỉ đạt mức “Hoàn thành tốt nhiệm vụ”, chưa đủ để xếp “Hoàn thành xuất sắc nhiệm vụ”."


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def member_review(cast, *, rule_code: str = "366-2025", with_programme: bool = True) -> Review:
    if with_programme:
        make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board, rule_code=rule_code)
    return Review.objects.get(period=period, cadre=cast.member)


def edit_url(review: Review) -> str:
    return reverse("reviews:self_review_edit", args=[review.pk])


def submit_url(review: Review) -> str:
    return reverse("reviews:self_review_submit", args=[review.pk])


def detail_url(review: Review) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


def draft(
    review: Review,
    *,
    general: Any = 27,
    task: Any = 60,
    level: str = RatingLevel.GOOD,
    verdict: str = Verdict.DONE,
    **overrides: Any,
) -> dict[str, Any]:
    """The edit form as the member sends it."""
    data: dict[str, Any] = {
        "review_form": "2A",
        "remedies_done": "",
        "prompt_answers": "",
        "collective_responsibility": "",
        **SECTIONS,
        "self_level": level,
    }
    if general is not None:
        data["self_general_points"] = general
    if task is not None:
        data["self_task_points"] = task
    for assessment in review.assessments.all():
        data[f"verdict_{assessment.pk}"] = verdict
        data[f"cause_{assessment.pk}"] = ""
    data.update(overrides)
    return data


def pdf_upload(name: str = "nhan-xet-noi-cu-tru.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- Who may open the pages ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_page(cast):
    review = member_review(cast, with_programme=False)
    client_for(cast.secretary.user).post(
        reverse("reviews:input_add", args=[review.pk]),
        {"source": "workplace", "author": "Cơ quan", "text": "Tốt", "received_on": "2026-12-01"},
    )
    entry = ReviewInput.objects.get()
    client = Client()
    for method, url in (
        ("get", edit_url(review)),
        ("post", edit_url(review)),
        ("post", submit_url(review)),
        ("get", reverse("reviews:prompt_add", args=[review.pk])),
        ("get", reverse("reviews:input_add", args=[review.pk])),
        ("get", reverse("reviews:input_download", args=[entry.pk])),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_nobody_but_the_subject_opens_or_submits_the_bản_kiểm_điểm(cast):
    review = member_review(cast, with_programme=False)
    for user in (cast.secretary.user, cast.committee_staff.user, cast.head.user, cast.org_board):
        client = client_for(user)
        assert client.get(edit_url(review)).status_code == 403
        assert client.post(edit_url(review), draft(review)).status_code == 403
        assert client.post(submit_url(review)).status_code == 403
    for user in (cast.outsider.user, cast.overseer):
        client = client_for(user)
        assert client.get(edit_url(review)).status_code == 404
        assert client.post(submit_url(review)).status_code == 404
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_DRAFTING
    assert review.strengths == ""


# --- The edit page -------------------------------------------------------------------------------------------


def test_member_sees_the_form_with_header_sections_commitments_and_their_progress(cast):
    review = member_review(cast)
    assessment = review.assessments.order_by("position")[0]
    progress_report(
        commitment=assessment.commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        note="Đã xong",
        files=[pdf_upload("so-theo-doi.pdf")],
        acting_user=cast.member.user,
    )
    evidence = Evidence.objects.get()

    response = client_for(cast.member.user).get(edit_url(review))

    assert response.status_code == 200
    text = response.text
    assert text.count("<h1") == 1
    assert "Trần Thị Ánh" in text
    assert "Chi bộ Khu phố 1A" in text
    assert review.period.title in text
    assert "Mẫu 2A" in text and "Mẫu 2C" in text
    for heading in (
        "I. Ưu điểm, kết quả đạt được",
        "II. Hạn chế, khuyết điểm và nguyên nhân",
        "IV. Giải trình những vấn đề được gợi ý kiểm điểm",
        "VI. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm",
        "Việc thực hiện chương trình hành động",
        "VII. Tự nhận mức xếp loại",
    ):
        assert heading in text, heading
    assert assessment.statement in text
    assert "Hoàn thành</span>" in text  # the commitment's live status, in words
    assert "so-theo-doi.pdf" in text
    assert reverse("programmes:evidence_download", args=[evidence.pk]) in text
    assert 'name="self_general_points"' in text and 'name="self_task_points"' in text
    assert "xuất sắc từ 90 điểm" in text
    assert "Kiểm tra trước khi nộp" in text
    assert "Phải sửa" in text  # nothing written yet
    assert f'hx-post="{edit_url(review)}"' in text
    assert f'formaction="{submit_url(review)}"' in text


def test_member_saves_the_draft_without_javascript(cast):
    review = member_review(cast)
    data = draft(review, review_form="2C", verdict=Verdict.PARTLY)
    first = review.assessments.order_by("position")[0]
    data[f"cause_{first.pk}"] = "Thiếu nhân lực ở bộ phận một cửa."

    member = client_for(cast.member.user)
    response = member.post(edit_url(review), data)

    assert response.status_code == 302
    assert response["Location"] == edit_url(review)
    review.refresh_from_db()
    assert review.form == "2C"
    assert review.strengths == SECTIONS["strengths"]
    assert (review.self_general_points, review.self_task_points, review.self_level) == (27, 60, "good")
    assert review.state == ReviewState.SELF_DRAFTING
    first.refresh_from_db()
    assert (first.self_verdict, first.self_cause) == (Verdict.PARTLY, "Thiếu nhân lực ở bộ phận một cửa.")
    page = member.get(edit_url(review)).text
    assert "Đã lưu bản nháp" in page
    assert "Nội dung số I.2 chưa hoàn thành đúng hạn: hãy nêu nguyên nhân." in page


def test_member_saves_with_htmx_and_the_check_panel_shows_what_the_points_reach(cast):
    review = member_review(cast)

    response = client_for(cast.member.user).post(
        edit_url(review), draft(review, general=28, task=60, level=RatingLevel.EXCELLENT), headers=HTMX
    )

    assert response.status_code == 200
    assert response.templates[0].name == "includes/review_self_check.html"
    text = response.text
    assert "<html" not in text
    assert TOO_FEW_POINTS in text
    assert "Phải sửa" in text
    assert "Tổng tự chấm: 88/100 điểm" in text
    assert 'id="self-review-status" hx-swap-oob="innerHTML"' in text
    assert "Đã lưu bản nháp" in text
    review.refresh_from_db()
    assert review.self_level == RatingLevel.EXCELLENT


def test_a_lower_level_than_the_points_reach_is_only_a_note(cast):
    review = member_review(cast)
    response = client_for(cast.member.user).post(
        edit_url(review), draft(review, general=28, task=60, level=RatingLevel.COMPLETED), headers=HTMX
    )
    text = response.text
    assert "Lưu ý" in text
    assert "Phải sửa" not in text
    assert "Không còn điều gì phải sửa trước khi nộp." in text


def test_points_out_of_range_are_refused_at_the_field_and_nothing_is_saved(cast):
    review = member_review(cast)
    member = client_for(cast.member.user)

    response = member.post(edit_url(review), draft(review, general=31), headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#self-review-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="self-review-form"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Bản nháp chưa được lưu" in response.text

    plain = member.post(edit_url(review), draft(review, general=31))
    assert plain.status_code == 200
    assert "id_self_general_points_error" in plain.text
    review.refresh_from_db()
    assert review.strengths == ""


def test_submit_is_refused_with_the_reasons_then_accepted_after_fixing(cast):
    review = member_review(cast)
    member = client_for(cast.member.user)

    refused = member.post(submit_url(review), draft(review, general=28, task=60, level=RatingLevel.EXCELLENT))

    assert refused.status_code == 200
    assert "Bản kiểm điểm chưa nộp được" in refused.text
    assert TOO_FEW_POINTS in refused.text
    assert "ít nhất 30% nhiệm vụ vượt yêu cầu" in refused.text
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_DRAFTING
    assert review.self_level == RatingLevel.EXCELLENT  # the draft was saved before the check

    with_htmx = member.post(submit_url(review), draft(review, general=28, task=60, level="excellent"), headers=HTMX)
    assert with_htmx.status_code == 200
    assert 'id="submit-refused"' in with_htmx.text
    assert TOO_FEW_POINTS in with_htmx.text

    accepted = member.post(submit_url(review), draft(review, general=28, task=60, level=RatingLevel.GOOD))

    assert accepted.status_code == 302
    assert accepted["Location"] == detail_url(review)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert review.self_level == RatingLevel.GOOD
    assert review.self_submitted_at is not None


def test_submit_with_htmx_sends_the_browser_to_the_review_page(cast):
    review = member_review(cast)
    response = client_for(cast.member.user).post(submit_url(review), draft(review), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(review)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED


def test_a_bare_submit_checks_what_was_saved(cast):
    review = member_review(cast, with_programme=False)
    member = client_for(cast.member.user)
    assert "Chưa viết phần" in member.post(submit_url(review)).text
    member.post(edit_url(review), draft(review))
    assert member.post(submit_url(review))["Location"] == detail_url(review)


def test_a_submitted_review_is_no_longer_editable(cast):
    review = member_review(cast)
    member = client_for(cast.member.user)
    member.post(submit_url(review), draft(review))

    response = member.get(edit_url(review))
    assert response.status_code == 302
    assert response["Location"] == detail_url(review)
    again = member.post(edit_url(review), draft(review, level=RatingLevel.COMPLETED))
    assert again["Location"] == detail_url(review)
    review.refresh_from_db()
    assert review.self_level == RatingLevel.GOOD


def test_a_124_2023_period_has_no_points_and_accepts_a_level_alone(cast):
    review = member_review(cast, rule_code="124-2023")
    member = client_for(cast.member.user)

    page = member.get(edit_url(review)).text
    assert 'name="self_general_points"' not in page
    assert 'name="self_task_points"' not in page
    assert "không chấm điểm" in page
    assert "Quy định 124-QĐ/TW" in page

    response = member.post(submit_url(review), draft(review, general=None, task=None, level=RatingLevel.GOOD))

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_SUBMITTED
    assert (review.self_general_points, review.self_task_points) == (None, None)


# --- Prompts -------------------------------------------------------------------------------------------------


def test_committee_prompt_appears_in_section_iv_and_notifies_the_member(cast):
    review = member_review(cast, with_programme=False)
    staff = client_for(cast.committee_staff.user)
    url = reverse("reviews:prompt_add", args=[review.pk])
    assert staff.get(url).status_code == 200

    response = staff.post(url, {"text": "Làm rõ việc chậm giải quyết hồ sơ của hộ ông Năm."})

    assert response.status_code == 302
    assert response["Location"] == detail_url(review)
    notification = Notification.objects.get(recipient=cast.member.user)
    assert notification.body == "Làm rõ việc chậm giải quyết hồ sơ của hộ ông Năm."
    page = client_for(cast.member.user).get(edit_url(review)).text
    assert "Nội dung gợi ý kiểm điểm cần giải trình" in page
    assert "Làm rõ việc chậm giải quyết hồ sơ của hộ ông Năm." in page


def test_an_empty_prompt_is_refused_at_the_field(cast):
    review = member_review(cast, with_programme=False)
    response = client_for(cast.secretary.user).post(reverse("reviews:prompt_add", args=[review.pk]), {"text": " "})
    assert response.status_code == 200
    assert "id_text_error" in response.text
    assert not review.prompts.exists()


def test_only_those_who_act_on_the_review_add_prompts_or_comments(cast):
    review = member_review(cast, with_programme=False)
    for name in ("prompt_add", "input_add"):
        url = reverse(f"reviews:{name}", args=[review.pk])
        assert client_for(cast.member.user).get(url).status_code == 403, name
        assert client_for(cast.outsider.user).get(url).status_code == 404, name
        assert client_for(cast.overseer).get(url).status_code == 404, name
        assert client_for(cast.secretary.user).get(url).status_code == 200, name
    response = client_for(cast.member.user).post(reverse("reviews:prompt_add", args=[review.pk]), {"text": "Tự gợi ý"})
    assert response.status_code == 403
    assert not review.prompts.exists()


# --- Comments with documents ---------------------------------------------------------------------------------


def add_comment(client: Client, review: Review, **fields: Any) -> Any:
    """The comments form sent: the ward's People's Committee writes "Hoàn thành tốt.", unless `fields` say otherwise
    (a `document` among them)."""
    data = {"source": "workplace", "author": "UBND phường", "text": "Hoàn thành tốt.", "received_on": "2026-12-05"}
    return client.post(reverse("reviews:input_add", args=[review.pk]), data | fields)


def test_a_comment_with_a_pdf_is_downloadable_by_those_who_read_the_review_only(cast):
    review = member_review(cast, with_programme=False)
    response = add_comment(
        client_for(cast.secretary.user),
        review,
        source="residence_cell",
        author="Chi ủy Chi bộ Khu phố 3",
        text="Gương mẫu, tích cực tham gia sinh hoạt nơi cư trú.",
        document=pdf_upload(),
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(review)
    entry = ReviewInput.objects.get()
    assert entry.document_sha256
    url = reverse("reviews:input_download", args=[entry.pk])

    for user in (cast.secretary.user, cast.member.user):
        download = client_for(user).get(url)
        assert download.status_code == 200
        assert download.getvalue() == PDF_BYTES
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == f'attachment; filename="nhan-xet-{entry.pk}.pdf"'
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Security-Policy"] == "sandbox"
        assert download["Cache-Control"] == "private"
    for user in (cast.outsider.user, cast.overseer):
        assert client_for(user).get(url).status_code == 404


def test_a_comment_without_document_has_nothing_to_download(cast):
    review = member_review(cast, with_programme=False)
    add_comment(client_for(cast.secretary.user), review)
    entry = ReviewInput.objects.get()
    assert client_for(cast.secretary.user).get(reverse("reviews:input_download", args=[entry.pk])).status_code == 404
    assert (
        client_for(cast.secretary.user).get(reverse("reviews:input_download", args=[entry.pk + 99])).status_code == 404
    )


def test_a_file_that_is_not_what_it_says_is_refused_at_the_field(cast):
    review = member_review(cast, with_programme=False)
    not_a_pdf = SimpleUploadedFile("nhan-xet.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = add_comment(client_for(cast.secretary.user), review, document=not_a_pdf)
    assert response.status_code == 200
    assert "id_document_error" in response.text
    assert "không thuộc loại được nhận" in response.text
    assert not ReviewInput.objects.exists()


def test_a_file_over_the_size_limit_is_refused(cast, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    review = member_review(cast, with_programme=False)
    big = b"%PDF-1.4\n" + b"0" * int(1.1 * 1024 * 1024)
    response = add_comment(client_for(cast.secretary.user), review, document=pdf_upload(data=big))
    assert response.status_code == 200
    assert "vượt giới hạn 1 MB" in response.text
    assert not ReviewInput.objects.exists()


def test_a_leader_writes_on_form_2b_and_cannot_switch_it(cast):
    review = member_review(cast, with_programme=False)
    Review.objects.filter(pk=review.pk).update(form="2B")
    member = client_for(cast.member.user)

    page = member.get(edit_url(review)).text
    assert "Mẫu 2B: cán bộ lãnh đạo, quản lý" in page
    assert 'name="review_form"' not in page
    assert "năng lực lãnh đạo, quản lý" in page  # what section I asks of a leader

    data = draft(review)
    del data["review_form"]
    assert member.post(edit_url(review), {**data, "review_form": "2A"}).status_code == 302
    review.refresh_from_db()
    assert review.form == "2B"


# --- As the member types: the live check and the automatic save -------------------------------------------------


def _self_saves(review: Review) -> int:
    return AuditEvent.objects.filter(action="review.self_save", object_id=str(review.pk)).count()


@pytest.mark.postgres
def test_the_live_check_judges_the_draft_as_typed_and_saves_nothing(cast):
    review = member_review(cast)
    member = client_for(cast.member.user)

    response = member.post(
        edit_url(review),
        draft(review, general=28, task=60, level=RatingLevel.EXCELLENT, strengths="", mode="check"),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.templates[0].name == "includes/review_self_check.html"
    assert TOO_FEW_POINTS in response.text  # the same rules as at submission, on what is on screen
    assert "Chưa viết phần “" in response.text
    assert "Tổng tự chấm: 88/100 điểm" in response.text
    assert "Kiểm tra theo nội dung đang viết" in response.text
    review.refresh_from_db()
    assert (review.self_level, review.self_general_points, review.shortcomings) == ("", None, "")
    assert _self_saves(review) == 0

    out_of_range = member.post(edit_url(review), draft(review, general=31, mode="check"), headers=HTMX)
    assert out_of_range.templates[0].name == "includes/review_self_check.html"  # the form being typed stays
    assert "Phải sửa" in out_of_range.text and "30" in out_of_range.text


@pytest.mark.postgres
def test_automatic_saves_keep_the_draft_with_one_history_line_for_the_sitting(cast):
    review = member_review(cast)
    member = client_for(cast.member.user)

    for strengths in ("Gương mẫu", "Gương mẫu, đúng giờ", "Gương mẫu, đúng giờ, tận tụy"):
        response = member.post(edit_url(review), draft(review, strengths=strengths, mode="autosave"), headers=HTMX)
        assert response.status_code == 200
        assert "Đã tự động lưu bản nháp lúc" in response.text

    review.refresh_from_db()
    assert review.strengths == "Gương mẫu, đúng giờ, tận tụy"
    assert _self_saves(review) == 1
    # "Lưu bản nháp" is the member's own act: it always goes into the history.
    member.post(edit_url(review), draft(review), headers=HTMX)
    assert _self_saves(review) == 2
    member.post(edit_url(review), draft(review, mode="autosave"), headers=HTMX)
    assert _self_saves(review) == 2


@pytest.mark.postgres
def test_an_automatic_save_after_the_sitting_adds_a_line_and_a_refused_one_saves_nothing(cast):
    review = member_review(cast)
    member = client_for(cast.member.user)
    # A saving of an earlier sitting, longer ago than the sitting lasts.
    AuditEvent.objects.create(
        actor=cast.member.user,
        actor_repr=cast.member.user.username,
        action="review.self_save",
        content_type=ContentType.objects.get_for_model(Review),
        object_id=str(review.pk),
        at=timezone.now() - AUTOSAVE_SITTING - datetime.timedelta(minutes=1),
    )
    member.post(edit_url(review), draft(review, strengths="Mới", mode="autosave"), headers=HTMX)
    assert _self_saves(review) == 2
    member.post(edit_url(review), draft(review, strengths="Mới", mode="autosave"), headers=HTMX)
    assert _self_saves(review) == 2

    refused = member.post(edit_url(review), draft(review, general=31, strengths="Khác", mode="autosave"), headers=HTMX)
    assert "Chưa tự động lưu được" in refused.text
    review.refresh_from_db()
    assert review.strengths == "Mới"


def test_the_page_offers_live_checking_autosave_and_a_print_view(cast):
    review = member_review(cast)
    page = client_for(cast.member.user).get(edit_url(review)).text
    assert "js/self_review_form.js" in page
    assert 'css/self_review_print.css" media="print"' in page
    assert "data-live-check" in page and "In bản nháp" in page
