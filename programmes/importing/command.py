"""What the import_* management commands share: run as the system, print counts or every error, exit 1 on errors."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from .base import ImportResult
from .services import import_file


def report(command: BaseCommand, result: ImportResult) -> None:
    """Counts on success; otherwise every error as row, column, message, and exit code 1."""
    if result.errors:
        for issue in result.errors:
            line = _("dòng %(row)d\t%(column)s\t%(message)s")
            command.stderr.write(line % {"row": issue.row, "column": issue.column or "-", "message": issue.message})
        message = _("%(count)d lỗi; không có dữ liệu nào được ghi.") % {"count": len(result.errors)}
        raise CommandError(message, returncode=1)
    counts = result.counts()
    if result.dry_run:
        command.stdout.write(_("Tệp hợp lệ (chỉ kiểm tra, chưa ghi dữ liệu)."))
        return
    summary = _("Đã nhập. Tạo mới: %(created)d, cập nhật: %(updated)d, không đổi: %(unchanged)d.")
    command.stdout.write(summary % counts)


class ImportCommand(BaseCommand):
    kind: str

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        result = import_file(kind=self.kind, source=path, name=path.name, acting_user=None, dry_run=options["dry_run"])
        report(self, result)
