"""Background jobs of citizen feedback, open data and follows. Thin: an id in, one service call; safe to run twice."""

from celery import shared_task

from programmes.mail import EMAIL_TASK_OPTIONS


@shared_task(**EMAIL_TASK_OPTIONS)
def send_answer_email(case_id: int) -> bool:
    """Tell the sender their case has an answer; a mail-server failure is retried until sent, never resent."""
    from publicity.feedback import answer_email_send

    return answer_email_send(case_id=case_id)


@shared_task(acks_late=True)
def purge_feedback_contacts() -> int:
    """Nightly: erase the contact details of cases closed longer ago than the retention period."""
    from publicity.feedback import contacts_purge

    return contacts_purge()


@shared_task(acks_late=True)
def attach_verified_feedback() -> int:
    """Nightly: verified cases still waiting join the open reviews of their cadre (a period opened while the
    case was being answered may have missed it)."""
    from publicity.feedback import attach_waiting

    return attach_waiting()


@shared_task(acks_late=True)
def refresh_open_data(requested_at: str | None = None) -> bool:
    """Regenerate the open-data files: nightly from the beat (always), and after a publication change made at
    `requested_at` (ISO 8601), unless a run that started since already reads it. True when it ran."""
    from publicity.opendata_files import refresh

    return refresh(requested_at)


@shared_task(acks_late=True)
def remind_feedback() -> dict[str, int]:
    """Every morning: remind the oversight bodies of the cases past their answer deadline, once a day at most."""
    from publicity.reminders import feedback_reminders_send

    return feedback_reminders_send()


@shared_task(**EMAIL_TASK_OPTIONS)
def send_follow_confirmation(subscription_id: int) -> bool:
    """E-mail the confirmation link of a request to follow (or "you already follow"), once."""
    from publicity.follow import confirmation_send

    return confirmation_send(subscription_id=subscription_id)


@shared_task(acks_late=True)
def fan_out_follow_change(kind: str, object_id: int) -> int:
    """Record and queue the e-mails of a published change to each of its confirmed followers, in batches."""
    from publicity.follow import fan_out

    return fan_out(kind, object_id)


@shared_task(**EMAIL_TASK_OPTIONS)
def send_follow_emails(delivery_ids: list[int]) -> int:
    """E-mail a batch of followers one published change each; a retry finds the sent ones and skips them."""
    from publicity.follow import deliveries_send

    return deliveries_send(delivery_ids)


@shared_task(acks_late=True)
def purge_follows() -> int:
    """Nightly: delete the requests to follow never confirmed, with their addresses, and the rate limit's digests."""
    from publicity.follow import follows_purge

    return follows_purge()


@shared_task(acks_late=True)
def refresh_summaries() -> dict[str, int] | None:
    """Count again the dashboards' figures of the subtrees the services marked (programmes.summary_marks); asked
    after each change, it finds nothing left when an earlier run already counted it. None then."""
    from publicity.dashboards.refresh import refresh_marked

    outcome = refresh_marked()
    return outcome.as_dict() if outcome is not None else None


@shared_task(acks_late=True)
def refresh_all_summaries() -> dict[str, int]:
    """Nightly: count every organisation's dashboard figures again, those that time alone changes among them (what
    fell overdue, what stalled)."""
    from publicity.dashboards.refresh import refresh_all

    return refresh_all().as_dict()
