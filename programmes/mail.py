"""Sending e-mail: the one place subjects are made safe, and the retry rules every e-mail task shares."""

import smtplib
from collections.abc import Mapping

from django.core.mail import EmailMessage

from config.celery import TaskOptions
from programmes.text import one_line

# A mail server that is away is tried again with growing waits, at most an hour apart, for about two days
# (the task's service sends each e-mail once: a retry finds it sent and stops). An address the server refuses
# outright is not tried again.
EMAIL_TASK_OPTIONS: TaskOptions = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OSError,),
    "dont_autoretry_for": (smtplib.SMTPRecipientsRefused,),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 100,
}


def send_portal_mail(subject: str, body: str, recipient: str, headers: Mapping[str, str] | None = None) -> None:
    """One e-mail from the portal. A subject on one line: a title someone typed with line breaks must not make
    the mail library refuse the whole message (BadHeaderError). `headers`: extra headers (List-Unsubscribe)."""
    EmailMessage(one_line(subject), body, None, [recipient], headers=dict(headers or {})).send()
