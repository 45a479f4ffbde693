"""Roster and organisation-tree imports run as background jobs, with their outcome kept for the uploader."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisations import PartyOrganisation


class ImportKind(models.TextChoices):
    ORGANISATIONS = "organisations", _("Cây tổ chức đảng")
    ROSTER = "roster", _("Danh sách đảng viên")
    POSITIONS = "positions", _("Chức vụ")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang nhập")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Không thành công")


FINISHED_STATUSES = frozenset({ImportStatus.SUCCEEDED, ImportStatus.FAILED})


def import_upload_path(instance: "ImportJob", filename: str) -> str:
    """A random name under imports/: the uploader's file name never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()
    return f"imports/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One uploaded file and what became of it. Media is never served directly, so the file stays private."""

    kind = models.CharField(_("loại dữ liệu"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("tệp"), upload_to=import_upload_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    counts = models.JSONField(_("số lượng"), default=dict, blank=True)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    scope = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("phạm vi"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("người tải lên"),
    )
    created_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("bắt đầu nhập"), null=True, blank=True)
    # Times a worker started it; counted before the work, so that a worker killed mid-import still counts.
    attempts = models.PositiveSmallIntegerField(_("số lần bắt đầu nhập"), default=0)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập dữ liệu")
        verbose_name_plural = _("lượt nhập dữ liệu")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES
