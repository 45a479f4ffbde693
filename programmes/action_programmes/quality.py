"""The quality check a programme must pass before it is submitted (PEERS "none has" 10, OGP's starred
commitments): every commitment measurable, dated inside the term, with measures and evidence named, and
the task weights summing to 100. Each finding says, in Vietnamese, what is missing and where.
"""

import dataclasses
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from programmes.action_programmes import numbering
from programmes.models import CommitmentTerms, ProgrammeVersion

TASK_WEIGHT_TOTAL = 100
# Words that promise effort rather than a result; a target made only of them cannot be checked.
VAGUE_WORDS = (
    "nâng cao",
    "tăng cường",
    "phấn đấu",
    "góp phần",
    "tích cực",
    "cố gắng",
    "tốt hơn",
    "đẩy mạnh",
    "chú trọng",
    "quan tâm",
)
HAS_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Finding:
    message: str
    # The commitment's position in the version (1-based), or None for the programme as a whole.
    position: int | None = None
    field: str = ""
    # Its number as every page shows it ("II.2", `numbering`); set by check_version, and no part of what is found.
    number: str = dataclasses.field(default="", compare=False)


def _is_measurable(terms: CommitmentTerms) -> bool:
    if terms.is_deliverable:
        return bool(terms.evidence_kind.strip())
    return bool(terms.indicator.strip()) and terms.target_value is not None and bool(terms.unit.strip())


def _is_vague(terms: CommitmentTerms) -> bool:
    """A target with no number and no deliverable, worded only as effort."""
    if terms.is_deliverable or terms.target_value is not None or HAS_NUMBER.search(terms.statement):
        return False
    statement = terms.statement.lower()
    return any(word in statement for word in VAGUE_WORDS) or len(statement.split()) < 5


def check_commitment(terms: CommitmentTerms, version: ProgrammeVersion) -> list[Finding]:
    programme = version.programme
    at = terms.position
    findings: list[Finding] = []

    def add(message: str, field: str) -> None:
        findings.append(Finding(message, at, field))

    if not terms.statement.strip():
        add(_("Chưa ghi nội dung cam kết."), "statement")
    elif _is_vague(terms):
        add(
            _(
                "Nội dung còn chung chung: hãy nêu con số cần đạt hoặc sản phẩm cụ thể "
                "thay cho những từ như “nâng cao”, “tăng cường”."
            ),
            "statement",
        )
    if not _is_measurable(terms):
        if terms.is_deliverable:
            add(_("Cam kết một sản phẩm nhưng chưa ghi sản phẩm, minh chứng là gì."), "evidence_kind")
        else:
            add(
                _(
                    "Chưa có chỉ tiêu đo được: ghi chỉ tiêu, đơn vị tính và giá trị cam kết, "
                    "hoặc chọn cam kết một sản phẩm."
                ),
                "target_value",
            )
    if terms.deadline is None:
        add(_("Chưa có thời hạn hoàn thành."), "deadline")
    elif not programme.term_start <= terms.deadline <= programme.term_end:
        add(
            _("Thời hạn %(deadline)s nằm ngoài thời gian thực hiện chương trình (%(start)s – %(end)s).")
            % {
                "deadline": f"{terms.deadline:%d/%m/%Y}",
                "start": f"{programme.term_start:%d/%m/%Y}",
                "end": f"{programme.term_end:%d/%m/%Y}",
            },
            "deadline",
        )
    if not terms.measures.strip():
        add(_("Chưa ghi biện pháp thực hiện."), "measures")
    if not terms.is_deliverable and not terms.evidence_kind.strip():
        add(_("Chưa ghi sản phẩm, minh chứng sẽ dùng để chứng minh kết quả."), "evidence_kind")
    if terms.is_task and terms.weight is None:
        add(_("Nội dung nhiệm vụ cần có trọng số."), "weight")
    return findings


def check_version(version: ProgrammeVersion, terms: list[CommitmentTerms] | None = None) -> list[Finding]:
    """Every finding for the version; an empty list means it may be submitted and confirmed."""
    if terms is None:
        terms = list(version.terms.all())
    if not terms:
        return [Finding(_("Chương trình chưa có nội dung cam kết nào."))]
    findings: list[Finding] = []
    numbers = numbering.commitment_numbers(terms)
    for item in numbering.document_order(terms):
        number = numbers[item.commitment_id]
        findings += [dataclasses.replace(finding, number=number) for finding in check_commitment(item, version)]
    tasks = [item for item in terms if item.is_task]
    if not tasks:
        findings.append(
            Finding(_("Cần ít nhất một nội dung về nhiệm vụ chuyên môn, phục vụ Nhân dân hoặc xây dựng Đảng."))
        )
    else:
        total = sum(item.weight or 0 for item in tasks)
        if total != TASK_WEIGHT_TOTAL:
            findings.append(
                Finding(
                    _("Trọng số các nội dung nhiệm vụ cộng lại được %(total)s, cần đúng %(expected)s.")
                    % {"total": total, "expected": TASK_WEIGHT_TOTAL}
                )
            )
    return findings
