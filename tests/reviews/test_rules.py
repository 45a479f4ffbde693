"""The rule sets' arithmetic and conditions, with their Vietnamese messages. Pure: no database."""

import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviews import rules
from reviews.models import RatingLevel, RuleSet, Verdict

EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED = (
    RatingLevel.EXCELLENT,
    RatingLevel.GOOD,
    RatingLevel.COMPLETED,
    RatingLevel.NOT_COMPLETED,
)
DONE, EXCEEDED, LATE, PARTLY, NOT_DONE = (
    Verdict.DONE,
    Verdict.EXCEEDED,
    Verdict.DONE_LATE,
    Verdict.PARTLY,
    Verdict.NOT_DONE,
)


def rule_366(**overrides: Any) -> RuleSet:
    """The 366-2025 rule set as migration 0002 ships it, unsaved."""
    values: dict[str, Any] = {
        "code": "366-2025",
        "name": "Thang điểm 100",
        "uses_points": True,
        "general_points_max": 30,
        "task_points_max": 70,
        "excellent_from": 90,
        "good_from": 70,
        "completed_from": 50,
        "excellent_exceeding_percent": 30,
        "quota_percent": 20,
        "valid_from": datetime.date(2025, 8, 30),
    }
    values.update(overrides)
    return RuleSet(**values)


def rule_124() -> RuleSet:
    return rule_366(
        code="124-2023",
        uses_points=False,
        general_points_max=0,
        task_points_max=0,
        excellent_exceeding_percent=0,
        valid_from=datetime.date(2023, 10, 4),
    )


def messages(conflicts: list[rules.Conflict]) -> list[str]:
    return [conflict.message for conflict in conflicts]


def check(level: str, general: int | None, task: int | None, verdicts=(), rule_set: RuleSet | None = None):
    return rules.check_level(rule_set or rule_366(), level=level, general=general, task=task, verdicts=verdicts)


def reference_level(total: int) -> RatingLevel:
    if total >= 90:
        return EXCELLENT
    if total >= 70:
        return GOOD
    if total >= 50:
        return COMPLETED
    return NOT_COMPLETED


# --- Thresholds -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "level"),
    [(100, EXCELLENT), (90, EXCELLENT), (89, GOOD), (70, GOOD), (69, COMPLETED), (50, COMPLETED), (49, NOT_COMPLETED)],
)
def test_the_366_thresholds_at_their_edges(total, level):
    assert rules.level_for_points(rule_366(), total) == level


@given(general=st.integers(0, 30), task=st.integers(0, 70))
def test_any_points_in_range_reach_the_level_of_their_total(general, task):
    rule_set = rule_366()
    reached = rules.level_for_points(rule_set, general + task)
    assert reached == reference_level(general + task)
    # The level the points reach, with every task beyond its target, raises nothing.
    assert check(reached, general, task, [EXCEEDED] * 3) == []


@given(general=st.integers(0, 30), task=st.integers(0, 70), level=st.sampled_from(RatingLevel.values))
def test_a_level_above_the_points_is_refused_and_one_below_only_questioned(general, task, level):
    total = general + task
    reached = reference_level(total)
    found = check(level, general, task, [EXCEEDED] * 3)
    rank = list(RatingLevel.values)
    if rank.index(level) < rank.index(reached):
        assert messages(found)[0] == (
            f"Tổng {total} điểm chỉ đạt mức “{reached.label}”, chưa đủ để xếp “{RatingLevel(level).label}”."
        )
        assert found[0].blocking
    elif rank.index(level) > rank.index(reached):
        assert found == [
            rules.Conflict(
                f"Tổng {total} điểm đạt mức “{reached.label}” nhưng đề xuất “{RatingLevel(level).label}”: "
                "hãy nêu rõ lý do trong phần nhận xét.",
                blocking=False,
            )
        ]
        assert rules.blocking(found) == []
    else:
        assert found == []


def test_a_level_below_what_the_points_reach_is_a_warning_that_does_not_block():
    found = check(COMPLETED, 27, 58)
    assert found == [
        rules.Conflict(
            "Tổng 85 điểm đạt mức “Hoàn thành tốt nhiệm vụ” nhưng đề xuất “Hoàn thành nhiệm vụ”: "
            "hãy nêu rõ lý do trong phần nhận xét.",
            blocking=False,
        )
    ]
    assert rules.blocking(found) == []


def test_89_points_are_not_enough_for_excellent():
    assert rules.blocking(check(EXCELLENT, 29, 60, [EXCEEDED])) == [
        "Tổng 89 điểm chỉ đạt mức “Hoàn thành tốt nhiệm vụ”, chưa đủ để xếp “Hoàn thành xuất sắc nhiệm vụ”."
    ]


# --- Points out of range ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("general", "task", "expected"),
    [
        (31, 60, ["Điểm tiêu chí chung phải từ 0 đến 30."]),
        (-1, 60, ["Điểm tiêu chí chung phải từ 0 đến 30."]),
        (25, 71, ["Điểm kết quả thực hiện nhiệm vụ phải từ 0 đến 70."]),
        (31, 71, ["Điểm tiêu chí chung phải từ 0 đến 30.", "Điểm kết quả thực hiện nhiệm vụ phải từ 0 đến 70."]),
        (None, 60, ["Cần chấm cả điểm tiêu chí chung và điểm kết quả thực hiện nhiệm vụ."]),
        (25, None, ["Cần chấm cả điểm tiêu chí chung và điểm kết quả thực hiện nhiệm vụ."]),
    ],
)
def test_points_out_of_range_or_missing_are_refused_and_no_threshold_is_judged(general, task, expected):
    found = check(COMPLETED, general, task)
    assert messages(found) == expected
    assert all(conflict.blocking for conflict in found)


def test_the_maximum_of_each_group_comes_from_the_rule_set():
    assert messages(rules.check_points(rule_366(general_points_max=40, task_points_max=60), 41, 61)) == [
        "Điểm tiêu chí chung phải từ 0 đến 40.",
        "Điểm kết quả thực hiện nhiệm vụ phải từ 0 đến 60.",
    ]
    assert rules.check_points(rule_366(), 0, 0) == rules.check_points(rule_366(), 30, 70) == []


def test_a_level_must_be_chosen():
    assert messages(check("", 27, 60)) == ["Hãy chọn một mức xếp loại."]
    assert messages(check("xuat_sac", 27, 60)) == ["Hãy chọn một mức xếp loại."]


# --- Conditions of Excellent and Good ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdicts", "needed"),
    [((DONE,) * 3, 1), ((DONE,) * 4, 2), ((DONE,) * 10, 3), ((DONE,) * 11, 4), ((DONE,), 1)],
)
def test_excellent_needs_30_percent_of_tasks_exceeded_rounded_up(verdicts, needed):
    total = len(verdicts)
    assert rules.blocking(check(EXCELLENT, 28, 65, verdicts)) == [
        f"Mức “Hoàn thành xuất sắc nhiệm vụ” đòi hỏi ít nhất 30% nhiệm vụ vượt yêu cầu "
        f"({needed} trên {total} nội dung); hiện có 0."
    ]
    enough = (EXCEEDED,) * needed + verdicts[needed:]
    assert check(EXCELLENT, 28, 65, enough) == []
    if needed > 1:
        short = (EXCEEDED,) * (needed - 1) + verdicts[needed - 1 :]
        assert messages(check(EXCELLENT, 28, 65, short))[0].endswith(f"hiện có {needed - 1}.")


def test_three_tasks_need_one_exceeded_and_four_need_two():
    assert check(EXCELLENT, 28, 65, [EXCEEDED, DONE, DONE]) == []
    assert messages(check(EXCELLENT, 28, 65, [EXCEEDED, DONE, DONE, DONE])) == [
        "Mức “Hoàn thành xuất sắc nhiệm vụ” đòi hỏi ít nhất 30% nhiệm vụ vượt yêu cầu (2 trên 4 nội dung); hiện có 1."
    ]


def test_excellent_needs_every_task_on_time_as_well():
    found = rules.blocking(check(EXCELLENT, 28, 65, [EXCEEDED, EXCEEDED, LATE]))
    assert found == [
        "Mức “Hoàn thành xuất sắc nhiệm vụ” đòi hỏi mọi nhiệm vụ hoàn thành đúng hạn; "
        "1 nội dung chưa hoàn thành đúng hạn hoặc chưa được đánh giá."
    ]


@pytest.mark.parametrize("late", [LATE, PARTLY, NOT_DONE, ""])
def test_good_needs_every_task_on_time_and_judged(late):
    assert rules.blocking(check(GOOD, 27, 55, [DONE, late, late])) == [
        "Mức “Hoàn thành tốt nhiệm vụ” đòi hỏi mọi nhiệm vụ hoàn thành đúng hạn; "
        "2 nội dung chưa hoàn thành đúng hạn hoặc chưa được đánh giá."
    ]


def test_good_with_every_task_on_time_or_exceeded_passes():
    assert check(GOOD, 27, 55, [DONE, EXCEEDED, DONE]) == []


@pytest.mark.parametrize("level", [COMPLETED, NOT_COMPLETED])
def test_lower_levels_accept_late_and_unfinished_tasks(level):
    points = (20, 35) if level == COMPLETED else (10, 20)
    assert check(level, *points, [LATE, PARTLY, NOT_DONE]) == []


def test_excellent_without_any_task_needs_only_the_points():
    assert check(EXCELLENT, 28, 65, []) == []


# --- 124-2023: criteria, no points -----------------------------------------------------------------------------


def test_124_refuses_points():
    expected = ["Quy định 124-2023 không chấm điểm; để trống phần điểm."]
    assert messages(check(GOOD, 27, 60, [DONE], rule_set=rule_124())) == expected
    assert messages(check(GOOD, None, 0, [DONE], rule_set=rule_124())) == expected


@pytest.mark.parametrize("level", RatingLevel.values)
def test_124_rates_any_level_by_its_criteria_without_points(level):
    assert check(level, None, None, [EXCEEDED, DONE, DONE, DONE], rule_set=rule_124()) == []


def test_124_still_needs_every_task_on_time_for_good_and_excellent():
    for level in (GOOD, EXCELLENT):
        assert rules.blocking(check(level, None, None, [DONE, LATE], rule_set=rule_124())) == [
            f"Mức “{RatingLevel(level).label}” đòi hỏi mọi nhiệm vụ hoàn thành đúng hạn; "
            "1 nội dung chưa hoàn thành đúng hạn hoặc chưa được đánh giá."
        ]


# --- Quota -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("excellent", "good", "allowed", "exceeded"),
    [
        (0, 0, 0, False),
        (1, 0, 0, True),
        (1, 4, 0, True),
        (1, 5, 1, False),
        (1, 9, 1, False),
        (2, 9, 1, True),
        (2, 10, 2, False),
    ],
)
def test_quota_allows_20_percent_of_good_rounded_down(excellent, good, allowed, exceeded):
    levels = [EXCELLENT] * excellent + [GOOD] * good + [COMPLETED, NOT_COMPLETED]
    status = rules.quota_status(rule_366(), levels)
    assert (status.excellent, status.good, status.percent, status.allowed) == (excellent, good, 20, allowed)
    assert status.exceeded is exceeded


@given(excellent=st.integers(0, 40), good=st.integers(0, 200))
def test_quota_is_exceeded_exactly_when_excellent_is_more_than_a_fifth_of_good(excellent, good):
    status = rules.quota_status(rule_366(), [EXCELLENT] * excellent + [GOOD] * good)
    assert status.exceeded is (excellent * 5 > good)


def test_no_quota_is_never_exceeded():
    status = rules.quota_status(rule_366(quota_percent=None), [EXCELLENT] * 50)
    assert status.allowed is None
    assert status.exceeded is False


def test_the_quota_message_names_the_organisation_and_the_figures():
    status = rules.quota_status(rule_366(), [EXCELLENT, EXCELLENT] + [GOOD] * 9)
    assert status.message("Đảng bộ Trường Trung học cơ sở Bến Thành") == (
        "Đảng bộ Trường Trung học cơ sở Bến Thành có 2 đảng viên xuất sắc trên 9 đảng viên tốt, vượt tỷ lệ "
        "cho phép: tối đa 1, tức 20% số hoàn thành tốt nhiệm vụ."
    )
