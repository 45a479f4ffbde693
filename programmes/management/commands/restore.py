from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programmes.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and media folder, then compare with its manifest."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="an archive written by `manage.py backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(options["archive"])
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        message = _("Đã khôi phục %(tables)s bảng, %(rows)s dòng và %(files)s tệp; tất cả khớp bản kê của tệp sao lưu.")
        self.stdout.write(message % {"tables": summary.tables, "rows": summary.rows, "files": summary.media_files})
