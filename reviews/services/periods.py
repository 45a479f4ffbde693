"""Opening a period over a subtree (one review per member and place) and closing it."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes import access as programme_access
from programmes import outbox, summary_marks
from programmes.action_programmes.notifications import Notice
from programmes.models import (
    Membership,
    MembershipStatus,
    NotificationKind,
    PartyOrganisation,
    Position,
    PostKind,
)
from programmes.models.organisations import CELL_KINDS
from programmes.reminders import send_reminders
from reviews import access as review_access
from reviews.audit_actions import ReviewAction
from reviews.models import (
    ENDED_REVIEW_STATES,
    CommitmentAssessment,
    PeriodKind,
    PeriodState,
    ResidenceComment,
    Review,
    ReviewForm,
    ReviewPeriod,
    ReviewState,
    RuleSet,
)
from reviews.services._common import _audit, _require
from reviews.services._prefill import commitments_in_force
from reviews.signals import period_opened


@dataclass(frozen=True)
class _Place:
    place: PartyOrganisation
    cell: PartyOrganisation
    deciding: PartyOrganisation


class _Tree:
    """The organisations above the given ones, read in one query (materialised paths name every ancestor)."""

    def __init__(self, organisations: list[PartyOrganisation]) -> None:
        step = PartyOrganisation.steplen
        paths = {
            organisation.path[:end]
            for organisation in organisations
            for end in range(step, len(organisation.path), step)
        }
        self._by_path = {node.path: node for node in PartyOrganisation.objects.filter(path__in=paths)}
        self._by_path.update((organisation.path, organisation) for organisation in organisations)
        self._by_pk = {organisation.pk: organisation for organisation in self._by_path.values()}

    def organisation(self, pk: int) -> PartyOrganisation:
        return self._by_pk[pk]

    def ancestors(self, organisation: PartyOrganisation) -> list[PartyOrganisation]:
        """Top first, as treebeard's get_ancestors."""
        step = PartyOrganisation.steplen
        return [self._by_path[organisation.path[:end]] for end in range(step, len(organisation.path), step)]

    def parent(self, organisation: PartyOrganisation) -> PartyOrganisation | None:
        above = organisation.path[: -PartyOrganisation.steplen]
        return self._by_path[above] if above else None


def _places(cell_id: int, posts: list[Position], tree: _Tree) -> list[_Place]:
    """Where a member is reviewed: their cell, and each leadership collective they belong to (HD 43)."""
    cell = tree.organisation(cell_id)
    committee_posts = [
        post for post in posts if post.organisation is not None and post.organisation.kind not in CELL_KINDS
    ]
    # The rule the access module also reads a commitment's chain by: the grassroots organisation of the cell
    # decides, or the committee above it for committee members and leaders.
    deciding = programme_access.deciding_organisation_in(
        [*tree.ancestors(cell), cell], leads=programme_access.leads_in_review(posts)
    )
    places = [_Place(cell, cell, deciding)]
    for organisation in (post.organisation for post in committee_posts if post.organisation is not None):
        superior = tree.parent(organisation) or organisation
        if organisation.pk not in {place.place.pk for place in places}:
            places.append(_Place(organisation, organisation, superior))
    return places


_NOT_RATED_STATUSES = (MembershipStatus.EXEMPT, MembershipStatus.SUSPENDED)


def _form_for(posts: list[Position]) -> str:
    leads = any(post.post_kind == PostKind.PARTY or post.is_head for post in posts)
    return ReviewForm.LEADER if leads else ReviewForm.MEMBER


def _scope_and_ancestors(scope: PartyOrganisation) -> list[str]:
    """The paths of the scope and of every organisation above it, top first (materialised paths: no query)."""
    step = PartyOrganisation.steplen
    return [scope.path[:end] for end in range(step, len(scope.path) + 1, step)]


def _refuse_overlap(scope: PartyOrganisation, kind: str, covers_from: datetime.date, covers_to: datetime.date) -> None:
    """Refuse a period of a kind whose time overlaps one already opened over the same members: over the same scope,
    one containing it or one inside it. Members would be reviewed and rated twice for the same time. Ad hoc
    periods are exempt: each follows its own occasion (a new duty, an election, an appointment)."""
    if kind == PeriodKind.AD_HOC:
        return
    lineage = _scope_and_ancestors(scope)
    # Two openings that could overlap both lock the organisation above them (at worst the root), top first:
    # the second to come checks once the first has committed, so they cannot both pass.
    list(PartyOrganisation.objects.select_for_update().filter(path__in=lineage).order_by("path").values_list("pk"))
    existing = (
        ReviewPeriod.objects.filter(kind=kind, covers_from__lte=covers_to, covers_to__gte=covers_from)
        .filter(Q(scope__path__startswith=scope.path) | Q(scope__path__in=lineage))
        .select_related("scope")
        .order_by("covers_from", "pk")
        .first()
    )
    if existing is not None:
        raise ValidationError(
            {
                "scope": _(
                    "Đã có đợt “%(title)s” (%(kind)s, kết quả từ %(start)s đến %(end)s) ở %(scope)s, trùng "
                    "phạm vi và thời gian với đợt định mở: đảng viên sẽ bị kiểm điểm hai lần. Hãy chọn phạm vi "
                    "hoặc thời gian khác."
                )
                % {
                    "title": existing.title,
                    "kind": existing.get_kind_display(),
                    "start": f"{existing.covers_from:%d/%m/%Y}",
                    "end": f"{existing.covers_to:%d/%m/%Y}",
                    "scope": existing.scope.name,
                }
            }
        )


@transaction.atomic
def period_open(
    *,
    title: str,
    kind: str,
    rule_set: RuleSet,
    scope: PartyOrganisation,
    covers_from: datetime.date,
    covers_to: datetime.date,
    self_review_until: datetime.date,
    cell_meetings_until: datetime.date,
    decisions_until: datetime.date,
    appeal_days: int = 15,
    residence_comment_days: int | None = None,
    includes_collectives: bool = False,
    acting_user: User,
) -> ReviewPeriod:
    """Open a period for a subtree and create the review of every member who must be reviewed, per place."""
    _require(
        review_access.can_open_period(acting_user, scope), _("Đồng chí không được mở đợt kiểm điểm ở tổ chức này.")
    )
    if kind not in PeriodKind.values:
        raise ValidationError({"kind": _("Loại đợt kiểm điểm không hợp lệ.")})
    if covers_to < covers_from:
        raise ValidationError({"covers_to": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if not self_review_until <= cell_meetings_until <= decisions_until:
        raise ValidationError(
            _("Các mốc phải theo thứ tự: nộp bản kiểm điểm, rồi họp chi bộ, rồi quyết định xếp loại.")
        )
    _refuse_overlap(scope, kind, covers_from, covers_to)
    period = ReviewPeriod.objects.create(
        title=title.strip(),
        kind=kind,
        rule_set=rule_set,
        scope=scope,
        covers_from=covers_from,
        covers_to=covers_to,
        self_review_until=self_review_until,
        cell_meetings_until=cell_meetings_until,
        decisions_until=decisions_until,
        appeal_days=appeal_days,
        residence_comment_days=(
            residence_comment_days
            if residence_comment_days is not None
            else ReviewPeriod._meta.get_field("residence_comment_days").get_default()
        ),
        includes_collectives=includes_collectives,
        opened_by=acting_user,
    )
    reviews, residence_requests = _open_reviews(period)
    _audit(
        acting_user,
        ReviewAction.PERIOD_OPEN,
        period,
        title=period.title,
        rule_set=rule_set.code,
        scope=scope.pk,
        reviews=len(reviews),
        residence_requests=residence_requests,
        includes_collectives=includes_collectives,
    )
    period_opened.send(sender=ReviewPeriod, period=period)
    # Every member is told by one background task (on the bulk queue), written with the period: opening a ward of
    # thousands costs the same few queries, and a rollback tells nobody.
    outbox.enqueue("reviews.tasks.notify_period_opened", period.pk)
    # Every cell of the scope has reviews now; the committees above it that decide some of them count their quota.
    deciding = _REVIEW_FIELDS.index("deciding_organisation_id")
    summary_marks.organisations_changed(*{review[deciding] for review in reviews}, subtrees=[scope.pk])
    return period


def period_members_notify(*, period_id: int) -> int:
    """Tell each member with a self-review to write in the period that it opened, once (a second run finds them
    told: programmes.reminders.send_reminders, keyed by the day it opened); how many were told now."""
    period = ReviewPeriod.objects.filter(pk=period_id).first()
    if period is None:
        return 0
    members = (
        Review.objects.filter(period=period, state=ReviewState.SELF_DRAFTING, cadre__user__is_active=True)
        .order_by("cadre__user_id")
        .values_list("cadre__user_id", flat=True)
        .distinct()
    )
    link = reverse("reviews:work_list")

    def text() -> tuple[str, str]:
        return (
            _("Đợt kiểm điểm mới: %(title)s") % {"title": period.title},
            _(
                "Hạn nộp bản kiểm điểm cá nhân: %(self)s; hạn họp chi bộ: %(cell)s. Đồng chí viết bản kiểm điểm "
                "trong mục Kiểm điểm."
            )
            % {"self": f"{period.self_review_until:%d/%m/%Y}", "cell": f"{period.cell_meetings_until:%d/%m/%Y}"},
        )

    def notices(pairs: list[tuple[int, int]]) -> list[Notice]:
        return [
            Notice(recipient_id=user_id, kind=NotificationKind.PERIOD_OPENED, link=link, text=text)
            for user_id, _p in pairs
        ]

    return send_reminders(
        NotificationKind.PERIOD_OPENED,
        [(user_id, period.pk) for user_id in members if user_id is not None],
        timezone.localtime(period.opened_at).date(),
        notices,
    )


_REVIEW_FIELDS = (
    "period_id",
    "cadre_id",
    "place_id",
    "cell_id",
    "deciding_organisation_id",
    "form",
    "position_title",
    "state",
    "not_rated_reason",
)
_ASSESSMENT_FIELDS = (
    "review_id",
    "commitment_id",
    "statement",
    "target",
    "deadline",
    "is_task",
    "programme_number",
    "position",
)


def _open_reviews(period: ReviewPeriod) -> tuple[list[tuple[Any, ...]], int]:
    """The review of every current member of the period's subtree, per place, with the commitments of their
    programmes pre-filled, and the residence cells' comments asked of working members; the reviews' rows (values
    of _REVIEW_FIELDS) and how many comments were asked. A fixed number of queries whatever the number of members
    (a ward of 3,000 opened in about a second): the members, their posts, the organisations above them and their
    commitments are each read once as plain values, the reviews, assessments and requests written with one
    statement each."""
    memberships = Membership.objects.filter(end_date__isnull=True, cell__path__startswith=period.scope.path)
    # Joined to the one current membership of each cadre (a constraint) rather than `IN (the members)`, over which
    # the planner would walk a whole city's memberships.
    current_posts = Position.objects.current(timezone.localdate()).filter(
        cadre__memberships__end_date__isnull=True, cadre__memberships__cell__path__startswith=period.scope.path
    )
    posts_by_cadre: dict[int, list[Position]] = {}
    for post in current_posts.select_related("organisation"):
        posts_by_cadre.setdefault(post.cadre_id, []).append(post)
    read = list(memberships.values_list("cadre_id", "cell_id", "status", "residence_cell_id", "residence_exemption"))
    members = [(cadre_id, cell_id, status) for cadre_id, cell_id, status, *_residence in read]
    residences = _residence_cells(period, read)
    committees = [post.organisation for posts in posts_by_cadre.values() for post in posts if post.organisation]
    cells = PartyOrganisation.objects.filter(pk__in={cell_id for _cadre, cell_id, _status in members})
    tree = _Tree([*cells, *committees])
    terms_by_owner = commitments_in_force(period, memberships)
    not_rated: dict[str, str] = {status.value: str(status.label) for status in _NOT_RATED_STATUSES}
    # Most members hold no post: their one review depends on their cell alone, worked out once per cell.
    plain_places: dict[int, list[_Place]] = {}
    rows: list[tuple[Any, ...]] = []
    for cadre_id, cell_id, status in members:
        posts = posts_by_cadre.get(cadre_id, [])
        if posts:
            places = _places(cell_id, posts, tree)
        elif cell_id in plain_places:
            places = plain_places[cell_id]
        else:
            places = plain_places[cell_id] = _places(cell_id, [], tree)
        form = _form_for(posts)
        title = "; ".join(post.display_title for post in posts)[:255]
        state = ReviewState.NOT_RATED if status in not_rated else ReviewState.SELF_DRAFTING
        reason = not_rated.get(status, "")
        rows += [
            (period.pk, cadre_id, place.place.pk, place.cell.pk, place.deciding.pk, form, title, state, reason)
            for place in places
        ]
    review_ids = _insert_rows(Review, _REVIEW_FIELDS, rows)
    _insert_rows(
        CommitmentAssessment,
        _ASSESSMENT_FIELDS,
        [
            (review_id, *prefill, number)
            for review_id, (_period, cadre_id, *_place, state, _reason) in zip(review_ids, rows, strict=True)
            if state != ReviewState.NOT_RATED
            for number, prefill in enumerate(terms_by_owner.get(cadre_id, []), start=1)
        ],
    )
    due_on = period.residence_comments_due()
    requests = _insert_rows(
        ResidenceComment,
        _RESIDENCE_FIELDS,
        [
            (review_id, residences[cadre_id][0], due_on)
            for review_id, (_period, cadre_id, place_id, *_rest) in zip(review_ids, rows, strict=True)
            # The review at the member's own cell, which its meeting reads (not the leadership collectives').
            if cadre_id in residences and place_id == residences[cadre_id][1]
        ],
    )
    return rows, len(requests)


_RESIDENCE_FIELDS = ("review_id", "residence_cell_id", "due_on")
# Quy định 213-QĐ/TW asks the residence cell's comment once a year: for the annual review, not the others.
RESIDENCE_COMMENT_KINDS = (PeriodKind.ANNUAL,)


def _residence_cells(period: ReviewPeriod, members: Iterable[tuple[Any, ...]]) -> dict[int, tuple[int, int]]:
    """The residence cell to ask for each working member's comment and their own cell, by cadre id, from the members'
    rows (cadre, cell, status, residence cell, exemption): members who take part in their cell's life (not exempt
    from activities nor suspended), not exempt from the residence comment, living under another cell than theirs."""
    if period.kind not in RESIDENCE_COMMENT_KINDS:
        return {}
    return {
        cadre_id: (residence_cell_id, cell_id)
        for cadre_id, cell_id, status, residence_cell_id, exemption in members
        if status == MembershipStatus.ACTIVE and residence_cell_id not in (None, cell_id) and not exemption
    }


def _insert_rows(model: type[Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert `rows` (values of `fields`, attribute names) with one statement, the other columns at the model's
    defaults, and return their primary keys in the order of the rows.

    On PostgreSQL each column goes as one array (INSERT … SELECT FROM UNNEST): no model object and no preparation
    per value, and every constraint of the table is checked as for any insert. The embedded SQLite default takes
    the ORM's bulk_create of the same values."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model._default_manager.bulk_create(model(**dict(zip(fields, row, strict=True))) for row in rows)
        return [obj.pk for obj in created]

    def quote(name: str | None) -> str:
        return connection.ops.quote_name(str(name))

    by_name = {field.attname: field for field in model._meta.concrete_fields}
    given = [by_name[name] for name in fields]
    # The models' defaults live in Python, not in the tables: the columns left out are written with them.
    missing = [field for field in model._meta.concrete_fields if field.attname not in fields and not field.primary_key]
    # auto_now fields take their value in pre_save, which this insert skips: give them in `fields` instead.
    if any(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) for field in missing):
        raise ValueError(f"{model.__name__}: give every auto_now field's value to _insert_rows")
    columns = ", ".join(quote(field.column) for field in [*given, *missing])
    # Unsized array types (varchar[], not varchar(255)[]), as Django's own bulk insert: nothing is cut short.
    arrays = ", ".join(f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field in given)
    names = ", ".join(quote(field.column) for field in given)
    selected = ", ".join([*(f"given.{quote(field.column)}" for field in given), *("%s" for _field in missing)])
    # Names from the models' metadata only; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {selected} "  # noqa: S608
        f"FROM UNNEST({arrays}) WITH ORDINALITY AS given({names}, row_order) ORDER BY row_order "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
    params = [field.get_default() for field in missing] + [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def period_close(*, period: ReviewPeriod, acting_user: User) -> ReviewPeriod:
    """End a period once every review has its result (or is not rated): those who may open it may close it."""
    with transaction.atomic(durable=True):
        _require(
            review_access.can_open_period(acting_user, period.scope), _("Đồng chí không được đóng đợt kiểm điểm này.")
        )
        period = ReviewPeriod.objects.select_for_update().get(pk=period.pk)
        if period.state == PeriodState.CLOSED:
            raise ValidationError(_("Đợt kiểm điểm này đã kết thúc."))
        open_reviews = period.reviews.exclude(state__in=ENDED_REVIEW_STATES).count()
        if open_reviews:
            raise ValidationError(
                _("Còn %(count)s bản kiểm điểm chưa có kết quả; chưa đóng đợt được.") % {"count": open_reviews}
            )
        period.state = PeriodState.CLOSED
        period.save(update_fields=["state"])
        _audit(acting_user, ReviewAction.PERIOD_CLOSE, period)
    return period
