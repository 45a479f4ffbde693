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


def quota_status(rule_set: RuleSet, levels: Iterable[str]) -> QuotaStatus:
    """Excellent against the allowed share of Good, over the levels of one grassroots organisation."""
    counted = list(levels)
    excellent = sum(level == RatingLevel.EXCELLENT for level in counted)
    good = sum(level == RatingLevel.GOOD for level in counted)
    allowed = None if rule_set.quota_percent is None else math.floor(good * rule_set.quota_percent / 100)
    return QuotaStatus(excellent=excellent, good=good, percent=rule_set.quota_percent, allowed=allowed)
