"""“Việc cần làm”: what waits for the user, first on their own page, one group per role they hold.

Each item is a kind of work: how many are waiting, the nearest deadline (or how long the oldest has waited) and
one link to the page where the work is done. Who sees which work is the access modules' answer, read through
the selectors the work pages already use; this module only counts it.

The work of reviews and of citizen feedback belongs to apps above this one, which cannot be imported here: each
app declares its sources in its own `desk` module with `@source(order)`, and `desk_for` loads those modules the
way the admin finds `admin` modules (as programmes.personal_data does). Every source costs a fixed number of
queries, one per kind of item, whatever the number of items or members.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Window
from django.db.models.aggregates import Aggregate
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access
from programmes.access import Action, AnyUser
from programmes.action_programmes.selectors import confirmation_queue
from programmes.models import ImportJob, ImportStatus, ProgrammeVersion, VersionState
from programmes.models.organisations import CELL_KINDS
from programmes.reminders import unfinished_terms


@dataclass(frozen=True)
class Group:
    """A role's share of the work; groups are shown in `order`."""

    order: int
    title: Promise


OWN = Group(10, gettext_lazy("Việc của đồng chí"))
CELL = Group(20, gettext_lazy("Việc của chi bộ, tập thể lãnh đạo"))
COMMITTEE = Group(30, gettext_lazy("Việc của cấp ủy"))
BOARD = Group(40, gettext_lazy("Việc của Ban Tổ chức"))
OVERSIGHT = Group(50, gettext_lazy("Việc giám sát của Mặt trận Tổ quốc, Hội đồng nhân dân"))


@dataclass(frozen=True)
class Task:
    """One kind of work waiting: `count` of them, the nearest `deadline`, the oldest waiting `since`, and the link
    (`action`, `url`) to the page where it is done."""

    label: str
    count: int
    action: str
    url: str
    today: datetime.date
    deadline: datetime.date | None = None
    since: datetime.date | None = None

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < self.today

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline - self.today).days

    @property
    def days_overdue(self) -> int:
        days = self.days_left
        return -days if days is not None and days < 0 else 0

    @property
    def age_days(self) -> int | None:
        return None if self.since is None else max((self.today - self.since).days, 0)

    def urgency(self) -> tuple[int, datetime.date, int]:
        """Past their deadline first, then by deadline, then the longest waiting."""
        return (0 if self.overdue else 1, self.deadline or datetime.date.max, -(self.age_days or 0))


@dataclass
class DeskGroup:
    group: Group
    tasks: list[Task] = field(default_factory=list)

    @property
    def title(self) -> Promise:
        return self.group.title


class Desk:
    """The user's work, gathered by the sources: a source opens the group of a role the user holds (shown even
    when nothing waits, so they know) and adds the tasks it found."""

    def __init__(self, user: AnyUser, today: datetime.date) -> None:
        self.user = user
        self.today = today
        self._groups: dict[Group, DeskGroup] = {}

    def open(self, group: Group) -> DeskGroup:
        return self._groups.setdefault(group, DeskGroup(group))

    def add(self, group: Group, task: Task | None) -> None:
        """Add `task` to `group` (opening it); a task of nothing to do is left out."""
        desk_group = self.open(group)
        if task is not None and task.count > 0:
            desk_group.tasks.append(task)

    def task(self, label: str, count: int, action: str, url: str, **dates: Any) -> Task:
        return Task(label=label, count=count, action=action, url=url, today=self.today, **dates)

    def add_first_due(
        self,
        group: Group,
        queryset: QuerySet[Any],
        deadline: str,
        texts: tuple[str, str],
        url_name: str,
        key: str = "pk",
    ) -> None:
        """A task counting `queryset`'s rows (label and action in `texts`), opening the row whose `deadline` comes
        first: the page `url_name` of its `key`. One query."""
        found = most_urgent(queryset, [deadline, "pk"], [key, deadline])
        if found is not None:
            label, action = texts
            url = reverse(url_name, args=[found.row[key]])
            self.add(group, self.task(label, found.total, action, url, deadline=found.row[deadline]))

    @property
    def groups(self) -> list[DeskGroup]:
        groups = sorted(self._groups.values(), key=lambda desk_group: desk_group.group.order)
        for desk_group in groups:
            desk_group.tasks.sort(key=Task.urgency)
        return groups

    @property
    def total(self) -> int:
        return sum(task.count for desk_group in self._groups.values() for task in desk_group.tasks)


Source = Callable[[Desk], None]
_SOURCES: list[tuple[int, Source]] = []


def source(order: int) -> Callable[[Source], Source]:
    """Declare a source of work; sources run by `order` (programmes use tens, reviews 100s, feedback 200s)."""

    def register(function: Source) -> Source:
        _SOURCES.append((order, function))
        return function

    return register


def desk_for(user: AnyUser, today: datetime.date | None = None) -> Desk:
    """Everything waiting for `user` today, from every app's sources."""
    autodiscover_modules("desk")
    desk = Desk(user, today or timezone.localdate())
    if user.is_authenticated:
        for _order, function in sorted(_SOURCES, key=lambda item: item[0]):
            function(desk)
    return desk


# --- Counting ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Urgent:
    """The first row of a queue in its order (`row`), with the queue's size (`total`) and `over`: aggregates
    taken over the whole queue."""

    row: dict[str, Any]
    total: int
    over: dict[str, Any]


def most_urgent(
    queryset: QuerySet[Any], order: Sequence[str], fields: Sequence[str], **over: Aggregate
) -> Urgent | None:
    """The first row of `queryset` in `order` (its `fields`), its number of rows and the `over` aggregates of all
    of them, as window functions: one query whatever the number of rows; None when the queue is empty."""
    windows = {f"over_{name}": Window(expression=aggregate) for name, aggregate in over.items()}
    row = (
        queryset.order_by(*order)
        .annotate(desk_total=Window(expression=Count("pk")), **windows)
        .values(*fields, "desk_total", *windows)
        .first()
    )
    if row is None:
        return None
    return Urgent(
        row={name: row[name] for name in fields},
        total=row["desk_total"],
        over={name: row[f"over_{name}"] for name in over},
    )


def local_day(moment: datetime.datetime | datetime.date | None) -> datetime.date | None:
    """The local day of a stored moment (dates are kept as they are)."""
    if moment is None or not isinstance(moment, datetime.datetime):
        return moment
    return timezone.localtime(moment).date()


# --- The member's programmes and commitments ------------------------------------------------------------------


@source(10)
def own_programmes(desk: Desk) -> None:
    """A draft to finish and send for confirmation, and the commitments in force past or near their deadline."""
    user = desk.user
    if not access.registers_programmes(user):
        return
    drafts = most_urgent(
        ProgrammeVersion.objects.filter(programme__owner__user=user.pk, state=VersionState.DRAFT),
        ["programme__term_start", "pk"],
        ["programme_id", "number", "programme__term_start"],
    )
    if drafts is not None:
        row = drafts.row
        desk.add(
            OWN,
            desk.task(
                _("Chương trình hành động đang soạn, chưa gửi xác nhận"),
                drafts.total,
                _("Soạn và gửi chương trình"),
                reverse("programmes:programme_edit", args=[row["programme_id"]]),
                # The first registration is due before the duty starts; an amendment has no date of its own.
                deadline=row["programme__term_start"] if row["number"] == 1 else None,
            ),
        )
    else:
        desk.open(OWN)
    own_terms = unfinished_terms().filter(version__programme__owner__user=user.pk)
    for label, terms in (
        (_("Nội dung cam kết đã quá hạn, chưa hoàn thành"), own_terms.filter(deadline__lt=desk.today)),
        (
            _("Nội dung cam kết sắp đến hạn, cần báo cáo tiến độ"),
            own_terms.filter(
                deadline__gte=desk.today,
                deadline__lte=desk.today + datetime.timedelta(days=settings.DESK_DUE_DAYS),
            ),
        ),
    ):
        desk.add_first_due(
            OWN,
            terms,
            "deadline",
            (label, _("Báo cáo tiến độ")),
            "programmes:programme_detail",
            key="version__programme_id",
        )


# --- Programmes waiting for the confirmer ---------------------------------------------------------------------


@source(50)
def programmes_to_confirm(desk: Desk) -> None:
    """Programmes sent for confirmation to the bodies the user is secretary of: a cell's secretary confirms for
    the cell, a committee's for the committee. One query for both."""
    waiting = ProgrammeVersion.objects.filter(pk__in=confirmation_queue(desk.user).values("pk"))
    in_cell = Q(confirming_organisation__kind__in=CELL_KINDS)
    counts = waiting.aggregate(
        cell=Count("pk", filter=in_cell),
        cell_since=Min("submitted_at", filter=in_cell),
        committee=Count("pk", filter=~in_cell),
        committee_since=Min("submitted_at", filter=~in_cell),
    )
    for group, key in ((CELL, "cell"), (COMMITTEE, "committee")):
        if counts[key]:
            desk.add(
                group,
                desk.task(
                    _("Chương trình hành động chờ đồng chí xác nhận"),
                    counts[key],
                    _("Xem và xác nhận chương trình"),
                    reverse("programmes:confirmation_queue"),
                    since=local_day(counts[f"{key}_since"]),
                ),
            )


# --- Evidence waiting for the confirmer's check ----------------------------------------------------------------


@source(55)
def evidence_to_check(desk: Desk) -> None:
    """Evidence behind "done" claims of the programmes the user confirmed, waiting for their check: one query. The
    work has no deadline of its own, so the task says how long the oldest has waited (as programmes to confirm)."""
    waiting = access.evidence_to_check(desk.user)
    in_cell = Q(commitment__programme__current_version__confirming_organisation__kind__in=CELL_KINDS)
    counts = waiting.aggregate(
        cell=Count("pk", filter=in_cell),
        cell_since=Min("uploaded_at", filter=in_cell),
        committee=Count("pk", filter=~in_cell),
        committee_since=Min("uploaded_at", filter=~in_cell),
    )
    for group, key in ((CELL, "cell"), (COMMITTEE, "committee")):
        if counts[key]:
            desk.add(
                group,
                desk.task(
                    _("Minh chứng chờ kiểm tra"),
                    counts[key],
                    _("Kiểm tra minh chứng"),
                    reverse("programmes:evidence_queue"),
                    since=local_day(counts[f"{key}_since"]),
                ),
            )


# --- Imports, for organisation-board staff ----------------------------------------------------------------------


@source(60)
def imports(desk: Desk) -> None:
    """Imports still waiting for the worker, and those that failed and were not imported again since."""
    if not access.can_anywhere(desk.user, Action.IMPORT_ROSTER):
        return
    jobs = ImportJob.objects.filter(access.import_jobs_condition(desk.user))
    waiting = Q(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
    redone = ImportJob.objects.filter(
        kind=OuterRef("kind"), status=ImportStatus.SUCCEEDED, created_at__gt=OuterRef("created_at")
    ).filter(
        # Redone by a later import of the same kind over the same scope, or over the whole tree.
        Q(scope=OuterRef("scope")) | Q(scope__isnull=True)
    )
    failed = Q(~Exists(redone), status=ImportStatus.FAILED)
    counts = jobs.aggregate(
        waiting=Count("pk", filter=waiting),
        waiting_since=Min("created_at", filter=waiting),
        failed=Count("pk", filter=failed),
        latest_failed=Max("pk", filter=failed),
    )
    desk.open(BOARD)
    if counts["waiting"]:
        desk.add(
            BOARD,
            desk.task(
                _("Tệp nhập dữ liệu đang chờ xử lý"),
                counts["waiting"],
                _("Xem các lần nhập dữ liệu"),
                reverse("programmes:import_list"),
                since=local_day(counts["waiting_since"]),
            ),
        )
    if counts["failed"]:
        desk.add(
            BOARD,
            desk.task(
                _("Lần nhập dữ liệu không thành công, chưa nhập lại"),
                counts["failed"],
                _("Xem lỗi và nhập lại"),
                reverse("programmes:import_detail", args=[counts["latest_failed"]]),
            ),
        )
