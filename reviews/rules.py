"""What a rule set allows: the level the points reach, the conditions of each level, and the quota.

Pure functions over plain values, so that the self-review, the cell's proposal and the decision all
check the same way and explain themselves in Vietnamese. A conflict that makes a level impossible is
`blocking`; one that is only worth a second look (a level below what the points reach) is not.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reviews.models import LEVEL_ORDER, RatingLevel, RuleSet, Verdict


@dataclass(frozen=True)
class Conflict:
    message: str
    blocking: bool = True


def _better(level: str, than: str) -> bool:
    return LEVEL_ORDER.index(RatingLevel(level)) < LEVEL_ORDER.index(RatingLevel(than))


def level_for_points(rule_set: RuleSet, total: int) -> RatingLevel:
    if total >= rule_set.excellent_from:
        return RatingLevel.EXCELLENT
    if total >= rule_set.good_from:
        return RatingLevel.GOOD
    if total >= rule_set.completed_from:
        return RatingLevel.COMPLETED
    return RatingLevel.NOT_COMPLETED


def check_points(rule_set: RuleSet, general: int | None, task: int | None) -> list[Conflict]:
    if not rule_set.uses_points:
        if general is not None or task is not None:
            return [Conflict(_("Quy định %(code)s không chấm điểm; để trống phần điểm.") % {"code": rule_set.code})]
        return []
    conflicts = []
    if general is None or task is None:
        conflicts.append(Conflict(_("Cần chấm cả điểm tiêu chí chung và điểm kết quả thực hiện nhiệm vụ.")))
    if general is not None and not 0 <= general <= rule_set.general_points_max:
        conflicts.append(
            Conflict(
                _("Điểm tiêu chí chung phải từ 0 đến %(max)s.") % {"max": rule_set.general_points_max},
            )
        )
    if task is not None and not 0 <= task <= rule_set.task_points_max:
        conflicts.append(
            Conflict(
                _("Điểm kết quả thực hiện nhiệm vụ phải từ 0 đến %(max)s.") % {"max": rule_set.task_points_max},
            )
        )
    return conflicts


def check_level(
    rule_set: RuleSet,
    *,
    level: str,
    general: int | None,
    task: int | None,
    verdicts: Iterable[str],
) -> list[Conflict]:
    """Every reason `level` is impossible (blocking) or doubtful, given the points and the task verdicts.

    `verdicts` are the verdicts on the task commitments (blank ones count as not yet judged).
    """
    if level not in RatingLevel.values:
        return [Conflict(_("Hãy chọn một mức xếp loại."))]
    conflicts = check_points(rule_set, general, task)
    task_verdicts = list(verdicts)
    label = RatingLevel(level).label
    if rule_set.uses_points and general is not None and task is not None and not conflicts:
        total = general + task
        reached = level_for_points(rule_set, total)
        if _better(level, reached):
            conflicts.append(
                Conflict(
                    _("Tổng %(total)s điểm chỉ đạt mức “%(reached)s”, chưa đủ để xếp “%(level)s”.")
                    % {"total": total, "reached": reached.label, "level": label}
                )
            )
        elif _better(reached, level):
            conflicts.append(
                Conflict(
                    _(
                        "Tổng %(total)s điểm đạt mức “%(reached)s” nhưng đề xuất “%(level)s”: "
                        "hãy nêu rõ lý do trong phần nhận xét."
                    )
                    % {"total": total, "reached": reached.label, "level": label},
                    blocking=False,
                )
            )
    if level in (RatingLevel.EXCELLENT, RatingLevel.GOOD):
        late = [verdict for verdict in task_verdicts if verdict not in Verdict.on_time_values()]
        if late:
            conflicts.append(
                Conflict(
                    _(
                        "Mức “%(level)s” đòi hỏi mọi nhiệm vụ hoàn thành đúng hạn; "
                        "%(count)s nội dung chưa hoàn thành đúng hạn hoặc chưa được đánh giá."
                    )
                    % {"level": label, "count": len(late)}
                )
            )
    if level == RatingLevel.EXCELLENT and task_verdicts and rule_set.excellent_exceeding_percent:
        exceeded = sum(verdict == Verdict.EXCEEDED for verdict in task_verdicts)
        needed = math.ceil(len(task_verdicts) * rule_set.excellent_exceeding_percent / 100)
        if exceeded < needed:
            conflicts.append(
                Conflict(
                    _(
                        "Mức “%(level)s” đòi hỏi ít nhất %(percent)s%% nhiệm vụ vượt yêu cầu "
                        "(%(needed)s trên %(total)s nội dung); hiện có %(exceeded)s."
                    )
                    % {
                        "level": label,
                        "percent": rule_set.excellent_exceeding_percent,
                        "needed": needed,
                        "total": len(task_verdicts),
                        "exceeded": exceeded,
                    }
                )
            )
    return conflicts


def blocking(conflicts: Iterable[Conflict]) -> list[str]:
    return [conflict.message for conflict in conflicts if conflict.blocking]


@dataclass(frozen=True)
class QuotaStatus:
    excellent: int
    good: int
    percent: int | None
    # The most Excellent ratings allowed for this many Good ones; None when the rule set has no quota.
    allowed: int | None

    @property
    def exceeded(self) -> bool:
        return self.allowed is not None and self.excellent > self.allowed

    @property
    def beyond(self) -> int:
        """How many Excellent ratings lie beyond what the quota allows (0 without a quota)."""
        if self.allowed is None:
            return 0
        return max(0, self.excellent - self.allowed)

    def message(self, organisation_name: str) -> str:
        return _(
            "%(organisation)s có %(excellent)s đảng viên xuất sắc trên %(good)s đảng viên tốt, vượt tỷ lệ "
            "cho phép: tối đa %(allowed)s, tức %(percent)s%% số hoàn thành tốt nhiệm vụ."
        ) % {
            "organisation": organisation_name,
            "excellent": self.excellent,
            "good": self.good,
            "allowed": self.allowed,
            "percent": self.percent,
        }


def _status(rule_set: RuleSet, excellent: int, good: int) -> QuotaStatus:
    return _share(rule_set.quota_percent, excellent, good)


def _share(percent: int | None, excellent: int, good: int) -> QuotaStatus:
    allowed = None if percent is None else math.floor(good * percent / 100)
    return QuotaStatus(excellent=excellent, good=good, percent=percent, allowed=allowed)


def _count(levels: Iterable[str], level: RatingLevel) -> int:
    return sum(counted == level for counted in levels)


def quota_status(rule_set: RuleSet, levels: Iterable[str]) -> QuotaStatus:
    """Excellent against the allowed share of Good, over the levels of one grassroots organisation."""
    counted = list(levels)
    return _status(rule_set, _count(counted, RatingLevel.EXCELLENT), _count(counted, RatingLevel.GOOD))


@dataclass(frozen=True)
class QuotaPicture:
    """The reviews of one deciding organisation in one period, as they stand: the level of those decided (the
    decision awaiting confirmation, or the result in force), and the cell's proposal of those not yet decided.

    The quota is a property of this whole set, so that it does not depend on the order the committee decides in:
    the Good ratings still only proposed count towards the allowed number as much as the decided ones.
    """

    decided: tuple[str, ...] = ()
    proposed: tuple[str, ...] = ()

    def deciding(self, level: str) -> "QuotaPicture":
        """The picture once one more review (not among these) is decided at `level`."""
        return QuotaPicture((*self.decided, level), self.proposed)

    def proposing(self, level: str) -> "QuotaPicture":
        return QuotaPicture(self.decided, (*self.proposed, level))

    @property
    def levels(self) -> tuple[str, ...]:
        return (*self.decided, *self.proposed)


def decided_quota(rule_set: RuleSet, picture: QuotaPicture) -> QuotaStatus:
    """The Excellent ratings decided, against the share of the Good ones of the whole picture."""
    return _status(rule_set, _count(picture.decided, RatingLevel.EXCELLENT), _count(picture.levels, RatingLevel.GOOD))


def expected_quota(rule_set: RuleSet, picture: QuotaPicture) -> QuotaStatus:
    """Excellent against Good over the whole picture: where the organisation ends if every proposal is kept."""
    return quota_status(rule_set, picture.levels)


@dataclass(frozen=True)
class DecisionQuota:
    """The quota as one decision at `level` leaves it, among the other reviews of its deciding organisation."""

    level: str
    # With this decision counted: the decided Excellent ones, and the Good ones of the whole picture.
    after: QuotaStatus

    @property
    def decided_excellent(self) -> int:
        """The Excellent ratings the organisation decided before this one."""
        return self.after.excellent - (self.level == RatingLevel.EXCELLENT)

    @property
    def needs_justification(self) -> bool:
        """Only a decision that adds an Excellent rating beyond the allowed number needs one: a decision at any
        other level never does, even while the organisation is over its quota."""
        return self.level == RatingLevel.EXCELLENT and self.after.exceeded

    def message(self, organisation_name: str) -> str:
        return _(
            "Đây là đảng viên hoàn thành xuất sắc nhiệm vụ thứ %(excellent)s mà %(organisation)s quyết định trong "
            "đợt này, vượt tỷ lệ cho phép: tối đa %(allowed)s, tức %(percent)s%% của %(good)s đảng viên hoàn thành "
            "tốt nhiệm vụ (đã quyết định, hoặc chi bộ đề xuất khi chưa quyết định)."
        ) % {
            "organisation": organisation_name,
            "excellent": self.after.excellent,
            "good": self.after.good,
            "allowed": self.after.allowed,
            "percent": self.after.percent,
        }


def decision_quota(rule_set: RuleSet, others: QuotaPicture, level: str) -> DecisionQuota:
    """The quota for deciding one review at `level`, given the organisation's other reviews of the period.

    Whatever the order of the decisions, over the same set of levels the same number of Excellent ones asks
    for a justification: the decided Excellent beyond floor(Good of the picture × quota %).
    """
    return DecisionQuota(level=level, after=decided_quota(rule_set, others.deciding(level)))


# --- Collectives (Hướng dẫn 43-HD/BTCTW) ----------------------------------------------------------------------


def exceeding_needed(rule_set: RuleSet, tasks_total: int) -> int:
    """The tasks that must exceed requirements for an Excellent rating: the rule set's share, rounded up."""
    return math.ceil(tasks_total * rule_set.excellent_exceeding_percent / 100)


def collective_conflicts(
    rule_set: RuleSet, *, level: str, total: int, completed: int, exceeding: int, discipline_free: bool
) -> list[tuple[str, str]]:
    """Every reason an organisation's rating is impossible, each with the field it is about: the task figures in
    order; for Good and Excellent some task assigned and every one completed; for Excellent also the share
    exceeding, and no unit or leader disciplined."""
    if level not in RatingLevel.values:
        return [("level", _("Hãy chọn một mức xếp loại."))]
    if completed > total:
        return [("tasks_completed", _("Số nhiệm vụ hoàn thành không được lớn hơn số nhiệm vụ được giao."))]
    if exceeding > completed:
        return [("tasks_exceeding", _("Số nhiệm vụ vượt yêu cầu không được lớn hơn số nhiệm vụ hoàn thành."))]
    if level not in (RatingLevel.EXCELLENT, RatingLevel.GOOD):
        return []
    label = RatingLevel(level).label
    conflicts = []
    if total == 0:
        conflicts.append(
            (
                "tasks_total",
                _(
                    "Mức “%(level)s” đòi hỏi tập thể hoàn thành các nhiệm vụ được giao trong kỳ; số nhiệm vụ được "
                    "giao đang là 0."
                )
                % {"level": label},
            )
        )
    if completed < total:
        conflicts.append(
            (
                "tasks_completed",
                _("Mức “%(level)s” đòi hỏi hoàn thành 100%% nhiệm vụ; mới hoàn thành %(completed)s trên %(total)s.")
                % {"level": label, "completed": completed, "total": total},
            )
        )
    if level == RatingLevel.GOOD:
        return conflicts
    needed = exceeding_needed(rule_set, total)
    if exceeding < needed:
        conflicts.append(
            (
                "tasks_exceeding",
                _(
                    "Mức “%(level)s” đòi hỏi ít nhất %(percent)s%% nhiệm vụ vượt yêu cầu (%(needed)s trên %(total)s); "
                    "hiện có %(exceeding)s."
                )
                % {
                    "level": label,
                    "percent": rule_set.excellent_exceeding_percent,
                    "needed": needed,
                    "total": total,
                    "exceeding": exceeding,
                },
            )
        )
    if not discipline_free:
        conflicts.append(
            (
                "discipline_free",
                _("Tập thể chỉ được xếp “%(level)s” khi không có tổ chức trực thuộc, thành viên lãnh đạo bị kỷ luật.")
                % {"level": label},
            )
        )
    return conflicts


def collective_quota(rule_set: RuleSet, levels: Iterable[str]) -> QuotaStatus:
    """Excellent collectives against the allowed share of Good ones, over the levels of one group of similar
    function: the whole group as it stands, whatever order its ratings were written in."""
    counted = list(levels)
    return _share(
        rule_set.collective_quota_percent, _count(counted, RatingLevel.EXCELLENT), _count(counted, RatingLevel.GOOD)
    )


@dataclass(frozen=True)
class LedUnit:
    """The rating of a unit a leader directly leads, as the leader's own Excellent rating reads it."""

    name: str
    tasks_total: int
    tasks_completed: int
    tasks_exceeding: int


def led_units_conflicts(rule_set: RuleSet, units: Iterable[LedUnit]) -> list[str]:
    """Why a leader may not be rated Excellent: a unit they directly lead had no task assigned, did not complete all
    its tasks, or fewer than the rule set's share of them exceeded requirements."""
    messages = []
    for unit in units:
        needed = exceeding_needed(rule_set, unit.tasks_total)
        if unit.tasks_total and unit.tasks_completed == unit.tasks_total and unit.tasks_exceeding >= needed:
            continue
        values = {
            "unit": unit.name,
            "completed": unit.tasks_completed,
            "total": unit.tasks_total,
            "exceeding": unit.tasks_exceeding,
            "level": RatingLevel.EXCELLENT.label,
            "percent": rule_set.excellent_exceeding_percent,
        }
        if unit.tasks_total == 0:
            found = _("Đồng chí trực tiếp lãnh đạo %(unit)s: đơn vị không có nhiệm vụ nào được giao trong kỳ.") % values
        else:
            found = (
                _(
                    "Đồng chí trực tiếp lãnh đạo %(unit)s: đơn vị hoàn thành %(completed)s trên %(total)s nhiệm vụ, "
                    "%(exceeding)s vượt yêu cầu."
                )
                % values
            )
        rule = (
            _(
                "Người đứng đầu chỉ được xếp “%(level)s” khi đơn vị mình trực tiếp lãnh đạo hoàn thành 100%% nhiệm "
                "vụ, trong đó ít nhất %(percent)s%% vượt yêu cầu."
            )
            % values
        )
        messages.append(f"{found} {rule}")
    return messages
