"""The append-only audit log written by every state-changing service."""

import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are never changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are never deleted.")


class AuditEvent(models.Model):
    """Who did what to which object, with the object's state before and after, and when."""

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    actor_repr = models.CharField(_("người thực hiện"), max_length=255)
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("loại đối tượng")
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    # The materialised path of the organisation the event concerns, so that staff read the log of their subtree.
    scope_path = models.CharField(_("phạm vi tổ chức"), max_length=255, blank=True, default="", db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        # In the portal's time zone: the admin titles and breadcrumbs of an event show this.
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are never deleted.")


class ReadKind(models.TextChoices):
    CADRE_RECORD = "cadre_record", _("Hồ sơ cá nhân")
    SELF_REVIEW = "self_review", _("Bản kiểm điểm")
    REVIEW_INPUT = "review_input", _("Ý kiến nhận xét")
    REPORT = "report", _("Báo cáo đánh giá (PDF)")
    MINUTES = "minutes", _("Biên bản họp chi bộ")
    EVIDENCE = "evidence", _("Minh chứng không công khai")


class ReadEventQuerySet(models.QuerySet["ReadEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Read events are never changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Read events are removed only when their retention period ends (purge_before).")

    def purge_before(self, moment: datetime.datetime) -> int:
        """Remove the events older than `moment`: the one way read events leave, when retention ends."""
        return int(super().filter(at__lt=moment)._raw_delete(self.db))


class ReadEvent(models.Model):
    """Someone other than the person opened that person's private data: who, what, when and from where.

    Like the audit log it is append-only; it names the person read (`subject`) so that they can see who looked
    at their file, and keeps the organisation path of their cell so that staff read it within their scope."""

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xem"),
    )
    reader_repr = models.CharField(_("người xem"), max_length=255)
    kind = models.CharField(_("nội dung đã xem"), max_length=32, choices=ReadKind.choices)
    # The person whose data was read (none for a cell's minutes); their read events go with them when their
    # record is erased.
    subject = models.ForeignKey(
        "programmes.Cadre",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="read_events",
        verbose_name=_("người được xem"),
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    scope_path = models.CharField(_("phạm vi tổ chức"), max_length=255, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    objects = ReadEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt xem dữ liệu cá nhân")
        verbose_name_plural = _("lượt xem dữ liệu cá nhân")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "-at"], name="read_event_subject_idx")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} {self.reader_repr} {self.kind} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Read events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Read events are removed only when their retention period ends (purge_before).")
