"""Citizens' feedback on the demo: cases on a published programme, for the Front's workspace."""

from django.contrib.auth.models import User

from demo.writing import Tally
from programmes.models import ActionProgramme, PublicityLevel
from publicity import feedback
from publicity.models import FeedbackCase

# Two citizens' cases on the published programme of the cell secretary: one waiting for the Front of the ward,
# one answered. Sent from a made-up address so that they never count against a visitor's limit.
DEMO_FEEDBACK_ADDRESS = "demo-seed"
DEMO_FEEDBACK_OWNER = "bithuchibo"


def write_feedback(users: dict[str, User], tally: Tally) -> None:
    """Demo cases for the Front's workspace; a programme that already has cases is left as it is."""
    programme = (
        ActionProgramme.objects.filter(owner__user__username=DEMO_FEEDBACK_OWNER, publicity_level=PublicityLevel.PUBLIC)
        .order_by("pk")
        .first()
    )
    if programme is None or FeedbackCase.objects.filter(programme=programme).exists():
        tally.add("feedback cases", 0, 0)
        return
    first_commitment = programme.commitments.order_by("pk").first()
    feedback.feedback_submit(
        programme=programme,
        commitment=first_commitment,
        kind="report",
        text="Tháng 9 vừa rồi chi bộ không sinh hoạt chuyên đề như chương trình đã nêu; đề nghị Mặt trận xem lại.",
        name="Nguyễn Thị Lan",
        email="lan.nguyen@example.vn",
        source_address=DEMO_FEEDBACK_ADDRESS,
    )
    answered = feedback.feedback_submit(
        programme=programme,
        commitment=None,
        kind="suggestion",
        text="Đề nghị đăng kế hoạch sinh hoạt chuyên đề của chi bộ để phụ huynh được biết.",
        source_address=DEMO_FEEDBACK_ADDRESS,
    )
    front = users["mattran"]
    feedback.case_accept(case=answered, acting_user=front)
    feedback.case_answer(
        case=answered,
        verification="true",
        answer="Ủy ban MTTQ phường đã trao đổi với chi bộ; kế hoạch sinh hoạt chuyên đề sẽ được niêm yết tại trường.",
        acting_user=front,
    )
    tally.add("feedback cases", 2, 0)
