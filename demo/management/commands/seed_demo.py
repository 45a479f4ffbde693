"""manage.py seed_demo: load the demo data (demo/seed.py), then print the demo accounts."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from demo.people import DEFAULT_PASSWORD, accounts_table
from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu dùng thử: một phần Thành phố Hồ Chí Minh sau ngày 01/07/2025."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=None, help="Mật khẩu chung của tài khoản dùng thử.")
        parser.add_argument("--accounts", action="store_true", help="Chỉ in bảng tài khoản, không ghi dữ liệu.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not options["accounts"]:
            tally = seed_demo(password)
            created = sum(tally.created.values())
            updated = sum(tally.updated.values())
            self.stdout.write(
                _("Đã nạp dữ liệu dùng thử: %(created)d bản ghi mới, %(updated)d bản ghi cập nhật.")
                % {"created": created, "updated": updated}
            )
        self.stdout.write(accounts_table(password))
