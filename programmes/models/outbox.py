"""The outbox: every background task the portal asks for, written in the same transaction as the change that
needs it, and handed to the broker after the commit (programmes.outbox)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One task call waiting for the broker, or handed to it at `sent_at`. Only ids travel in `args`."""

    task = models.CharField(_("tác vụ"), max_length=200)
    args = models.JSONField(_("tham số"), default=list)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    # When a sender may next take the message: now for a new one, a little later while a sender holds it
    # (so that a sender that died lets it go again), now again after the broker refused it.
    due_at = models.DateTimeField(_("gửi từ lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    last_error = models.CharField(_("lỗi lần gửi trước"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tác vụ chờ gửi")
        verbose_name_plural = _("tác vụ chờ gửi")
        indexes = [
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent_due"),
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=False), name="outbox_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
