"""The quality check before submission: each rule, its Vietnamese message and where it points. Pure: no database."""

import datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from programmes.action_programmes.quality import Finding, check_commitment, check_version
from programmes.models import ActionProgramme, CommitmentCategory, CommitmentTerms, ProgrammeVersion
from tests.programmes.programme_data import TERM_END, TERM_START, commitment_content

WEIGHTS_MESSAGE = "Trọng số các nội dung nhiệm vụ cộng lại được %s, cần đúng 100."
NO_TASK = "Cần ít nhất một nội dung về nhiệm vụ chuyên môn, phục vụ Nhân dân hoặc xây dựng Đảng."
VAGUE = (
    "Nội dung còn chung chung: hãy nêu con số cần đạt hoặc sản phẩm cụ thể "
    "thay cho những từ như “nâng cao”, “tăng cường”."
)
NOT_MEASURABLE = (
    "Chưa có chỉ tiêu đo được: ghi chỉ tiêu, đơn vị tính và giá trị cam kết, hoặc chọn cam kết một sản phẩm."
)


def version() -> ProgrammeVersion:
    programme = ActionProgramme(title="Chương trình thử", term_start=TERM_START, term_end=TERM_END)
    return ProgrammeVersion(programme=programme, number=1)


def terms(position: int = 1, **overrides: Any) -> CommitmentTerms:
    return CommitmentTerms(position=position, **commitment_content(position, **overrides))


def findings_for(**overrides: Any) -> list[Finding]:
    return check_commitment(terms(**overrides), version())


def deliverable(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "statement": "Xây dựng và đưa vào sử dụng phần mềm quản lý hồ sơ học sinh của trường",
        "is_deliverable": True,
        "indicator": "",
        "unit": "",
        "baseline_value": None,
        "target_value": None,
        "evidence_kind": "Quyết định đưa phần mềm vào sử dụng của Hiệu trưởng",
    }
    values.update(overrides)
    return values


def test_a_good_task_commitment_and_a_good_deliverable_have_no_findings():
    assert findings_for() == []
    assert findings_for(**deliverable()) == []
    assert check_version(version(), [terms(1, weight=60), terms(2, weight=40)]) == []


def test_a_vague_statement_without_a_number_is_flagged_with_what_to_write_instead():
    found = findings_for(statement="Nâng cao chất lượng công tác", target_value=None)
    assert found == [
        Finding(VAGUE, 1, "statement"),
        Finding(NOT_MEASURABLE, 1, "target_value"),
    ]


def test_the_same_words_with_a_number_or_a_target_are_not_vague():
    assert findings_for(statement="Nâng cao tỷ lệ hồ sơ đúng hạn lên 95%") == []
    assert findings_for(statement="Nâng cao chất lượng công tác") == []


def test_a_statement_of_a_few_words_is_vague_and_an_empty_one_is_missing():
    assert findings_for(statement="Làm tốt", target_value=None)[0] == Finding(VAGUE, 1, "statement")
    assert findings_for(statement="   ")[0] == Finding("Chưa ghi nội dung cam kết.", 1, "statement")


def test_a_plain_statement_of_five_words_or_more_is_not_vague():
    found = findings_for(statement="Hoàn thành sổ theo dõi hồ sơ khu phố", target_value=None)
    assert [finding.field for finding in found] == ["target_value"]


def test_a_target_needs_an_indicator_a_unit_and_a_value():
    for missing in ({"indicator": ""}, {"unit": "  "}, {"target_value": None}):
        assert findings_for(**missing) == [Finding(NOT_MEASURABLE, 1, "target_value")], missing


def test_a_deliverable_needs_its_evidence_named_once():
    assert findings_for(**deliverable(evidence_kind=" ")) == [
        Finding("Cam kết một sản phẩm nhưng chưa ghi sản phẩm, minh chứng là gì.", 1, "evidence_kind")
    ]


def test_a_measured_commitment_needs_its_evidence_named():
    assert findings_for(evidence_kind="") == [
        Finding("Chưa ghi sản phẩm, minh chứng sẽ dùng để chứng minh kết quả.", 1, "evidence_kind")
    ]


def test_a_commitment_needs_a_deadline():
    assert findings_for(deadline=None) == [Finding("Chưa có thời hạn hoàn thành.", 1, "deadline")]


def test_a_deadline_outside_the_term_names_both_dates():
    expected = Finding(
        "Thời hạn 15/01/2027 nằm ngoài thời gian thực hiện chương trình (01/01/2026 – 31/12/2026).", 1, "deadline"
    )
    assert findings_for(deadline=datetime.date(2027, 1, 15)) == [expected]
    assert findings_for(deadline=datetime.date(2025, 12, 31))[0].message.startswith("Thời hạn 31/12/2025 nằm ngoài")
    assert findings_for(deadline=TERM_START) == findings_for(deadline=TERM_END) == []


def test_a_commitment_needs_measures():
    assert findings_for(measures=" \n ") == [Finding("Chưa ghi biện pháp thực hiện.", 1, "measures")]


def test_a_task_without_a_weight_is_flagged_and_the_total_with_it():
    found = check_version(version(), [terms(1, weight=None)])
    assert found == [
        Finding("Nội dung nhiệm vụ cần có trọng số.", 1, "weight"),
        Finding(WEIGHTS_MESSAGE % 0),
    ]


def test_a_commitment_outside_the_tasks_needs_no_weight():
    ethics = terms(2, category=CommitmentCategory.POLITICS_ETHICS, weight=None)
    assert check_version(version(), [terms(1, weight=100), ethics]) == []


def test_task_weights_summing_to_90_are_flagged_for_the_whole_programme():
    found = check_version(version(), [terms(1, weight=60), terms(2, weight=30)])
    assert found == [Finding(WEIGHTS_MESSAGE % 90, None, "")]


def test_a_programme_without_a_task_commitment_is_flagged():
    ethics = terms(1, category=CommitmentCategory.EXEMPLARY, weight=None)
    assert check_version(version(), [ethics]) == [Finding(NO_TASK)]


def test_an_empty_programme_has_one_finding():
    assert check_version(version(), []) == [Finding("Chương trình chưa có nội dung cam kết nào.")]


def test_findings_name_the_position_of_each_commitment():
    found = check_version(version(), [terms(1, weight=50), terms(2, weight=50, measures=""), terms(3, deadline=None)])
    assert [(finding.position, finding.field) for finding in found] == [
        (2, "measures"),
        (3, "deadline"),
        (None, ""),
    ]
    assert found[-1].message == WEIGHTS_MESSAGE % 200


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8))
def test_any_task_weights_not_summing_to_100_yield_the_weights_finding(weights):
    items = [terms(number, weight=weight) for number, weight in enumerate(weights, start=1)]
    messages = [finding.message for finding in check_version(version(), items)]
    if sum(weights) == 100:
        assert messages == []
    else:
        assert messages == [WEIGHTS_MESSAGE % sum(weights)]


@given(st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=5).filter(lambda w: sum(w) < 100))
def test_task_weights_completed_to_100_pass(weights):
    items = [terms(number, weight=weight) for number, weight in enumerate([*weights, 100 - sum(weights)], start=1)]
    assert check_version(version(), items) == []


def test_decimal_targets_of_zero_still_count_as_a_target():
    assert findings_for(baseline_value=Decimal("3"), target_value=Decimal("0")) == []
