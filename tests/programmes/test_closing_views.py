"""The end-of-term pages: “Kết thúc chương trình” and “Đánh giá cuối nhiệm kỳ” for the confirmer, the verdicts and
conclusion on the programme's page for its readers, and the printed “Báo cáo kết quả thực hiện”."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.action_programmes.services import close_programme
from programmes.audit_actions import ProgrammeAction
from programmes.models import AuditEvent, ClosingReason, Commitment, FinalVerdict, ProgrammeState, ProgressStatus
from tests.factories import client_for
from tests.pages import queries_of
from tests.programmes.closing_data import other_ward_people
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_documents import flowing_text
from tests.publicity.public_data import publish

pytestmark = pytest.mark.django_db


def page(programme):
    return reverse("programmes:programme_detail", args=[programme.pk])


def close_url(programme):
    return reverse("programmes:programme_close", args=[programme.pk])


def evaluation_url(programme):
    return reverse("programmes:programme_evaluation", args=[programme.pk])


def pdf_url(programme):
    return reverse("programmes:evaluation_pdf", args=[programme.pk])


def commitments_of(programme):
    return list(Commitment.objects.filter(terms__version=programme.current_version_id).order_by("terms__position"))


@pytest.fixture
def programme(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    first, second = commitments_of(programme)
    Commitment.objects.filter(pk=first.pk).update(status=ProgressStatus.ON_TRACK, value_reached=Decimal("112"))
    Commitment.objects.filter(pk=second.pk).update(status=ProgressStatus.AT_RISK, value_reached=Decimal("85.5"))
    return programme


def test_the_confirmer_closes_early_from_the_programme_page(cast, programme):
    confirmer = client_for(cast.secretary.user)
    assert close_url(programme) in confirmer.get(page(programme)).text
    assert close_url(programme) not in client_for(cast.member.user).get(page(programme)).text
    form = confirmer.get(close_url(programme))
    assert form.status_code == 200
    assert "Thôi giữ chức vụ" in form.text and "Lý do khác" in form.text

    response = confirmer.post(close_url(programme), {"reason": ClosingReason.LEFT_POST}, follow=True)

    assert response.redirect_chain[-1][0] == evaluation_url(programme)
    assert "Đã kết thúc chương trình" in response.text
    programme.refresh_from_db()
    assert (programme.state, programme.closed_reason) == (ProgrammeState.CLOSED, ClosingReason.LEFT_POST)
    assert AuditEvent.objects.filter(action=ProgrammeAction.CLOSE).count() == 1


def test_bad_input_is_refused_in_vietnamese_and_nothing_closes(cast, programme):
    confirmer = client_for(cast.secretary.user)

    no_reason = confirmer.post(close_url(programme), {})
    other_without_words = confirmer.post(close_url(programme), {"reason": ClosingReason.OTHER, "note": " "})

    assert no_reason.status_code == 200 and "Chọn lý do kết thúc" in no_reason.text
    assert "Với “Lý do khác”, hãy ghi rõ lý do kết thúc chương trình." in other_without_words.text
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED


def test_another_wards_staff_get_404_and_a_reader_who_is_not_the_confirmer_403(cast, programme):
    other_secretary, other_staff = other_ward_people(cast)
    for user in (other_secretary, other_staff):
        client = client_for(user)
        assert client.get(close_url(programme)).status_code == 404
        assert client.post(close_url(programme), {"reason": ClosingReason.LEFT_POST}).status_code == 404
        assert client.get(evaluation_url(programme)).status_code == 404
        assert client.get(pdf_url(programme)).status_code == 404
    owner = client_for(cast.member.user)
    refused = owner.post(close_url(programme), {"reason": ClosingReason.LEFT_POST})
    assert refused.status_code == 403
    assert "Chỉ người xác nhận chương trình" in refused.text
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED


def test_the_confirmer_evaluates_each_commitment_and_the_readers_see_the_verdicts(cast, programme):
    close_programme(None, programme, ClosingReason.TERM_ENDED)
    first, second = commitments_of(programme)
    confirmer = client_for(cast.secretary.user)
    assert evaluation_url(programme) in confirmer.get(page(programme)).text
    assert evaluation_url(programme) not in client_for(cast.member.user).get(page(programme)).text

    form = confirmer.get(evaluation_url(programme))
    assert form.status_code == 200
    # Promised, reached, status and the verdict the rule set.
    assert "từ 80 lên 100 %" in form.text and "112 %" in form.text and "85,5 %" in form.text
    assert "Có nguy cơ chậm" in form.text
    assert f'<option value="{FinalVerdict.EXCEEDED}" selected>' in form.text

    missing = confirmer.post(evaluation_url(programme), {f"verdict_{first.pk}": FinalVerdict.MET})
    assert "Nhập kết luận của người xác nhận" in missing.text
    assert not AuditEvent.objects.filter(action=ProgrammeAction.EVALUATE).exists()

    response = confirmer.post(
        evaluation_url(programme),
        {
            f"verdict_{first.pk}": FinalVerdict.MET,
            f"note_{first.pk}": "Số liệu chưa được bộ phận một cửa xác nhận",
            f"verdict_{second.pk}": FinalVerdict.PARTLY,
            f"note_{second.pk}": "",
            "conclusion": "Đồng chí hoàn thành tốt nhiệm vụ trong nhiệm kỳ",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == page(programme)
    assert AuditEvent.objects.filter(action=ProgrammeAction.EVALUATE).count() == 1
    for reader in (cast.member.user, cast.head.user):
        shown = client_for(reader).get(page(programme)).text
        assert "Đồng chí hoàn thành tốt nhiệm vụ trong nhiệm kỳ" in shown
        assert "Kết quả cuối nhiệm kỳ:</strong> Đạt –" in shown
        assert "Số liệu chưa được bộ phận một cửa xác nhận" in shown
        assert "Hết thời hạn thực hiện" in shown


def test_the_evaluation_is_not_open_before_the_programme_closes(cast, programme):
    assert client_for(cast.secretary.user).get(evaluation_url(programme)).status_code == 403


def test_the_report_prints_promised_and_reached_values_and_the_verdicts(cast, programme):
    close_programme(cast.secretary.user, programme, ClosingReason.TERM_ENDED)
    first, _second = commitments_of(programme)
    Commitment.objects.filter(pk=first.pk).update(final_note="Vượt chỉ tiêu nhờ số hóa hồ sơ")
    programme.final_conclusion = "Hoàn thành tốt nhiệm vụ được giao"
    programme.save(update_fields=["final_conclusion"])

    response = client_for(cast.member.user).get(pdf_url(programme))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flowing_text(response.content)
    assert "BÁO CÁO KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG" in text
    assert "I.1" in text and "I.2" in text
    assert "từ 80 lên 100 %" in text
    assert "30/06/2026" in text
    assert "112 %" in text and "85,5 %" in text
    assert "Vượt yêu cầu" in text and "Đạt một phần" in text
    assert "Vượt chỉ tiêu nhờ số hóa hồ sơ" in text
    assert "Hoàn thành tốt nhiệm vụ được giao" in text
    assert "Lê Văn Bình" in text


def test_readers_beyond_the_owners_chain_read_the_verdicts_but_not_the_evaluations_own_words(cast, programme):
    publish(programme)
    close_programme(cast.secretary.user, programme, ClosingReason.OTHER, note="Được điều động sang Đảng ủy xã")
    programme.final_conclusion = "Còn nể nang trong phê bình"
    programme.save(update_fields=["final_conclusion"])

    for reader in (cast.member.user, cast.secretary.user, cast.head.user):
        shown = client_for(reader).get(page(programme)).text
        assert "Còn nể nang trong phê bình" in shown and "Được điều động sang Đảng ủy xã" in shown
    overseer = client_for(cast.overseer)
    response = overseer.get(page(programme))
    assert response.status_code == 200
    assert "Kết quả cuối nhiệm kỳ" in response.text and "Lý do khác" in response.text
    assert "Còn nể nang trong phê bình" not in response.text
    assert "Được điều động sang Đảng ủy xã" not in response.text
    assert "Kết luận của người xác nhận" not in response.text
    text = flowing_text(overseer.get(pdf_url(programme)).content)
    assert "BÁO CÁO KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG" in text and "I.1" in text
    assert "Còn nể nang" not in text and "Được điều động" not in text
    assert "Kết luận của người xác nhận" not in text


def test_the_evaluation_page_and_its_report_cost_the_same_queries_for_2_and_for_6_commitments(cast):
    costs = []
    for weights in ((60, 40), (20, 20, 15, 15, 15, 15)):
        programme = make_confirmed(cast.member, cast.secretary.user, weights=weights, title=f"Chương trình {weights}")
        close_programme(cast.secretary.user, programme, ClosingReason.TERM_ENDED)
        confirmer = client_for(cast.secretary.user)
        form_url, report_url = evaluation_url(programme), pdf_url(programme)
        page_queries, page_answer = queries_of(lambda: confirmer.get(form_url))  # noqa: B023 - called at once
        pdf_queries, pdf_answer = queries_of(lambda: confirmer.get(report_url))  # noqa: B023 - called at once
        assert page_answer.status_code == pdf_answer.status_code == 200
        costs.append((page_queries, pdf_queries))
    assert costs[0] == costs[1], costs
