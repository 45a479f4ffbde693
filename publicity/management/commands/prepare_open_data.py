"""manage.py prepare_open_data: after `migrate` and the demo, ask for the open-data files not generated yet, so
that a new portal does not wait for the nightly run (publicity.opendata_files)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from publicity.models import OpenDataKind
from publicity.opendata_files import missing_files_request, ready_files, refresh


class Command(BaseCommand):
    help = (
        "Đưa vào hàng đợi việc tạo các tệp dữ liệu mở chưa có (chạy sau migrate và sau khi nạp dữ liệu dùng thử); "
        "với --now, tạo lại ngay mọi tệp trong lệnh này."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Tạo lại ngay mọi tệp tại đây, không qua hàng đợi (có thể mất vài phút)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            refresh()
            for kind, row in sorted(ready_files().items()):
                self.stdout.write(
                    _("Đã tạo %(name)s: %(size)s byte.") % {"name": OpenDataKind(kind).label, "size": row.size}
                )
        elif missing_files_request():
            self.stdout.write(_("Đã đưa việc tạo các tệp dữ liệu mở chưa có vào hàng đợi."))
        elif len(ready_files()) == len(OpenDataKind):
            self.stdout.write(_("Các tệp dữ liệu mở đã có; chúng được tạo lại mỗi đêm."))
        else:
            self.stdout.write(_("Việc tạo các tệp dữ liệu mở chưa có đã ở trong hàng đợi."))
