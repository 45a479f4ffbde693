from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programmes.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive with a manifest of SHA-256 hashes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        default = Path(settings.BASE_DIR) / "var" / "backups"
        parser.add_argument("--output", type=Path, default=default, help=f"folder for the archive (default {default})")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = backup(options["output"])
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(_("Đã sao lưu vào %(path)s.") % {"path": archive})
