"""The review's state machines in the portal's one status palette (programmes/status_palette.py)."""

from programmes.status_palette import Tone, register_machine
from reviews.models import (
    Appeal,
    AppealState,
    Decision,
    DecisionState,
    ItemState,
    PeriodState,
    ReportBatchItem,
    ResidenceComment,
    ResidenceCommentState,
    Review,
    ReviewPeriod,
    ReviewState,
)


def register_review_machines() -> None:
    register_machine(
        "review",
        ReviewState,
        {
            "self_drafting": Tone.DRAFT,
            # Submitted: the cell has to act on it, whichever page shows it.
            "self_submitted": Tone.WAITING,
            "cell_proposed": Tone.UNDER_WAY,
            "decided": Tone.UNDER_WAY,
            "final": Tone.DONE,
            "appealed": Tone.WAITING,
            "not_rated": Tone.OVER,
        },
        models_with_field=((Review, "state"),),
    )
    register_machine(
        "decision",
        DecisionState,
        {"awaiting_confirmation": Tone.WAITING, "confirmed": Tone.DONE, "superseded": Tone.OVER},
        models_with_field=((Decision, "state"),),
    )
    register_machine(
        "appeal",
        AppealState,
        {"pending": Tone.WAITING, "upheld": Tone.OVER, "reclassified": Tone.OVER},
        models_with_field=((Appeal, "state"),),
    )
    register_machine(
        "period",
        PeriodState,
        {"open": Tone.UNDER_WAY, "closed": Tone.OVER},
        models_with_field=((ReviewPeriod, "state"),),
    )
    register_machine(
        "report",
        ItemState,
        {"pending": Tone.WAITING, "done": Tone.DONE, "failed": Tone.PROBLEM},
        models_with_field=((ReportBatchItem, "state"),),
    )
    register_machine(
        "residence_comment",
        ResidenceCommentState,
        {"requested": Tone.WAITING, "commented": Tone.DONE, "no_comment": Tone.OVER},
        models_with_field=((ResidenceComment, "state"),),
    )
