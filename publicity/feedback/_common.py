"""What every step of a case shares: the row lock, the handler's and the state's checks, the audit event without
the sender's details, and the notifications to the people who handle the case."""

from collections.abc import Callable, Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from programmes import summary_marks
from programmes.action_programmes.notifications import notify_each
from programmes.audit import audit_record
from publicity import access
from publicity.models import FeedbackCase


def _audit(actor: User | None, action: str, case: FeedbackCase, **after: object) -> None:
    # Never the sender's name, e-mail, phone or network address: the audit trail is read by staff. Steps
    # taken by accounts keep their address, as every other event does.
    audit_record(
        actor=actor, action=action, obj=case, after={"state": case.state, **after}, keep_address=actor is not None
    )


def _counted(case: FeedbackCase) -> None:
    """The case's state changes the dashboards' figures of the organisation its programme is registered in."""
    summary_marks.programme_changed(case.programme)


def _lock(case: FeedbackCase) -> FeedbackCase:
    return (
        FeedbackCase.objects.select_for_update(of=("self",))
        .select_related("programme__owner", "area", "commitment")
        .get(pk=case.pk)
    )


def _require_handler(user: User, case: FeedbackCase) -> None:
    if not access.can_handle_case(user, case):
        raise PermissionDenied(_("Đồng chí không xử lý góp ý, phản ánh của địa bàn này."))


def _require_state(case: FeedbackCase, *states: str) -> None:
    if case.state not in states:
        raise ValidationError(
            _("Góp ý, phản ánh này đang ở trạng thái “%(state)s”, không thực hiện được thao tác này.")
            % {"state": case.get_state_display()}
        )


def _lock_for_handler(case: FeedbackCase, user: User, *states: str) -> FeedbackCase:
    """The case locked, once `user` is found to handle it and it is in one of `states`."""
    case = _lock(case)
    _require_handler(user, case)
    _require_state(case, *states)
    return case


def _case_link(case: FeedbackCase) -> str:
    return reverse("oversight:case", args=[case.pk])


def _notify_all(recipients: Iterable[User], kind: str, text: Callable[[], tuple[str, str]], link: str) -> None:
    """Tell each recipient, with the subject and body `text()` writes in their language. The link is built
    outside it, so that it carries no language prefix whatever language the reader chose."""
    notify_each(recipients, kind=kind, link=link, text=text)
