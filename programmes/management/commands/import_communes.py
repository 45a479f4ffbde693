from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programmes.importing.command import report
from programmes.importing.communes import import_communes


class Command(BaseCommand):
    help = (
        "Import one province's commune-level party committees (after 1 July 2025) and the closed units they "
        "were formed from, from the national vn-communes-2025.csv file. Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="vn-communes-2025.csv or an extract in the same format")
        parser.add_argument("--province", required=True, help="province code, for example 79 (Ho Chi Minh City)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        report(self, import_communes(source=path, province=options["province"]))
