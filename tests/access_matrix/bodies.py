"""Bodies of POST rows that name one: what a browser would send to do the thing the row probes.

Each takes the world, the persona posting, the object's relation and its target, and returns the form data. The
admin's forms are read back from the change page as a system administrator shows them, then changed in the one
field the probe is about, so the form is valid but for the rule under test.
"""

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from programmes.models import (
    Cadre,
    ClosingReason,
    Commitment,
    FinalVerdict,
    Membership,
    PartyOrganisation,
    PartyPost,
    PublicityLevel,
    Role,
)
from publicity.feedback_forms import challenge_terms, new_challenge
from publicity.models import Verification
from reviews.models import AppealState, CellMeeting, RatingLevel, Review, ReviewPeriod, ReviewState
from reviews.services.collective import subordinates
from tests.access_matrix.world import GROUNDS, Target, World

Body = Callable[[World, str, str, Target], dict[str, Any]]

# The organisations a persona would pull an object into: their own ward's grassroots committee and first cell.
_HOME = {"board_b": ("grassroots_b", "cell_c")}
_DEFAULT_HOME = ("grassroots", "cell_a")


def _home(world: World, persona: str) -> tuple[PartyOrganisation, PartyOrganisation]:
    grassroots, cell = _HOME.get(persona, _DEFAULT_HOME)
    return world.organisations[grassroots], world.organisations[cell]


def _own_account(world: World, persona: str) -> int | str:
    user = world.users[persona]
    return user.pk if user is not None else ""


def _form_data(response: Any) -> dict[str, Any]:
    """What the browser posts back from a rendered admin form: every field and inline as shown."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
    return data


def _admin_form(world: World, url: str) -> dict[str, Any]:
    """The form of an admin page as a system administrator sees it (read once per page)."""
    if url not in world.admin_forms:
        client = Client()
        superuser = world.users["superuser"]
        assert superuser is not None
        client.force_login(superuser)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        world.admin_forms[url] = _form_data(response)
    return dict(world.admin_forms[url])


def _cadre_change(world: World, target: Target, account: int | str) -> dict[str, Any]:
    data = _admin_form(world, reverse("admin:programmes_cadre_change", args=[target.kwargs["object_id"]]))
    data["user"] = account
    return data


def link_own_account(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Issue 11, attack 3: the poster's own account on someone's cadre, to hold that cadre's posts."""
    return _cadre_change(world, target, _own_account(world, persona))


def link_outside_account(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """An account holding a role in ward B only, outside ward A's board staff's scope."""
    return _cadre_change(world, target, world.spare_accounts["outside"].pk)


def link_unlinked_account(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """An account with no cadre and no role: in every board's scope, so the form itself is valid."""
    return _cadre_change(world, target, world.spare_accounts["unlinked"].pk)


def revert_into_home_cell(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Issue 11, attack 1: a history "revert" of a membership that moves the member into the poster's cell."""
    membership = Membership.objects.get(pk=target.args[0])
    _grassroots, cell = _home(world, persona)
    return {
        "cadre": membership.cadre_id,
        "cell": cell.pk,
        "member_type": membership.member_type,
        "status": membership.status,
        "start_date": membership.start_date.isoformat(),
    }


def revert_link_own_account(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Issue 11, attack 1: a history "revert" of a cadre that puts the poster's account on it."""
    cadre = Cadre.objects.get(pk=target.args[0])
    return {
        "code": cadre.code,
        "full_name": cadre.full_name,
        "gender": cadre.gender,
        "user": _own_account(world, persona),
    }


def delete_selected(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """The changelist's "delete selected" action, confirmed, on the object."""
    return {"action": "delete_selected", "_selected_action": [target.kwargs["object_id"]], "post": "yes"}


def move_node(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """treebeard's drag and drop: the organisation under the poster's own grassroots committee."""
    assert target.watch is not None
    grassroots, _cell = _home(world, persona)
    return {"node": target.watch.pk, "target": grassroots.pk, "relation": "child"}


def grant_own_role(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """A role for the poster's own account, in their own ward."""
    grassroots, _cell = _home(world, persona)
    ward = PartyOrganisation.objects.get_parent(grassroots)
    assert ward is not None
    return {
        "user": _own_account(world, persona),
        "role": Role.FRONT_OVERSEER,
        "organisation": ward.pk,
        "start_date": "2026-01-01",
    }


def _other_ward_member(world: World, persona: str) -> Cadre:
    return world.subjects["own" if persona == "board_b" else "ward"].cadre


def post_for_other_ward_member(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """The other ward's member made secretary of the poster's grassroots committee."""
    grassroots, _cell = _home(world, persona)
    return {
        "cadre": _other_ward_member(world, persona).pk,
        "post_kind": "party",
        "party_post": PartyPost.SECRETARY,
        "organisation": grassroots.pk,
        "start_date": "2026-01-01",
    }


def membership_for_other_ward_member(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """The other ward's member given a membership in the poster's cell."""
    _grassroots, cell = _home(world, persona)
    return {
        "cadre": _other_ward_member(world, persona).pk,
        "cell": cell.pk,
        "member_type": "official",
        "status": "active",
        "start_date": "2026-01-01",
    }


# --- Plausible bodies of the portal's steps: valid for whoever may take the step, so it takes effect for them ---


def _review(target: Target) -> Review:
    return Review.objects.get(pk=target.kwargs["pk"])


def confirm_programme(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"action": "confirm", "confirm-publicity_max": PublicityLevel.COMMITTEE, "confirm-comment": ""}


def decide_good(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """The cell's proposal (Good, 27 + 60 points, as review_data.propose records it), decided as it stands."""
    return {"level": RatingLevel.GOOD, "general_points": 27, "task_points": 60, "reason": "", "quota_override": ""}


def return_to_cell(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"reason": "Biên bản chưa ghi ý kiến của đảng viên dự họp về nội dung cam kết số 2."}


def confirm_on_grounds(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    first = _review(target).assessments.order_by("position")[0]
    return {"grounds": GROUNDS, "assessments": [first.pk]}


def appeal(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"text": "Đề nghị xem xét lại vì nội dung cam kết số 1 đã vượt chỉ tiêu."}


def uphold_appeal(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"outcome": AppealState.UPHELD, "new_level": "", "resolution": "Giữ nguyên mức xếp loại: đủ căn cứ."}


def reclassify(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"level": RatingLevel.COMPLETED, "reason": "Kiểm tra lại thấy nội dung cam kết số 2 chưa hoàn thành."}


def prompt(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"text": "Làm rõ nguyên nhân chậm tiến độ nội dung cam kết số 2."}


def residence_comment(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    points = ("point_policies", "point_ethics", "point_activities", "point_civic_duties")
    return {"answer": "comment", "text": "Đồng chí gương mẫu ở khu phố.", **dict.fromkeys(points, "good")}


def residence_upload(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"source": "Phiếu nhận xét ngày 05/12 của chi ủy nơi cư trú", "text": "Đồng chí gương mẫu ở khu phố."}


def answer_case(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"answer-verification": Verification.PARTLY, "answer-answer": "Khu phố đã tổ chức một buổi đối thoại."}


def reply_case(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"text": "Buổi đối thoại thứ hai đã có lịch vào tháng sau."}


def publicity_cell(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"action": "level", "level-level": PublicityLevel.CELL}


def amendment_reason(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"reason": "Được giao thêm nhiệm vụ cải cách hành chính."}


def close_period(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"confirm": "on"}


def follow_request(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """The follow form filled in as a person would: an address and the page's question answered."""
    challenge = new_challenge()
    terms = challenge_terms(challenge)
    assert terms is not None
    return {"pham_vi": "chuong-trinh", "email": f"{persona}@example.vn", "challenge": challenge, "answer": sum(terms)}


# --- A cell's tables: every review of the place waiting for the step, as its page sends it ---------------------


def _place_reviews(target: Target, state: str) -> list[Review]:
    return list(
        Review.objects.filter(period=target.kwargs["period_pk"], place=target.kwargs["cell_pk"], state=state).order_by(
            "pk"
        )
    )


def propose_cell(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """The cell's proposals for every submitted review of the place at its meeting: Good, as review_data proposes."""
    meeting = CellMeeting.objects.filter(period=target.kwargs["period_pk"], cell=target.kwargs["cell_pk"]).first()
    data: dict[str, Any] = {
        "meeting": meeting.pk if meeting is not None else "",
        "votes_for": 4,
        "votes_against": 0,
        "action": "record",
    }
    for review in _place_reviews(target, ReviewState.SELF_SUBMITTED):
        row = f"r{review.pk}-"
        data |= {f"{row}level": RatingLevel.GOOD, f"{row}general_points": 27, f"{row}task_points": 60}
        for assessment in review.assessments.all():
            data[f"{row}verdict_{assessment.pk}"] = "done"
            # Kept only where the verdict contradicts the recorded progress, as the single form keeps it.
            data[f"{row}acknowledge_{assessment.pk}"] = "Chi bộ đã xem minh chứng tại cuộc họp."
    return data


def decide_cell_good(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Every proposal of the place decided as the cell proposed it (Good)."""
    data = {f"r{review.pk}-level": RatingLevel.GOOD for review in _place_reviews(target, ReviewState.CELL_PROPOSED)}
    return data | {"action": "decide"}


def rate_organisations_good(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Every organisation directly under the ward rated Good: four tasks completed, one exceeding."""
    upper = PartyOrganisation.objects.get(pk=target.kwargs["organisation_pk"])
    period = ReviewPeriod.objects.get(pk=target.kwargs["period_pk"])
    data: dict[str, Any] = {"action": "rate"}
    for organisation in subordinates(upper, period):
        prefix = f"o{organisation.pk}-"
        data |= {
            f"{prefix}level": RatingLevel.GOOD,
            f"{prefix}tasks_total": "4",
            f"{prefix}tasks_completed": "4",
            f"{prefix}tasks_exceeding": "1",
            f"{prefix}discipline_free": "on",
        }
    return data


def write_collective_report(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Every required section of Mẫu 01 written."""
    return {
        "tasks": "Lãnh đạo thực hiện chuyển đổi số trong khu phố.",
        "results": "Hoàn thành 4/4 nhiệm vụ, 1 nhiệm vụ vượt yêu cầu.",
        "shortcomings": "Sinh hoạt chi bộ có lúc chưa đều; nguyên nhân: nhiều đảng viên cao tuổi.",
        "remedies": "",
        "direction": "Sinh hoạt chuyên đề mỗi quý.",
    }


def confirm_cell_on_grounds(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    """Every decision of the place ticked, on the common grounds and the first commitment of each."""
    data: dict[str, Any] = {"grounds": GROUNDS}
    for review in _place_reviews(target, ReviewState.DECIDED):
        data[f"r{review.pk}-confirm"] = "on"
        data[f"r{review.pk}-assessments"] = [review.assessments.order_by("position")[0].pk]
    return data


def export_programmes(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"danh_sach": "programmes"}


def close_programme_early(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"reason": ClosingReason.LEFT_POST}


def evaluate_programme(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    body: dict[str, Any] = {"conclusion": "Hoàn thành tốt nhiệm vụ trong nhiệm kỳ."}
    for commitment in Commitment.objects.filter(programme_id=getattr(target.watch, "pk", None)):
        body[f"verdict_{commitment.pk}"] = FinalVerdict.MET
    return body


def accept_evidence(world: World, persona: str, relation: str, target: Target) -> dict[str, Any]:
    return {"decision": "accept"}


BODIES: dict[str, Body] = {
    "accept_evidence": accept_evidence,
    "close_programme_early": close_programme_early,
    "evaluate_programme": evaluate_programme,
    "export_programmes": export_programmes,
    "close_period": close_period,
    "propose_cell": propose_cell,
    "decide_cell_good": decide_cell_good,
    "confirm_cell_on_grounds": confirm_cell_on_grounds,
    "rate_organisations_good": rate_organisations_good,
    "write_collective_report": write_collective_report,
    "confirm_programme": confirm_programme,
    "decide_good": decide_good,
    "return_to_cell": return_to_cell,
    "confirm_on_grounds": confirm_on_grounds,
    "appeal": appeal,
    "uphold_appeal": uphold_appeal,
    "reclassify": reclassify,
    "prompt": prompt,
    "residence_comment": residence_comment,
    "residence_upload": residence_upload,
    "answer_case": answer_case,
    "reply_case": reply_case,
    "publicity_cell": publicity_cell,
    "amendment_reason": amendment_reason,
    "link_own_account": link_own_account,
    "link_outside_account": link_outside_account,
    "link_unlinked_account": link_unlinked_account,
    "revert_into_home_cell": revert_into_home_cell,
    "revert_link_own_account": revert_link_own_account,
    "delete_selected": delete_selected,
    "move_node": move_node,
    "grant_own_role": grant_own_role,
    "post_for_other_ward_member": post_for_other_ward_member,
    "membership_for_other_ward_member": membership_for_other_ward_member,
    "follow_request": follow_request,
}
