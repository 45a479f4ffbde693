"""The third-party apps under Vietnamese names, so that the admin speaks one language.

django-celery-beat, django-axes and django-otp name their apps, models and fields in English and have no Vietnamese
catalogue: the admin showed "Axes", "Access attempts", "Periodic tasks" or "Clocked" among the portal's own pages.
Each is installed through a subclass below (config/settings/base.py), which names the app and, once its models are
loaded, names them and their fields.

Only what people read changes. Migrations take a field's name from what its package passed (`_verbose_name`) and a
model's from its Meta as written (`original_attrs`), so no migration of these apps appears and their upgrades apply as
they come. A name here that an upgrade no longer matches is reported by tests/programmes/test_admin_labels.py.
"""

from dataclasses import dataclass, field

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDeviceConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDeviceConfig
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ModelNames:
    singular: StrOrPromise
    plural: StrOrPromise
    fields: dict[str, StrOrPromise] = field(default_factory=dict)


# What a second-factor device has in common (django_otp.models.Device, ThrottlingMixin, TimestampMixin).
_DEVICE_FIELDS: dict[str, StrOrPromise] = {
    "user": _("tài khoản"),
    "name": _("tên"),
    "confirmed": _("đã xác nhận"),
    "throttling_failure_timestamp": _("lần nhập mã sai gần nhất"),
    "throttling_failure_count": _("số lần nhập mã sai liên tiếp"),
    "created_at": _("tạo lúc"),
    "last_used_at": _("dùng lần cuối lúc"),
}
# What every record of django-axes has in common (axes.models.AccessBase).
_ACCESS_FIELDS: dict[str, StrOrPromise] = {
    "user_agent": _("trình duyệt"),
    "ip_address": _("địa chỉ IP"),
    "username": _("tên đăng nhập"),
    "http_accept": _("định dạng trình duyệt nhận"),
    "path_info": _("đường dẫn"),
    "attempt_time": _("thời điểm"),
}

# By app label, then model name.
NAMES: dict[str, dict[str, ModelNames]] = {
    "django_celery_beat": {
        "periodictask": ModelNames(
            _("việc định kỳ"),
            _("việc định kỳ"),
            {
                "name": _("tên"),
                "task": _("tác vụ"),
                "interval": _("lịch theo khoảng thời gian"),
                "crontab": _("lịch theo giờ (crontab)"),
                "solar": _("lịch theo mặt trời"),
                "clocked": _("lịch chạy một lần"),
                "args": _("tham số theo thứ tự"),
                "kwargs": _("tham số theo tên"),
                "queue": _("hàng đợi"),
                "exchange": _("exchange (định tuyến AMQP)"),
                "routing_key": _("khóa định tuyến"),
                "headers": _("tiêu đề thông điệp AMQP"),
                "priority": _("mức ưu tiên"),
                "expires": _("hết hạn lúc"),
                "expire_seconds": _("hết hạn sau (giây)"),
                "one_off": _("chỉ chạy một lần"),
                "start_time": _("bắt đầu lúc"),
                "enabled": _("đang bật"),
                "last_run_at": _("lần chạy gần nhất"),
                "total_run_count": _("số lần đã chạy"),
                "date_changed": _("sửa lần cuối lúc"),
                "description": _("mô tả"),
            },
        ),
        "intervalschedule": ModelNames(
            _("lịch theo khoảng thời gian"),
            _("lịch theo khoảng thời gian"),
            {"every": _("số khoảng"), "period": _("đơn vị của khoảng")},
        ),
        "crontabschedule": ModelNames(
            _("lịch theo giờ (crontab)"),
            _("lịch theo giờ (crontab)"),
            {
                "minute": _("phút"),
                "hour": _("giờ"),
                "day_of_month": _("ngày trong tháng"),
                "month_of_year": _("tháng trong năm"),
                "day_of_week": _("thứ trong tuần"),
                "timezone": _("múi giờ"),
            },
        ),
        "solarschedule": ModelNames(
            _("lịch theo mặt trời"),
            _("lịch theo mặt trời"),
            {"event": _("hiện tượng mặt trời"), "latitude": _("vĩ độ"), "longitude": _("kinh độ")},
        ),
        "clockedschedule": ModelNames(_("lịch chạy một lần"), _("lịch chạy một lần"), {"clocked_time": _("chạy lúc")}),
        "periodictasks": ModelNames(
            _("mốc thay đổi lịch"),
            _("mốc thay đổi lịch"),
            {"ident": _("mã"), "last_update": _("thay đổi lần cuối lúc")},
        ),
    },
    "axes": {
        "accessattempt": ModelNames(
            _("lượt đăng nhập sai đang tính"),
            _("lượt đăng nhập sai đang tính"),
            {
                **_ACCESS_FIELDS,
                "get_data": _("dữ liệu GET"),
                "post_data": _("dữ liệu POST"),
                "failures_since_start": _("số lần sai"),
            },
        ),
        "accesslog": ModelNames(
            _("nhật ký đăng nhập"),
            _("nhật ký đăng nhập"),
            {**_ACCESS_FIELDS, "logout_time": _("đăng xuất lúc"), "session_hash": _("dấu vết phiên làm việc")},
        ),
        "accessfailurelog": ModelNames(
            _("nhật ký đăng nhập sai"),
            _("nhật ký đăng nhập sai"),
            {**_ACCESS_FIELDS, "locked_out": _("đã bị khóa")},
        ),
        "accessattemptexpiration": ModelNames(
            _("hạn khóa đăng nhập"),
            _("hạn khóa đăng nhập"),
            {"access_attempt": _("lượt đăng nhập sai"), "expires_at": _("hết hạn lúc")},
        ),
    },
    "otp_totp": {
        "totpdevice": ModelNames(
            _("ứng dụng xác thực"),
            _("ứng dụng xác thực"),
            {
                **_DEVICE_FIELDS,
                "key": _("khóa bí mật"),
                "step": _("bước thời gian (giây)"),
                "t0": _("thời điểm gốc"),
                "digits": _("số chữ số của mã"),
                "tolerance": _("số bước lệch cho phép"),
                "drift": _("độ lệch đồng hồ (bước)"),
                "last_t": _("bước thời gian dùng gần nhất"),
            },
        ),
    },
    "otp_static": {
        "staticdevice": ModelNames(_("bộ mã dự phòng"), _("bộ mã dự phòng"), _DEVICE_FIELDS),
        "statictoken": ModelNames(_("mã dự phòng"), _("mã dự phòng"), {"device": _("bộ mã"), "token": _("mã")}),
    },
}


def name_models(app_config: AppConfig) -> list[str]:
    """Gives the app's models and fields their Vietnamese names; returns those it found no more (after an upgrade)."""
    missing = []
    for model_name, names in NAMES.get(app_config.label, {}).items():
        try:
            model = app_config.get_model(model_name)
        except LookupError:
            missing.append(f"{app_config.label}.{model_name}")
            continue
        model._meta.verbose_name = names.singular
        model._meta.verbose_name_plural = names.plural
        for field_name, label in names.fields.items():
            try:
                model._meta.get_field(field_name).verbose_name = label  # type: ignore[union-attr]
            except FieldDoesNotExist:
                missing.append(f"{app_config.label}.{model_name}.{field_name}")
    return missing


def name_periodic_task_columns() -> None:
    """The two columns of the periodic-task admin that django-celery-beat computes and leaves unnamed, so that the
    admin titled them from their attributes ("Scheduler", "Crontab translation")."""
    from django_celery_beat.admin import PeriodicTaskAdmin
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.scheduler.fget.short_description = _("lịch chạy")
    PeriodicTaskAdmin.crontab_translation.short_description = _("diễn giải lịch crontab")


class PeriodicTasksConfig(BeatConfig):  # type: ignore[misc]  # the packages ship no type hints
    verbose_name = _("Lịch chạy việc định kỳ")

    def ready(self) -> None:
        super().ready()
        name_models(self)
        name_periodic_task_columns()


class SignInRecordsConfig(AxesAppConfig):  # type: ignore[misc]  # the packages ship no type hints
    verbose_name = _("Đăng nhập và khóa đăng nhập")

    def ready(self) -> None:
        super().ready()
        name_models(self)


class AuthenticatorAppsConfig(TOTPDeviceConfig):  # type: ignore[misc]  # the packages ship no type hints
    verbose_name = _("Xác thực hai bước: ứng dụng xác thực")

    def ready(self) -> None:
        super().ready()
        name_models(self)


class RecoveryCodesConfig(StaticDeviceConfig):  # type: ignore[misc]  # the packages ship no type hints
    verbose_name = _("Xác thực hai bước: mã dự phòng")

    def ready(self) -> None:
        super().ready()
        name_models(self)


def translate_admin_password_warning() -> None:
    """Django's admin password form joins its warning to a translated help text once, as the module loads, and the
    warning itself is not marked for translation: the page showed "If disabled, the current password for this user
    will be lost." in English. The same text is put back as a lazy string, read in the reader's language."""
    from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
    from django.utils.text import format_lazy

    AdminPasswordChangeForm.usable_password_help_text = format_lazy(  # type: ignore[assignment]  # a lazy str
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("Nếu tắt, mật khẩu hiện tại của tài khoản này sẽ mất."),
    )


def describe_crontab_in_the_readers_language() -> None:
    """django-celery-beat words a crontab schedule ("At 02:00 AM") through cron_descriptor in the server's system
    language, whatever the reader's. The description is asked in the reader's language instead: cron_descriptor has
    a Vietnamese catalogue."""
    import django_celery_beat.models
    from cron_descriptor import Options, get_description
    from django.utils.translation import get_language

    def described(expression: str) -> str:
        options = Options()
        options.locale_code = "vi_VN" if (get_language() or "vi").startswith("vi") else "en_US"
        return str(get_description(expression, options))

    django_celery_beat.models.get_description = described
