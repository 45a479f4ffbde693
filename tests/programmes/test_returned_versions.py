"""A returned programme keeps its history: the returned version stays as it was sent, with its reasons, and
the correction is the next version, which the pages list and compare with it. Driven through the pages."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import RestrictedError
from django.urls import reverse

from programmes.action_programmes import services
from programmes.models import (
    ActionProgramme,
    CommitmentTerms,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
    VersionState,
)
from tests.factories import client_for, make_member
from tests.programmes.programme_data import commitment_content, make_confirmed, make_draft, submit
from tests.programmes.test_registration_views import commitment_post

pytestmark = pytest.mark.django_db

RETURN_REASON = "Chỉ tiêu chưa sát thực tế của khu phố."
RETURN_NOTE = "Đề nghị hạ chỉ tiêu xuống 95% và ghi rõ nguồn số liệu."


def url(name: str, programme: ActionProgramme, *args: object) -> str:
    return reverse(f"programmes:{name}", args=[programme.pk, *args])


def version(programme: ActionProgramme, number: int) -> ProgrammeVersion:
    return programme.versions.get(number=number)


def history_rows(page: str) -> list[str]:
    """The rows of the table of versions on the programme page, as text without markup or extra spaces."""
    table = page[page.index('id="versions-heading"') :]
    table = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = []
    for row in table.split("<tr>")[1:]:
        text = row
        while "<" in text:
            start = text.index("<")
            text = text[:start] + " " + text[text.index(">", start) + 1 :]
        rows.append(" ".join(text.split()))
    return rows


def return_through_the_page(programme: ActionProgramme, secretary) -> None:
    sent = version(programme, 1)
    first = sent.terms.get(position=1)
    response = client_for(secretary).post(
        url("programme_review", programme, 1),
        {"action": "return", "return-reason": RETURN_REASON, f"return-note_{first.pk}": RETURN_NOTE},
    )
    assert response.status_code == 302


def test_returned_then_corrected_programme_shows_both_versions_and_what_changed(cast):
    owner, secretary = cast.member.user, cast.secretary.user
    programme = make_draft(cast.member)
    submit(programme)
    sent_statements = list(version(programme, 1).terms.order_by("position").values_list("statement", "target_value"))

    # 1. The confirmer returns version 1 with a reason and a note on commitment 1.
    return_through_the_page(programme, secretary)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.RETURNED
    assert list(programme.versions.order_by("number").values_list("number", "state")) == [
        (1, VersionState.RETURNED),
        (2, VersionState.DRAFT),
    ]

    # 2. The owner opens the editor: it edits version 2, says why version 1 came back, shows the note.
    member = client_for(owner)
    editor = member.get(url("programme_edit", programme)).text
    assert "Phiên bản 1 đã được trả lại ngày" in editor
    assert RETURN_REASON in editor
    assert RETURN_NOTE in editor
    assert "Gửi lại để xác nhận" in editor
    correction_terms = version(programme, 2).terms.get(position=1)
    assert url("commitment_edit", programme, correction_terms.pk) in editor
    # The returned version's commitments cannot be reached from the editor any more.
    returned_terms = version(programme, 1).terms.get(position=1)
    response = member.post(
        url("commitment_edit", programme, returned_terms.pk),
        commitment_post(f"c{returned_terms.pk}", commitment_content(1, weight=60)),
    )
    assert response.status_code == 404

    # 3. The owner lowers the target of commitment 1 as asked, then sends version 2.
    response = member.post(
        url("commitment_edit", programme, correction_terms.pk),
        commitment_post(f"c{correction_terms.pk}", commitment_content(1, target_value=Decimal("95"), weight=60)),
    )
    assert response.status_code == 302
    response = member.post(url("programme_submit", programme))
    assert response.status_code == 302
    assert version(programme, 2).state == VersionState.SUBMITTED

    # 4. The confirmer reads the correction next to the return it answers, and confirms it.
    confirmer = client_for(secretary)
    assert "Gửi lại sau khi được trả lại để sửa" in confirmer.get(reverse("programmes:confirmation_queue")).text
    review = confirmer.get(url("programme_review", programme, 2)).text
    assert "Bản sửa theo ý kiến trả lại" in review
    assert RETURN_REASON in review
    assert "Chỉ tiêu đã thay đổi" in review
    response = confirmer.post(
        url("programme_review", programme, 2), {"action": "confirm", "confirm-publicity_max": str(PublicityLevel.CELL)}
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.state, programme.current_version) == (ProgrammeState.CONFIRMED, version(programme, 2))

    # 5. The history lists version 1, returned with its reason, and version 2, in force.
    rows = history_rows(member.get(url("programme_detail", programme)).text)
    assert len(rows) == 2
    assert rows[0].startswith("1 Đã trả lại Bản đăng ký đầu tiên")
    assert RETURN_REASON in rows[0]
    assert rows[1].startswith("2 Đang có hiệu lực Sửa theo ý kiến trả lại phiên bản 1")
    assert "So sánh phiên bản 1 với 2" in rows[1]

    # 6. The comparison of 1 and 2 lists commitment 1 as changed, its target moved, beside the note it answers.
    compare = member.get(url("version_compare", programme), {"tu": 1, "den": 2})
    assert compare.status_code == 200
    changes = {change.new_number: change for change in compare.context["changes"]}
    assert changes["I.1"].kind == "changed"
    assert [item.field for item in changes["I.1"].changes] == ["target_value"]
    assert changes["I.2"].kind == "unchanged"
    text = compare.text
    assert "Phiên bản 2 là bản sửa theo ý kiến trả lại phiên bản 1" in text
    assert "Ý kiến trả lại phiên bản 1:" in text
    assert RETURN_NOTE in text
    assert "Chỉ tiêu đã thay đổi" in text
    # The returned version is as it was sent.
    assert (
        list(version(programme, 1).terms.order_by("position").values_list("statement", "target_value"))
        == sent_statements
    )


def test_the_confirmer_compares_with_what_they_returned_and_other_readers_never_see_it(cast):
    programme = make_draft(cast.member)
    submit(programme)
    return_through_the_page(programme, cast.secretary.user)
    services.programme_submit(version=version(programme, 2), acting_user=cast.member.user)
    # The confirmer sees both (what they returned and what waits for them); the page compares them by default.
    response = client_for(cast.secretary.user).get(url("version_compare", programme))
    assert [item.number for item in response.context["versions"]] == [1, 2]
    assert (response.context["old"].number, response.context["new"].number) == (1, 2)
    services.programme_confirm(
        version=version(programme, 2), publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user
    )
    # A member of the cell reads the confirmed programme only: no returned version, nothing to compare.
    colleague = make_member(cast.cell_a, "colleague", full_name="Lý Thị Hoa")
    page = client_for(colleague.user).get(url("programme_detail", programme)).text
    assert RETURN_REASON not in page
    assert "Đã trả lại" not in page
    response = client_for(colleague.user).get(url("version_compare", programme))
    assert [item.number for item in response.context["versions"]] == [2]
    assert client_for(colleague.user).get(url("programme_review", programme, 1)).status_code == 403


def test_the_owner_s_page_after_a_return_shows_the_correction_and_why(cast):
    programme = make_draft(cast.member)
    submit(programme)
    return_through_the_page(programme, cast.secretary.user)
    page = client_for(cast.member.user).get(url("programme_detail", programme)).text
    assert "Đang hiển thị phiên bản 2" in page
    assert "Phiên bản 1 đã được trả lại ngày" in page
    assert RETURN_REASON in page
    assert RETURN_NOTE in page
    assert "Sửa chương trình" in page
    # The confirmer, who cannot see the owner's draft, sees the version they returned.
    page = client_for(cast.secretary.user).get(url("programme_detail", programme)).text
    assert "Đang hiển thị phiên bản 1" in page
    assert RETURN_REASON in page


def test_a_returned_amendment_leaves_the_version_in_force_and_its_correction_compares_with_it(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    services.amendment_start(programme=programme, reason="Nâng chỉ tiêu", acting_user=cast.member.user)
    amendment = submit(programme, number=2)
    services.programme_return(version=amendment, reason="Chưa nêu căn cứ.", acting_user=cast.secretary.user)
    member = client_for(cast.member.user)
    editor = member.get(url("programme_edit", programme)).text
    assert "Bản điều chỉnh (phiên bản 3)" in editor
    assert "Nâng chỉ tiêu" in editor
    assert "Chưa nêu căn cứ." in editor
    page = member.get(url("programme_detail", programme)).text
    assert "Có bản điều chỉnh (phiên bản 3)" in page
    assert "Phiên bản 2 đã được trả lại ngày" in page
    rows = history_rows(page)
    assert [row.split(" ")[0] for row in rows] == ["1", "2", "3"]
    assert "Chưa nêu căn cứ." in rows[1]
    assert "Sửa theo ý kiến trả lại phiên bản 2" in rows[2]


@pytest.mark.postgres
def test_the_migration_opens_the_correction_of_a_version_returned_before_versions_were_kept(cast):
    """A version returned under the old rule (the last one, nothing after it) gets its draft correction."""
    programme = make_draft(cast.member, weights=(100,))
    sent = submit(programme)
    CommitmentTerms.objects.filter(version=sent).update(return_note="Ghi rõ nguồn số liệu.")
    ProgrammeVersion.objects.filter(pk=sent.pk).update(state=VersionState.RETURNED, return_reason="Bổ sung")
    untouched = make_draft(cast.secretary)
    migration = importlib.import_module("programmes.migrations.0015_open_corrections_of_returned_versions")
    migration.open_corrections(apps, None)
    migration.open_corrections(apps, None)  # a second run changes nothing
    correction = version(programme, 2)
    assert (correction.state, correction.resubmission_of_id) == (VersionState.DRAFT, sent.pk)
    assert list(correction.terms.values_list("commitment_id", "statement", "return_note")) == list(
        sent.terms.values_list("commitment_id", "statement", "return_note")
    )
    assert untouched.versions.count() == 1
    services.programme_submit(version=correction, acting_user=cast.member.user)


@pytest.mark.postgres
def test_a_returned_version_goes_only_with_its_programme(cast):
    programme = make_draft(cast.member)
    services.programme_return(version=submit(programme), reason="Bổ sung", acting_user=cast.secretary.user)
    with pytest.raises(RestrictedError):
        version(programme, 1).delete()
    ActionProgramme.objects.filter(pk=programme.pk).delete()
    assert not ProgrammeVersion.objects.filter(programme_id=programme.pk).exists()
