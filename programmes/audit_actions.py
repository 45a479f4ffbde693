"""The audit log's actions of the base app, each with the words the log shows for it.

An action is stored as its code ("programme.confirm"); the codes never change once written, because the log
keeps them for years. Every app declares its own actions the same way and registers them in its `ready()`
(`programmes.audit.register_actions`); `audit_record` refuses a code nobody registered.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountAction(models.TextChoices):
    PASSWORD_RESET_REQUESTED = "account.password_reset_requested", _("Yêu cầu đặt lại mật khẩu")
    PASSWORD_RESET = "account.password_reset", _("Đặt lại mật khẩu")
    SECOND_FACTOR_ON = "account.second_factor_on", _("Bật xác thực hai bước")
    SECOND_FACTOR_OFF = "account.second_factor_off", _("Tắt xác thực hai bước")
    RECOVERY_CODE_USED = "account.recovery_code_used", _("Dùng mã khôi phục để đăng nhập")
    RECOVERY_CODES_REGENERATED = "account.recovery_codes_regenerated", _("Tạo lại mã khôi phục")


class AdminAction(models.TextChoices):
    ADD = "admin.add", _("Thêm bản ghi trong trang quản trị")
    CHANGE = "admin.change", _("Sửa bản ghi trong trang quản trị")
    DELETE = "admin.delete", _("Xóa bản ghi trong trang quản trị")
    HISTORY_REFUSED = "admin.history_refused", _("Bị từ chối xem hoặc khôi phục lịch sử bản ghi")
    GRANT_REFUSED = "grant.refused", _("Bị từ chối giao tài khoản, vai trò hoặc chức vụ")


class RosterAction(models.TextChoices):
    ORGANISATION_CREATE = "organisation.create", _("Thành lập tổ chức đảng")
    ORGANISATION_CLOSE = "organisation.close", _("Giải thể, kết thúc tổ chức đảng")
    ORGANISATION_SUCCESSION = "organisation.succession", _("Ghi tổ chức kế thừa")
    CADRE_ACCOUNT_LINKED = "cadre.account_linked", _("Gắn tài khoản cho cán bộ, đảng viên")
    CADRE_ERASE = "cadre.erase", _("Xóa dữ liệu cá nhân của cán bộ, đảng viên")
    MEMBERSHIP_SET_STATUS = "membership.set_status", _("Đổi tình trạng sinh hoạt đảng")
    MEMBERSHIP_TRANSFER_OUT = "membership.transfer_out", _("Chuyển sinh hoạt đảng đi")
    MEMBERSHIP_TRANSFER_IN = "membership.transfer_in", _("Tiếp nhận sinh hoạt đảng")
    POSITION_ASSIGN = "position.assign", _("Giao chức vụ")
    POSITION_END = "position.end", _("Kết thúc chức vụ")
    ROLE_ASSIGN = "role.assign", _("Giao vai trò trên cổng")
    ROLE_END = "role.end", _("Kết thúc vai trò trên cổng")


class ImportAction(models.TextChoices):
    JOB_SUBMIT = "import_job.submit", _("Gửi tệp nhập dữ liệu")
    JOB_PARK = "import_job.park", _("Dừng lượt nhập dữ liệu lỗi lặp lại")
    ROSTER = "import.roster", _("Nhập danh sách đảng viên")
    ORGANISATIONS = "import.organisations", _("Nhập tổ chức đảng")
    POSITIONS = "import.positions", _("Nhập chức vụ")
    COMMUNES = "import.communes", _("Nhập danh mục xã, phường")


class ProgrammeAction(models.TextChoices):
    CREATE = "programme.create", _("Tạo chương trình hành động")
    UPDATE = "programme.update", _("Sửa bản nháp chương trình")
    SUBMIT = "programme.submit", _("Gửi xác nhận chương trình")
    RETURN = "programme.return", _("Trả lại chương trình để sửa")
    CONFIRM = "programme.confirm", _("Xác nhận chương trình")
    AMEND = "programme.amend", _("Mở bản điều chỉnh chương trình")
    WITHDRAW = "programme.withdraw", _("Rút chương trình đã gửi")
    PUBLICITY = "programme.publicity", _("Đổi mức công khai của chương trình")
    CLOSE = "programme.close", _("Kết thúc chương trình hành động")
    EVALUATE = "programme.evaluate", _("Đánh giá cuối nhiệm kỳ chương trình")
    CONSENT_GIVE = "programme.consent_give", _("Đồng ý công khai chương trình")
    CONSENT_WITHDRAW = "programme.consent_withdraw", _("Rút đồng ý công khai chương trình")
    COMMITMENT_ADD = "commitment.add", _("Thêm cam kết")
    COMMITMENT_UPDATE = "commitment.update", _("Sửa cam kết")
    COMMITMENT_MOVE = "commitment.move", _("Đổi thứ tự cam kết")
    COMMITMENT_REMOVE = "commitment.remove", _("Bỏ cam kết")
    COMMITMENT_CARRY = "commitment.carry", _("Chuyển tiếp cam kết chưa hoàn thành")
    COMMITMENT_PUBLICITY = "commitment.publicity", _("Đổi mức công khai của cam kết")
    EVIDENCE_PUBLICITY = "evidence.publicity", _("Đổi mức công khai của minh chứng")
    PROGRESS_REPORT = "progress.report", _("Báo cáo tiến độ cam kết")
    EVIDENCE_ACCEPT = "evidence.accept", _("Chấp nhận minh chứng")
    EVIDENCE_REJECT = "evidence.reject", _("Từ chối minh chứng")
    EVIDENCE_ARCHIVE = "evidence.archive", _("Lưu bản sao đường dẫn minh chứng")


class PrivacyAction(models.TextChoices):
    PERSONAL_DATA_DOWNLOAD = "personal_data.download", _("Tải dữ liệu của tôi")
    RETENTION = "privacy.retention", _("Xóa dữ liệu hết thời hạn lưu giữ")


class NotificationAction(models.TextChoices):
    PREFERENCES = "notification.preferences", _("Đổi cách nhận thông báo")
    UNSUBSCRIBE = "notification.unsubscribe", _("Hủy nhận thư bằng liên kết trong thư")
    REMINDERS = "notification.reminders", _("Gửi nhắc việc hằng ngày")
    DIGESTS = "notification.digests", _("Gửi thư tổng hợp thông báo hằng ngày")


class ExportAction(models.TextChoices):
    LIST = "export.list", _("Xuất danh sách ra bảng tính")
    REQUEST = "export.request", _("Yêu cầu xuất danh sách lớn trong nền")
    DOWNLOAD = "export.download", _("Tải bảng tính đã xuất trong nền")


BASE_ACTIONS: tuple[type[models.TextChoices], ...] = (
    AccountAction,
    AdminAction,
    RosterAction,
    ImportAction,
    ProgrammeAction,
    PrivacyAction,
    NotificationAction,
    ExportAction,
)
