"""Citizen feedback's share of “Việc cần làm” (programmes.desk): for the Front and the People's Council, the cases
of their area past their answer deadline first, then those still open; for a cadre, the accepted cases about their
own programmes waiting for their reply. Scoped by publicity.access; one query per kind of item."""

from django.urls import reverse
from django.utils.translation import gettext as _

from programmes.desk import OVERSIGHT, OWN, Desk, most_urgent, source
from publicity import access
from publicity.models import OPEN_STATES


@source(200)
def cases_to_reply(desk: Desk) -> None:
    waiting = access.cases_for_owner(desk.user).filter(
        state__in=access.OWNER_REPLY_STATES, cadre_replied_at__isnull=True
    )
    desk.add_first_due(
        OWN,
        waiting,
        "due_on",
        (_("Góp ý, phản ánh của Nhân dân chờ đồng chí phản hồi"), _("Phản hồi góp ý")),
        "oversight:owner_case",
    )


@source(210)
def cases_to_answer(desk: Desk) -> None:
    if not access.handles_cases(desk.user):
        return
    desk.open(OVERSIGHT)
    cases = access.cases_handled_by(desk.user).filter(state__in=OPEN_STATES)
    overdue = most_urgent(cases.filter(due_on__lt=desk.today), ["due_on", "pk"], ["pk", "due_on"])
    if overdue is not None:
        desk.add(
            OVERSIGHT,
            desk.task(
                _("Góp ý, phản ánh đã quá hạn trả lời"),
                overdue.total,
                # The most overdue case itself: the one to answer first.
                _("Trả lời góp ý quá hạn lâu nhất") if overdue.total > 1 else _("Trả lời góp ý quá hạn"),
                reverse("oversight:case", args=[overdue.row["pk"]]),
                deadline=overdue.row["due_on"],
            ),
        )
    pending = most_urgent(cases.filter(due_on__gte=desk.today), ["due_on", "pk"], ["pk", "due_on"])
    if pending is not None:
        single = pending.total == 1
        desk.add(
            OVERSIGHT,
            desk.task(
                _("Góp ý, phản ánh đang chờ xử lý, trong hạn trả lời"),
                pending.total,
                _("Xử lý góp ý") if single else _("Xem các góp ý đang chờ"),
                reverse("oversight:case", args=[pending.row["pk"]]) if single else reverse("oversight:queue"),
                deadline=pending.row["due_on"],
            ),
        )
