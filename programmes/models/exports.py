"""Spreadsheets of the staff lists made in the background: a list too long to write while the person waits is
written by a worker, with its progress, and kept for its maker a limited time (EXPORT_FILE_RETENTION_HOURS)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import PartyOrganisation


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang xuất")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không thành công")


FINISHED_EXPORT_STATES = frozenset({ExportState.DONE, ExportState.FAILED})


def export_file_path(instance: "ExportJob", filename: str) -> str:
    """A random name under exports/: nothing of the list or its maker reaches the storage's keys."""
    return f"exports/{uuid.uuid4().hex}.xlsx"


class ExportJob(models.Model):
    """One spreadsheet of a staff list asked for in the background: which list, with which filters, by whom."""

    # The list's key in programmes.exports (members, programmes, reviews, feedback cases).
    list_key = models.CharField(_("danh sách"), max_length=32)
    # The filters and the object of the list (the organisation, the period), as the list's address carries them.
    parameters = models.JSONField(_("bộ lọc"), default=dict, blank=True)
    # The organisation the list is about: whose audit log records the export.
    scope = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phạm vi"),
    )
    state = models.CharField(_("trạng thái"), max_length=16, choices=ExportState.choices, default=ExportState.QUEUED)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    row_count = models.PositiveIntegerField(_("số dòng"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to=export_file_path, max_length=255, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("người xuất")
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt xuất bảng tính")
        verbose_name_plural = _("lượt xuất bảng tính")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="export_percent_at_most_100"),
        ]
        indexes = [
            # The retention sweep: finished jobs that still hold a file.
            models.Index(fields=["finished_at"], condition=~Q(file=""), name="export_with_file_by_finish"),
        ]

    def __str__(self) -> str:
        return _("Bảng tính %(list)s số %(number)s") % {"list": self.list_key, "number": self.pk}

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_EXPORT_STATES

    @property
    def kept_until(self) -> datetime.datetime | None:
        """When the file is deleted (the nightly retention sweep takes it after this)."""
        if self.finished_at is None or not self.file:
            return None
        return self.finished_at + datetime.timedelta(hours=settings.EXPORT_FILE_RETENTION_HOURS)
