"""The short guides, one per role, that the portal shows at /huong-dan/<role>/.

Each guide is a template of its own (templates/help/<slug>.html), most with a screenshot that the browser tests take
(tests/browser/test_help_screenshots.py) into static/help/. Which guides a signed-in person is pointed to follows
from the roles the access module grants them, so the dashboard shows the guides of what they actually do.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programmes import access
from programmes.access import AnyUser, Persona


@dataclass(frozen=True)
class Guide:
    slug: str
    title: Promise
    # Who it is for, in one line, on the list of guides.
    audience: Promise
    # The screenshot beside the steps, under static/help/, and what it shows (its alt text); "" for a guide without.
    screenshot: str
    screenshot_alt: Promise | str
    personas: frozenset[Persona] = frozenset()

    @property
    def template(self) -> str:
        return f"help/{self.slug}.html"


GUIDES = (
    Guide(
        "dang-vien",
        _("Hướng dẫn cho đảng viên"),
        _("Đăng ký chương trình hành động, báo cáo tiến độ, viết bản kiểm điểm cá nhân."),
        "help/dang-vien.png",
        _("Trang của tôi của một đảng viên: việc cần làm, chương trình hành động và các nút đăng ký, theo dõi."),
        frozenset({Persona.MEMBER}),
    ),
    Guide(
        "bi-thu-chi-bo",
        _("Hướng dẫn cho bí thư chi bộ"),
        _("Xác nhận chương trình của đảng viên trong chi bộ, ghi cuộc họp và đề xuất mức xếp loại."),
        "help/bi-thu-chi-bo.png",
        _("Trang kiểm điểm của chi bộ: danh sách đảng viên, trạng thái bản kiểm điểm và các nút ghi cả chi bộ."),
        frozenset({Persona.CELL_SECRETARY, Persona.CELL_DEPUTY}),
    ),
    Guide(
        "nhan-xet-noi-cu-tru",
        _("Hướng dẫn nhận xét đảng viên nơi cư trú"),
        _(
            "Bí thư chi bộ nơi cư trú nhận xét đảng viên công tác ở nơi khác (Quy định 213-QĐ/TW); bí thư chi bộ nơi "
            "công tác đọc nhận xét trước cuộc họp kiểm điểm."
        ),
        "",
        "",
        frozenset({Persona.CELL_SECRETARY, Persona.CELL_DEPUTY}),
    ),
    Guide(
        "cap-uy-vien",
        _("Hướng dẫn cho cấp ủy viên"),
        _("Xem chương trình và kết quả kiểm điểm của tổ chức đảng trực thuộc, quyết định mức xếp loại."),
        "help/cap-uy-vien.png",
        _("Trang Kiểm điểm của cấp ủy viên: các đợt kiểm điểm và số bản kiểm điểm chờ xử lý theo từng chi bộ."),
        frozenset({Persona.COMMITTEE_MEMBER, Persona.STANDING_MEMBER}),
    ),
    Guide(
        "nguoi-dung-dau",
        _("Hướng dẫn cho người đứng đầu"),
        _("Xác nhận chương trình và kết quả đánh giá, xếp loại do cấp ủy quyết định."),
        "help/nguoi-dung-dau.png",
        _("Trang Chờ xác nhận: các chương trình hành động đang chờ người đứng đầu xác nhận."),
        frozenset({Persona.COMMITTEE_HEAD}),
    ),
    Guide(
        "ban-to-chuc",
        _("Hướng dẫn cho cán bộ Ban Tổ chức"),
        _("Nhập danh sách đảng viên, mở đợt kiểm điểm, theo dõi tiến độ và số liệu của đảng bộ."),
        "help/ban-to-chuc.png",
        _("Trang một đợt kiểm điểm: tiến độ theo chi bộ, tỷ lệ xếp loại và danh sách bản kiểm điểm."),
        frozenset({Persona.ORG_BOARD_STAFF}),
    ),
    Guide(
        "mat-tran-hdnd",
        _("Hướng dẫn cho Mặt trận Tổ quốc và Hội đồng nhân dân"),
        _("Tiếp nhận góp ý của Nhân dân, chuyển cấp ủy quản lý xác minh, trả lời người góp ý."),
        "help/mat-tran-hdnd.png",
        _("Trang Góp ý của Nhân dân: các góp ý, phản ánh đang chờ tiếp nhận, hạn xử lý và trạng thái."),
        frozenset({Persona.FRONT_OVERSEER, Persona.COUNCIL_OVERSEER}),
    ),
    Guide(
        "nguoi-dan",
        _("Hướng dẫn cho người dân"),
        _("Xem chương trình hành động được công khai, gửi góp ý, phản ánh và tra cứu kết quả."),
        "help/nguoi-dan.png",
        _("Trang Công khai: tìm chương trình hành động theo tên, khu vực; mỗi chương trình có nút gửi góp ý."),
    ),
)

GUIDES_BY_SLUG = {guide.slug: guide for guide in GUIDES}


def guides_for(user: AnyUser) -> list[Guide]:
    """The guides of the roles the person holds, in the order of GUIDES; the citizen's guide for anyone else."""
    held = access.personas(user) if user.is_authenticated else set()
    mine = [guide for guide in GUIDES if guide.personas & held]
    return mine or [GUIDES_BY_SLUG["nguoi-dan"]]
