from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.people import demo_totp_key
from programmes.accounts.second_factor import token_now


class Command(BaseCommand):
    help = "In mã xác thực hai bước hiện tại của một tài khoản dùng thử (chỉ tài khoản có khóa dùng thử)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Tên đăng nhập của tài khoản dùng thử, ví dụ bantochuc.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        key = demo_totp_key(username)
        # Only a device that still holds the published demo key: the code of a real account is never printed,
        # nor that of a demo account whose holder set up their own app.
        if not TOTPDevice.objects.filter(user__username=username, confirmed=True, key=key).exists():
            raise CommandError(
                _("Tài khoản %(username)s không có khóa xác thực dùng thử (chạy seed_demo để nạp dữ liệu dùng thử).")
                % {"username": username}
            )
        self.stdout.write(token_now(key))
