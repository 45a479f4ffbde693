"""The public side's states in the portal's one status palette (programmes/status_palette.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from programmes.status_palette import Tone, register_machine
from publicity.models import CaseState, FeedbackCase


class PublicStanding(models.TextChoices):
    """How a published programme stands, in the words the public reads (its inner states are the cadres')."""

    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    CLOSED = "closed", _("Đã kết thúc")


def register_public_machines() -> None:
    register_machine(
        "feedback_case",
        CaseState,
        {
            "received": Tone.WAITING,
            "accepted": Tone.UNDER_WAY,
            "forwarded": Tone.UNDER_WAY,
            "answered": Tone.DONE,
            "rejected": Tone.OVER,
        },
        models_with_field=((FeedbackCase, "state"),),
    )
    register_machine("public_programme", PublicStanding, {"in_progress": Tone.DONE, "closed": Tone.OVER})
