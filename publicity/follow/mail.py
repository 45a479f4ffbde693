"""The follow e-mails: each in its subscriber's language, with a one-click unsubscribe link in its text and in the
List-Unsubscribe headers (RFC 2369, and RFC 8058's one-click POST), which the unsubscribe page honours without login.

The address is never written to a log line: a server refusing it is logged by the subscription's id."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _

from programmes.text import one_line
from publicity.follow.tokens import unsubscribe_token
from publicity.models import FollowSubscription

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscription: FollowSubscription) -> str:
    """Call in the subscriber's language: the page opens in it."""
    return absolute(reverse("publicity:follow_unsubscribe", args=[unsubscribe_token(int(subscription.pk))]))


def send_follow_mail(subscription: FollowSubscription, subject: str, body: str, what: str) -> bool:
    """Send one e-mail to the subscriber (call in their language), ending with why they get it (`what` they follow)
    and how to stop; False when the mail server refused the address outright (not worth trying again)."""
    unsubscribe = unsubscribe_url(subscription)
    footer = _(
        "Bạn nhận thư này vì địa chỉ này đã đăng ký theo dõi %(what)s trên Cổng chương trình hành động.\n"
        "Hủy theo dõi bằng một lần bấm: %(link)s"
    ) % {"what": what, "link": unsubscribe}
    message = EmailMessage(
        subject=one_line(subject),
        body=f"{body}\n\n-- \n{footer}\n",
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        # The exception names the address: only the subscription's id goes to the log.
        logger.warning("follow: the mail server refused the address of subscription %s", subscription.pk)
        return False
    return True
