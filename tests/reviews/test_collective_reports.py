"""The collective's report (Mẫu 01): its head writes it for a period that rates collectives, the committee directly
above reads it from its table of ratings, and nobody else reaches it (404)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programmes.models import AuditEvent, OrganisationKind, PartyPost
from reviews import access, services
from reviews.audit_actions import ReviewAction
from reviews.models import CollectiveReport
from tests.factories import PositionFactory, client_for, make_member, make_organisation
from tests.reviews.review_data import committee_member, open_period
from tests.reviews.test_organisation_ratings import collective_period

pytestmark = pytest.mark.django_db

SECTIONS = {
    "tasks": "Lãnh đạo chuyển đổi số trong khu phố.\nVận động nhân dân giữ gìn vệ sinh môi trường.",
    "results": "Hoàn thành 2/2 nhiệm vụ; chuyển đổi số vượt yêu cầu.",
    "shortcomings": "Sinh hoạt chi bộ có lúc chưa đều; nguyên nhân: nhiều đảng viên cao tuổi.",
    "remedies": "",
    "direction": "Sinh hoạt chuyên đề mỗi quý, phân công đảng viên trẻ hỗ trợ.",
}


def page(period, organisation) -> str:
    return reverse("reviews:collective_report", args=[period.pk, organisation.pk])


def test_the_head_writes_the_report_and_a_second_save_replaces_the_first(cast):
    period = collective_period(cast)
    report = services.collective_report_save(
        period=period, organisation=cast.grassroots, sections=SECTIONS, acting_user=cast.head.user
    )
    assert report.task_lines == [
        "Lãnh đạo chuyển đổi số trong khu phố.",
        "Vận động nhân dân giữ gìn vệ sinh môi trường.",
    ]
    services.collective_report_save(
        period=period,
        organisation=cast.grassroots,
        sections=SECTIONS | {"results": "Hoàn thành 2/2 nhiệm vụ."},
        acting_user=cast.head.user,
    )
    assert CollectiveReport.objects.get().results == "Hoàn thành 2/2 nhiệm vụ."
    assert AuditEvent.objects.filter(action=ReviewAction.COLLECTIVE_REPORT).count() == 2


def test_only_the_head_writes_and_every_required_section_is_asked_for(cast):
    period = collective_period(cast)
    for user in (cast.committee_staff.user, cast.org_board, cast.secretary.user):
        with pytest.raises(PermissionDenied):
            services.collective_report_save(
                period=period, organisation=cast.grassroots, sections=SECTIONS, acting_user=user
            )
    with pytest.raises(ValidationError) as refused:
        services.collective_report_save(
            period=period,
            organisation=cast.grassroots,
            sections=SECTIONS | {"shortcomings": " ", "direction": ""},
            acting_user=cast.head.user,
        )
    assert set(refused.value.message_dict) == {"shortcomings", "direction"}
    assert not CollectiveReport.objects.exists()


def test_a_period_without_collectives_takes_no_report(cast):
    period = open_period(cast.ward, cast.org_board)
    with pytest.raises(ValidationError, match="kiểm điểm tập thể"):
        services.collective_report_save(
            period=period, organisation=cast.grassroots, sections=SECTIONS, acting_user=cast.head.user
        )


def test_the_head_writes_from_the_period_page_and_the_ward_reads_it_from_its_table(cast):
    period = collective_period(cast)
    head = client_for(cast.head.user)
    assert page(period, cast.grassroots) in head.get(reverse("reviews:period_detail", args=[period.pk])).text
    refused = head.post(page(period, cast.grassroots), SECTIONS | {"results": ""})
    assert refused.status_code == 200
    assert not CollectiveReport.objects.exists()
    assert head.post(page(period, cast.grassroots), SECTIONS).status_code == 302
    assert CollectiveReport.objects.get().written_by == cast.head.user

    board = client_for(cast.org_board)
    table = board.get(reverse("reviews:organisation_ratings", args=[period.pk, cast.ward.pk])).text
    assert page(period, cast.grassroots) in table
    shown = board.get(page(period, cast.grassroots))
    assert shown.status_code == 200
    assert "Vận động nhân dân giữ gìn vệ sinh môi trường." in shown.text
    assert "<textarea" not in shown.text
    # The ward's board staff read it but do not write it.
    assert board.post(page(period, cast.grassroots), SECTIONS | {"results": "Khác."}).status_code == 200
    assert CollectiveReport.objects.get().results == SECTIONS["results"]


def test_others_get_404(cast):
    period = collective_period(cast)
    other_ward = committee_member(
        cast.cell_b, cast.other_ward, "other_standing", "Lý Văn Tâm", post=PartyPost.STANDING_MEMBER
    )
    for user in (other_ward, cast.committee_staff.user, cast.secretary.user, cast.member.user):
        assert client_for(user).get(page(period, cast.grassroots)).status_code == 404
    # Nor does the scope itself have a report in its own period: the ward is not rated within it.
    assert client_for(cast.org_board).get(page(period, cast.ward)).status_code == 404


def test_no_report_for_an_organisation_the_period_does_not_rate(cast):
    """A party group is never rated as a collective, nor an organisation dissolved before the period's end or formed
    after it: their heads write no report, and the page is 404 to them as to anyone."""
    period = collective_period(cast)
    group = make_organisation("Tổ đảng số 1", OrganisationKind.PARTY_GROUP, cast.cell_a)
    before_end, after_end = period.covers_to - timedelta(days=1), period.covers_to + timedelta(days=1)
    dissolved = make_organisation("Chi bộ Khu phố 9", OrganisationKind.GRASSROOTS_CELL, cast.ward, valid_to=before_end)
    formed_later = make_organisation(
        "Chi bộ Khu phố 11", OrganisationKind.GRASSROOTS_CELL, cast.ward, valid_from=after_end
    )
    for number, organisation in enumerate((group, dissolved, formed_later)):
        head = make_member(cast.cell_b, f"head_{number}", full_name=f"Nguyễn Văn Trưởng {number}")
        PositionFactory(cadre=head, organisation=organisation, party_post=PartyPost.SECRETARY)
        assert head.user is not None
        assert access.can_write_collective_report(head.user, organisation)
        with pytest.raises(ValidationError) as refused:
            services.collective_report_save(
                period=period, organisation=organisation, sections=SECTIONS, acting_user=head.user
            )
        assert refused.value.messages == [
            f"{organisation.name} không được xếp loại trong đợt kiểm điểm này (tổ đảng, tổ chức ngoài phạm vi đợt, "
            "hoặc không còn hay chưa hoạt động vào ngày 31/12/2026), nên không có báo cáo kiểm điểm tập thể."
        ]
        writer = client_for(head.user)
        assert writer.get(page(period, organisation)).status_code == 404
        assert writer.post(page(period, organisation), SECTIONS).status_code == 404
    assert not CollectiveReport.objects.exists()
    # The period page offers a head the report of each organisation they head that the period rates, only those.
    for organisation in (group, dissolved, formed_later):
        PositionFactory(cadre=cast.head, organisation=organisation, party_post=PartyPost.SECRETARY)
    period_page = client_for(cast.head.user).get(reverse("reviews:period_detail", args=[period.pk])).text
    assert page(period, cast.grassroots) in period_page
    for organisation in (group, dissolved, formed_later):
        assert page(period, organisation) not in period_page
