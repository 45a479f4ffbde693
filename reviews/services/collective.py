"""The rating of party organisations (Hướng dẫn 43-HD/BTCTW): the committee directly above rates the organisations
under it as one table, all or none.

Each row keeps the rules of its level (rules.collective_conflicts). The quota of Excellent collectives is weighed
over each group of similar function as the table leaves it (the ratings stored before, with the table's rows in
their place), so that the rows needing a justification do not depend on the rows' order; a table that leaves
Excellent ratings stored before beyond the quota, unjustified, is refused as well. The upper organisation is held
until the end, so that two tables of the same committee are counted one after the other. A row whose figures fall
short of what a leader's Excellent rating needs of their unit is refused while a leader of that organisation holds
that rating in the period: the leader's rating is revisited first, whichever was written first.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programmes.models import PartyOrganisation
from programmes.models.organisations import OrganisationKind, in_force_on
from reviews import access as review_access
from reviews import rules
from reviews.audit_actions import ReviewAction
from reviews.models import OrganisationRating, PeriodState, RatingLevel, ReviewPeriod
from reviews.services._common import _audit, _require
from reviews.services.bulk import Refusal, RowsRefused
from reviews.services.decision import excellent_leaders, lock_quotas


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation's rating as the table gives it; a blank function group takes the organisation's kind."""

    organisation: PartyOrganisation
    level: str
    tasks_total: int
    tasks_completed: int
    tasks_exceeding: int
    discipline_free: bool
    function_group: str = ""
    quota_justification: str = ""


def collectives(period: ReviewPeriod) -> QuerySet[PartyOrganisation]:
    """The party organisations `period` rates as collectives: those under its scope (never the scope itself) in
    force at the end of what it covers (one dissolved or merged before then is rated in its successor), a party
    group never."""
    scope = period.scope
    return PartyOrganisation.objects.filter(
        in_force_on(period.covers_to), path__startswith=scope.path, depth__gt=scope.depth
    ).exclude(kind=OrganisationKind.PARTY_GROUP)


def subordinates(upper: PartyOrganisation, period: ReviewPeriod) -> QuerySet[PartyOrganisation]:
    """The party organisations directly under `upper` that `period` rates as collectives (collectives)."""
    return collectives(period).filter(path__startswith=upper.path, depth=upper.depth + 1).order_by("path")


def is_rated(period: ReviewPeriod, organisation: PartyOrganisation) -> bool:
    """Whether `period` rates `organisation`: it is among the subordinates of its parent (collectives). One query."""
    return collectives(period).filter(pk=organisation.pk).exists()


def default_function_group(organisation: PartyOrganisation) -> str:
    """The group of similar function an organisation is counted in unless the committee names another: its kind,
    in the portal's language whoever writes it, so that the same kind is one group."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(OrganisationKind(organisation.kind).label)


def ratings_under(period: ReviewPeriod, upper: PartyOrganisation) -> QuerySet[OrganisationRating]:
    return OrganisationRating.objects.filter(
        period=period, organisation__path__startswith=upper.path, organisation__depth=upper.depth + 1
    )


@dataclass(frozen=True)
class Standing:
    """A rating as the group's quota counts it."""

    group: str
    level: str
    justified: bool


@dataclass(frozen=True)
class GroupQuota:
    """The quota of one group of similar function, and the justifications it still lacks."""

    group: str
    status: rules.QuotaStatus
    justified: int

    @property
    def beyond(self) -> int:
        return self.status.beyond

    @property
    def missing(self) -> int:
        return max(0, self.beyond - self.justified)

    def message(self) -> str:
        return _(
            "Nhóm “%(group)s” có %(excellent)s tổ chức hoàn thành xuất sắc nhiệm vụ trên %(good)s tổ chức hoàn thành "
            "tốt nhiệm vụ, vượt tỷ lệ cho phép: tối đa %(allowed)s, tức %(percent)s%% số hoàn thành tốt nhiệm vụ. "
            "Cần giải trình cho ít nhất %(missing)s tổ chức xuất sắc vượt tỷ lệ."
        ) % {
            "group": self.group,
            "excellent": self.status.excellent,
            "good": self.status.good,
            "allowed": self.status.allowed,
            "percent": self.status.percent,
            "missing": self.missing,
        }


def group_quotas(period: ReviewPeriod, standings: Iterable[Standing]) -> dict[str, GroupQuota]:
    """The quota of each group over the given ratings (the whole set, whatever its order)."""
    by_group: dict[str, list[Standing]] = defaultdict(list)
    for standing in standings:
        by_group[standing.group].append(standing)
    rule_set = period.rule_set
    return {
        group: GroupQuota(
            group=group,
            status=rules.collective_quota(rule_set, [item.level for item in items]),
            justified=sum(item.level == RatingLevel.EXCELLENT and item.justified for item in items),
        )
        for group, items in sorted(by_group.items())
    }


def standings_with(stored: Iterable[OrganisationRating], rows: Iterable[OrganisationRow]) -> dict[int, Standing]:
    """The ratings of the upper organisation's subordinates as the table leaves them, by organisation id: those
    stored, with the table's rows in their place."""
    found = {
        rating.organisation_id: Standing(rating.function_group, rating.level, bool(rating.quota_justification.strip()))
        for rating in stored
    }
    for row in rows:
        found[row.organisation.pk] = Standing(group_of(row), row.level, bool(row.quota_justification.strip()))
    return found


def group_of(row: OrganisationRow) -> str:
    return row.function_group.strip() or default_function_group(row.organisation)


def _check_table(period: ReviewPeriod, upper: PartyOrganisation, rows: Sequence[OrganisationRow]) -> None:
    if not period.includes_collectives:
        raise ValidationError(_("Đợt kiểm điểm này không xếp loại tổ chức đảng."))
    if period.state != PeriodState.OPEN:
        raise ValidationError(_("Đợt kiểm điểm đã kết thúc; không xếp loại thêm."))
    if not upper.path.startswith(period.scope.path):
        raise ValidationError(_("Tổ chức này không thuộc phạm vi đợt kiểm điểm."))
    if not rows:
        raise ValidationError(_("Chưa có dòng nào để lưu."))
    ids = [row.organisation.pk for row in rows]
    under = set(subordinates(upper, period).filter(pk__in=ids).values_list("pk", flat=True))
    if len(set(ids)) != len(ids) or set(ids) != under:
        raise ValidationError(
            _("Bảng có tổ chức không trực thuộc %(upper)s, hoặc một tổ chức hai dòng.") % {"upper": upper.name}
        )


def _row_refusal(
    period: ReviewPeriod, row: OrganisationRow, quotas: Mapping[str, GroupQuota], leaders: Sequence[str]
) -> Refusal | None:
    """Why the row may not be stored: its level's rules, the quota of its group, and the Excellent rating of a
    leader of the organisation (`leaders`, named when the row's figures fail what that rating needs)."""
    errors: dict[str, list[str]] = defaultdict(list)
    for field, message in rules.collective_conflicts(
        period.rule_set,
        level=row.level,
        total=row.tasks_total,
        completed=row.tasks_completed,
        exceeding=row.tasks_exceeding,
        discipline_free=row.discipline_free,
    ):
        errors[field].append(message)
    group = quotas[group_of(row)]
    if row.level == RatingLevel.EXCELLENT and group.missing and not row.quota_justification.strip():
        errors["quota_justification"].append(group.message())
    if leaders:
        errors[NON_FIELD_ERRORS].append(_leaders_message(period, row, leaders))
    return ValidationError(dict(errors)) if errors else None


def _led_unit(row: OrganisationRow) -> rules.LedUnit:
    return rules.LedUnit(row.organisation.name, row.tasks_total, row.tasks_completed, row.tasks_exceeding)


def _bound_leaders(period: ReviewPeriod, rows: Sequence[OrganisationRow]) -> dict[int, list[str]]:
    """The leaders whose Excellent rating the table's figures would contradict, by organisation id: those of the
    rows whose figures fail what a leader's Excellent rating needs of their unit (rules.led_units_conflicts), who
    hold that rating in the period (services.decision.excellent_leaders)."""
    failing = [row.organisation.pk for row in rows if rules.led_units_conflicts(period.rule_set, [_led_unit(row)])]
    return excellent_leaders(period, failing) if failing else {}


def _leaders_message(period: ReviewPeriod, row: OrganisationRow, leaders: Sequence[str]) -> str:
    return _(
        "Đồng chí %(leaders)s trực tiếp lãnh đạo %(unit)s và đã được xếp “%(level)s” trong đợt này; mức đó đòi hỏi "
        "đơn vị hoàn thành 100%% nhiệm vụ được giao, trong đó ít nhất %(percent)s%% vượt yêu cầu, mà số liệu của "
        "dòng này chưa đạt. Hãy xem xét lại xếp loại của đồng chí %(leaders)s trước (trả lại chi bộ hoặc xếp loại "
        "lại), rồi mới xếp loại đơn vị với số liệu này."
    ) % {
        "leaders": ", ".join(leaders),
        "unit": row.organisation.name,
        "level": RatingLevel.EXCELLENT.label,
        "percent": period.rule_set.excellent_exceeding_percent,
    }


def _stored_refusals(
    stored: Mapping[int, OrganisationRating], rows: Sequence[OrganisationRow], quotas: Mapping[str, GroupQuota]
) -> dict[int, Refusal]:
    """The Excellent ratings stored before without a justification and left out of the table, in a group the table
    leaves short of justifications by more than its own unjustified Excellent rows could cover (a table lowering
    Good ratings, or moving them to another group): each is refused, by organisation id, so that no table leaves
    Excellent ratings beyond the quota unjustified."""
    in_table = {row.organisation.pk for row in rows}
    unjustified_rows = Counter(
        group_of(row) for row in rows if row.level == RatingLevel.EXCELLENT and not row.quota_justification.strip()
    )
    refusals: dict[int, Refusal] = {}
    for rating in stored.values():
        if rating.organisation_id in in_table or rating.level != RatingLevel.EXCELLENT:
            continue
        group = quotas[rating.function_group]
        if rating.quota_justification.strip() or group.missing <= unjustified_rows[group.group]:
            continue
        message = _(
            "%(organisation)s đã được xếp “%(level)s” từ trước mà không có giải trình, nay vượt tỷ lệ của nhóm: "
            "hãy xếp loại lại dòng này kèm giải trình."
        ) % {"organisation": rating.organisation.name, "level": RatingLevel.EXCELLENT.label}
        refusals[rating.organisation_id] = ValidationError({"quota_justification": [f"{group.message()} {message}"]})
    return refusals


@transaction.atomic(durable=True)
def rate_organisations(
    *, period: ReviewPeriod, upper: PartyOrganisation, rows: Sequence[OrganisationRow], acting_user: User
) -> list[OrganisationRating]:
    """The ratings of the organisations directly under `upper`, all or none: each row keeps its level's rules, the
    Excellent ones of a group beyond its quota need a written justification (enough of them to cover the excess;
    when the table's own rows cannot, the Excellent ones stored before without one are refused too), a row may
    not contradict the Excellent rating a leader of its organisation already holds, and every refused rating is
    named (RowsRefused, by organisation id). One audit event per rating."""
    _require(
        review_access.can_rate_under(acting_user, upper),
        _("Chỉ Ban Thường vụ, người đứng đầu hoặc Ban Tổ chức của cấp ủy cấp trên trực tiếp xếp loại tổ chức đảng."),
    )
    _check_table(period, upper, rows)
    # Two tables of the same committee at once would each miss the other's Excellent ratings; a leader's Excellent
    # decided at this moment would miss this table's figures of their unit (decision._check_led_units locks it too).
    lock_quotas([upper.pk, *(row.organisation.pk for row in rows)])
    stored = {rating.organisation_id: rating for rating in ratings_under(period, upper).select_related("organisation")}
    quotas = group_quotas(period, standings_with(stored.values(), rows).values())
    leaders = _bound_leaders(period, rows)
    refusals = {
        row.organisation.pk: refusal
        for row in rows
        if (refusal := _row_refusal(period, row, quotas, leaders.get(row.organisation.pk, [])))
    }
    refusals.update(_stored_refusals(stored, rows, quotas))
    if refusals:
        raise RowsRefused(refusals)
    return [_store(period, row, stored.get(row.organisation.pk), quotas, acting_user) for row in rows]


def _store(
    period: ReviewPeriod,
    row: OrganisationRow,
    before: OrganisationRating | None,
    quotas: Mapping[str, GroupQuota],
    acting_user: User,
) -> OrganisationRating:
    group = group_of(row)
    beyond = row.level == RatingLevel.EXCELLENT and quotas[group].beyond > 0
    values = {
        "function_group": group,
        "tasks_total": row.tasks_total,
        "tasks_completed": row.tasks_completed,
        "tasks_exceeding": row.tasks_exceeding,
        "discipline_free": row.discipline_free,
        "level": row.level,
        "quota_justification": row.quota_justification.strip() if beyond else "",
        "rated_by": acting_user,
        "rated_at": timezone.now(),
    }
    previous = None if before is None else {"level": before.level, "function_group": before.function_group}
    rating, _created = OrganisationRating.objects.update_or_create(
        period=period, organisation=row.organisation, defaults=values
    )
    _audit(
        acting_user,
        ReviewAction.ORGANISATION_RATE,
        rating,
        before=previous,
        period=period.pk,
        organisation=row.organisation.pk,
        function_group=group,
        level=row.level,
        tasks=[row.tasks_total, row.tasks_completed, row.tasks_exceeding],
        discipline_free=row.discipline_free,
        quota_justification=rating.quota_justification,
    )
    return rating
