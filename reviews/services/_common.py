"""What every step of a review shares: locking the review, refusing, the audit event, the review's link."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from programmes import summary_marks
from programmes.action_programmes.notifications import notify_each
from programmes.audit import audit_record, json_safe
from reviews.models import Review

REVIEW_FIELDS = ("period", "cadre", "place", "state", "self_level", "final_level", "not_rated_reason")

Verdicts = Mapping[int, tuple[str, str]]
# The written reasons for keeping flagged verdicts (reviews.consistency), by assessment.
Acknowledgements = Mapping[int, str]


def _review_link(review: Review) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


def _tell(
    acting_user: User, recipients: Iterable[User], kind: str, review: Review, text: Callable[[], tuple[str, str]]
) -> None:
    """Notify the people a step concerns, on the review's page, each in their language (`text()` writes the
    subject and body); never the person who acted, who knows."""
    others = [user for user in recipients if user.pk != acting_user.pk]
    notify_each(others, kind=kind, link=_review_link(review), text=text)


def _lock(review: Review) -> Review:
    # The review's row alone: the joined period, organisations and cadre are only read. A service that must hold
    # more says so (the decision locks its deciding organisation for the quota).
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related("period__rule_set", "cadre", "place", "cell", "deciding_organisation")
        .get(pk=review.pk)
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_state(review: Review, *states: str) -> None:
    if review.state not in states:
        raise ValidationError(
            _("Bước này không làm được khi bản kiểm điểm đang ở trạng thái “%(state)s”.")
            % {"state": review.get_state_display()}
        )


def _counted(review: Review) -> None:
    """The review's step changes the dashboards' figures: of its cell (the pipeline, the levels) and of its deciding
    organisation (the quota)."""
    summary_marks.organisations_changed(review.cell_id, review.deciding_organisation_id)


def _move(review: Review, state: str, *changed: str, **values: Any) -> None:
    """Put the review in its next `state` with the `values` that step sets (and the `changed` fields it has set
    already), stored at once; the dashboards' figures are marked to be counted again."""
    review.state = state
    for name, value in values.items():
        setattr(review, name, value)
    review.save(update_fields=["state", *changed, *values])
    _counted(review)


def _audit(acting_user: User, action: str, obj: Model, before: dict[str, Any] | None = None, **after: Any) -> None:
    # Through snapshot's JSON round trip, so that dates and ids are stored the same way everywhere.
    audit_record(actor=acting_user, action=action, obj=obj, before=before, after=json_safe(after) if after else None)
