from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from programmes import outbox


class Command(BaseCommand):
    help = "Gửi ngay cho hàng đợi các tác vụ đang chờ (việc mà lịch chạy định kỳ làm mỗi phút)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = outbox.send_due()
        waiting = outbox.backlog()
        self.stdout.write(
            _("Đã gửi %(sent)s tác vụ; còn %(unsent)s tác vụ chờ gửi.") % {"sent": sent, "unsent": waiting.unsent}
        )
