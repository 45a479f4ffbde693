"""How a demo action programme is written down: its commitments, the progress reported on them, an amendment, and
how far its script takes it; and the programmes of the demo accounts themselves (dangvien, bithuchibo)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from programmes.models import CommitmentCategory, Occasion, ProgrammeState, ProgressStatus, PublicityLevel

# The programmes run over this fixed year, so every run writes the same content; deadlines early in it have passed.
DEMO_YEAR = 2026
SCHOOL_SITE = "https://thcsbenthanh.example"


def demo_date(month: int, day: int, years_on: int = 0) -> datetime.date:
    return datetime.date(DEMO_YEAR + years_on, month, day)


def decimal_or_none(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@dataclass(frozen=True)
class ReportSpec:
    status: str
    value: str | None = None
    note: str = ""
    link: str = ""


@dataclass(frozen=True)
class CommitmentSpec:
    category: str
    statement: str
    measures: str
    deadline: datetime.date
    evidence_kind: str
    indicator: str = ""
    unit: str = ""
    baseline: str | None = None
    target: str | None = None
    weight: int | None = None
    deliverable: bool = False
    milestones: tuple[tuple[datetime.date, str], ...] = ()
    reports: tuple[ReportSpec, ...] = ()

    def content(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "statement": self.statement,
            "is_deliverable": self.deliverable,
            "indicator": self.indicator,
            "unit": self.unit,
            "baseline_value": decimal_or_none(self.baseline),
            "target_value": decimal_or_none(self.target),
            "measures": self.measures,
            "deadline": self.deadline,
            "evidence_kind": self.evidence_kind,
            "weight": self.weight,
            "within_own_authority": True,
        }


@dataclass(frozen=True)
class AmendmentSpec:
    reason: str
    position: int
    changes: tuple[tuple[str, Any], ...]
    confirm: bool = False
    comment: str = ""


@dataclass(frozen=True)
class ProgrammeSpec:
    owner: str  # a key of Plan.programme_owners
    occasion: str
    title: str
    term: tuple[datetime.date, datetime.date]
    commitments: tuple[CommitmentSpec, ...]
    outcome: str  # the ProgrammeState the script leaves it in
    for_party_post: bool = False
    publicity_max: int = PublicityLevel.COMMITTEE
    comment: str = ""
    return_reason: str = ""
    return_notes: tuple[tuple[int, str], ...] = ()
    amendment: AmendmentSpec | None = None


# Short names keep the scripts below readable.
Category = CommitmentCategory
Status = ProgressStatus


def account_programmes() -> tuple[ProgrammeSpec, ...]:
    """dangvien's confirmed programme with progress and its draft for next year; bithuchibo's, confirmed one level
    up and amended."""
    annual = Occasion.ANNUAL
    year = (demo_date(1, 1), demo_date(12, 31))
    next_year = (demo_date(1, 1, 1), demo_date(12, 31, 1))
    school_year = f"{DEMO_YEAR}-{DEMO_YEAR + 1}"
    return (
        ProgrammeSpec(
            "dangvien",
            Occasion.NEW_DUTY,
            f"Chương trình hành động khi nhận nhiệm vụ phụ trách bồi dưỡng học sinh giỏi Tin học năm {DEMO_YEAR}",
            year,
            (
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Bồi dưỡng đội tuyển học sinh giỏi Tin học của trường đạt ít nhất 6 giải cấp phường",
                    "Dạy bồi dưỡng 2 buổi mỗi tuần từ tháng 01; tổ chức 3 đợt thi thử; trao đổi với phụ huynh sau "
                    "mỗi đợt",
                    demo_date(4, 30),
                    "Quyết định công nhận giải của Ủy ban nhân dân phường Bến Thành",
                    indicator="Số giải học sinh giỏi Tin học cấp phường",
                    unit="giải",
                    baseline="3",
                    target="6",
                    weight=40,
                    milestones=((demo_date(2, 28), "Hoàn thành 2 đợt thi thử, chọn đội tuyển 10 em"),),
                    reports=(
                        ReportSpec(Status.ON_TRACK, None, "Đã chọn đội tuyển 10 em sau 2 đợt thi thử."),
                        ReportSpec(
                            Status.EXCEEDED,
                            "7",
                            "Đội tuyển đạt 7 giải: 2 giải nhất, 2 giải nhì, 3 giải ba.",
                            f"{SCHOOL_SITE}/tin-tuc/ket-qua-hoc-sinh-gioi-tin-hoc-cap-phuong-{DEMO_YEAR}",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Có 95% học sinh lớp 9A3 đạt từ 5,0 điểm môn Toán trở lên ở kỳ thi tuyển sinh lớp 10",
                    "Phụ đạo học sinh yếu chiều thứ Ba và thứ Năm; kiểm tra định kỳ hằng tháng; theo dõi từng em "
                    "trong sổ tay chủ nhiệm",
                    demo_date(6, 30),
                    "Bảng điểm thi tuyển sinh lớp 10 của lớp 9A3",
                    indicator="Tỷ lệ học sinh lớp 9A3 đạt từ 5,0 điểm môn Toán",
                    unit="%",
                    baseline="88",
                    target="95",
                    weight=30,
                    reports=(
                        ReportSpec(
                            Status.DONE,
                            "96",
                            "Lớp 9A3 có 43/45 em đạt từ 5,0 điểm môn Toán.",
                            f"{SCHOOL_SITE}/tuyen-sinh-lop-10/{DEMO_YEAR}/ket-qua-lop-9a3",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.SERVICE_TO_PEOPLE,
                    "Hoàn thành kho 40 bài giảng điện tử môn Tin học dùng chung cho học sinh trong phường",
                    "Mỗi tuần hoàn thành 2 bài; tổ chuyên môn góp ý trước khi đăng; đăng trên kho học liệu của trường",
                    demo_date(3, 31),
                    "Đường dẫn kho học liệu và danh sách bài giảng đã đăng",
                    indicator="Số bài giảng điện tử đã đăng trên kho học liệu",
                    unit="bài",
                    baseline="12",
                    target="40",
                    weight=15,
                    reports=(
                        ReportSpec(
                            Status.AT_RISK,
                            "26",
                            "Mới đăng 26/40 bài do thiếu thiết bị quay dựng; đã đề nghị nhà trường hỗ trợ.",
                            f"{SCHOOL_SITE}/hoc-lieu/tin-hoc",
                        ),
                    ),
                ),
                CommitmentSpec(
                    Category.PARTY_BUILDING,
                    "Bồi dưỡng, giới thiệu 1 quần chúng ưu tú trong Tổ Toán - Tin học để chi bộ xem xét kết nạp Đảng",
                    "Phân công kèm cặp; giới thiệu học lớp bồi dưỡng nhận thức về Đảng; báo cáo chi bộ hằng quý",
                    demo_date(12, 15),
                    "Nghị quyết của chi bộ giới thiệu quần chúng ưu tú",
                    weight=15,
                    deliverable=True,
                    reports=(
                        ReportSpec(Status.ON_TRACK, None, "Quần chúng đã học xong lớp bồi dưỡng nhận thức về Đảng."),
                    ),
                ),
                CommitmentSpec(
                    Category.EXEMPLARY,
                    "Tham gia đầy đủ 12/12 kỳ sinh hoạt chi bộ thường kỳ, gương mẫu thực hiện quy định nêu gương",
                    "Sắp xếp lịch dạy trước ngày sinh hoạt; báo cáo chi bộ bằng văn bản khi vắng có lý do",
                    demo_date(12, 31),
                    "Sổ biên bản sinh hoạt chi bộ",
                    indicator="Số kỳ sinh hoạt chi bộ tham dự",
                    unit="kỳ",
                    baseline="0",
                    target="12",
                    reports=(ReportSpec(Status.ON_TRACK, "10", "Đã dự 10/10 kỳ sinh hoạt đến hết tháng 10."),),
                ),
            ),
            ProgrammeState.CONFIRMED,
            publicity_max=PublicityLevel.PUBLIC,
            comment="Nội dung cụ thể, sát nhiệm vụ được giao. Đồng ý xác nhận.",
        ),
        ProgrammeSpec(
            "dangvien",
            annual,
            f"Bản cam kết tu dưỡng, rèn luyện, phấn đấu năm {DEMO_YEAR + 1}",
            next_year,
            (
                CommitmentSpec(
                    Category.POLITICS_ETHICS,
                    "Học tập đầy đủ 100% chuyên đề, nghị quyết do chi bộ tổ chức và viết bài thu hoạch",
                    "Tham gia học tập trực tiếp; viết bài thu hoạch sau mỗi chuyên đề",
                    demo_date(12, 15, 1),
                    "Bài thu hoạch có nhận xét của chi bộ",
                    indicator="Tỷ lệ chuyên đề, nghị quyết đã học tập",
                    unit="%",
                    target="100",
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    f"Đạt danh hiệu giáo viên dạy giỏi cấp trường năm học {school_year}",
                    "Đăng ký 2 tiết thao giảng; dự giờ đồng nghiệp 18 tiết mỗi học kỳ",
                    demo_date(5, 31, 1),
                    "Quyết định công nhận giáo viên dạy giỏi cấp trường",
                    weight=60,
                    deliverable=True,
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "Giảm tỷ lệ học sinh lớp chủ nhiệm 8A2 có kết quả học tập chưa đạt xuống dưới 3%",
                    "Lập nhóm học tập; phụ đạo 1 buổi mỗi tuần; liên lạc với phụ huynh hằng tháng",
                    demo_date(5, 31, 1),
                    "Sổ điểm điện tử và báo cáo tổng kết năm học của lớp 8A2",
                    indicator="Tỷ lệ học sinh có kết quả học tập chưa đạt",
                    unit="%",
                    baseline="6",
                    target="3",
                    weight=40,
                ),
            ),
            ProgrammeState.DRAFT,
        ),
        ProgrammeSpec(
            "bithuchibo",
            Occasion.ELECTION,
            "Chương trình hành động của Bí thư Chi bộ Tổ Toán - Tin học nhiệm kỳ 2025 - 2027",
            (demo_date(8, 1, -1), demo_date(7, 31, 1)),
            (
                CommitmentSpec(
                    Category.PARTY_BUILDING,
                    "Tổ chức đủ 100% kỳ sinh hoạt chi bộ hằng tháng, mỗi quý 1 kỳ sinh hoạt chuyên đề",
                    "Lập kế hoạch sinh hoạt cả năm; chuẩn bị nội dung chuyên đề trước 1 tuần; mời đảng ủy dự mỗi "
                    "quý 1 kỳ",
                    demo_date(6, 30, 1),
                    "Sổ biên bản sinh hoạt chi bộ và kế hoạch sinh hoạt chuyên đề",
                    indicator="Tỷ lệ kỳ sinh hoạt tổ chức đúng quy định",
                    unit="%",
                    baseline="90",
                    target="100",
                    weight=40,
                    reports=(ReportSpec(Status.ON_TRACK, "100", "Đủ 16/16 kỳ sinh hoạt, 5 kỳ chuyên đề."),),
                ),
                CommitmentSpec(
                    Category.PARTY_BUILDING,
                    "Kết nạp ít nhất 2 đảng viên mới là giáo viên trẻ trong nhiệm kỳ",
                    "Lập danh sách quần chúng ưu tú; phân công đảng viên kèm cặp; phối hợp Chi đoàn giới thiệu",
                    demo_date(6, 30, 1),
                    "Quyết định kết nạp đảng viên của Đảng ủy phường",
                    indicator="Số đảng viên mới được kết nạp",
                    unit="đảng viên",
                    baseline="0",
                    target="2",
                    weight=30,
                    reports=(ReportSpec(Status.ON_TRACK, "1", "Đã kết nạp 1 đồng chí; 1 quần chúng đang bồi dưỡng."),),
                ),
                CommitmentSpec(
                    Category.PROFESSIONAL_TASK,
                    "100% giáo viên Tổ Toán - Tin học sử dụng bài giảng điện tử trong giảng dạy",
                    "Tập huấn nội bộ 2 buổi mỗi học kỳ; dự giờ, góp ý; chia sẻ học liệu dùng chung",
                    demo_date(12, 31),
                    "Biên bản dự giờ và thống kê của tổ chuyên môn",
                    indicator="Tỷ lệ giáo viên của tổ sử dụng bài giảng điện tử",
                    unit="%",
                    baseline="60",
                    target="100",
                    weight=30,
                ),
            ),
            ProgrammeState.CONFIRMED,
            for_party_post=True,
            publicity_max=PublicityLevel.PUBLIC,
            comment="Đồng ý. Đề nghị chú trọng công tác phát triển đảng viên trong giáo viên trẻ.",
            amendment=AmendmentSpec(
                f"Thực hiện nghị quyết của Đảng ủy Trường quý II/{DEMO_YEAR}: nâng chỉ tiêu phát triển đảng viên.",
                2,
                (("statement", "Kết nạp ít nhất 3 đảng viên mới là giáo viên trẻ trong nhiệm kỳ"), ("target_value", 3)),
                confirm=True,
                comment="Đồng ý điều chỉnh chỉ tiêu.",
            ),
        ),
    )
