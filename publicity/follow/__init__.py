"""Citizens follow a published programme, a cadre's published programmes or an area's by e-mail, without an account.

Double opt-in (subscription: a pending request, a confirmation link), one-click unsubscribe in every e-mail (which
deletes the address), rate limits per network address and per e-mail address with the same answer whatever the
address, only published changes (delivery: a fan-out per change, each follower e-mailed once), and the nightly purge
of requests never confirmed (purge). Background work is asked for through programmes.outbox by the task's name:
publicity.tasks imports these modules, never the reverse.
"""

from publicity.follow.delivery import deliveries_send, fan_out
from publicity.follow.purge import follows_purge
from publicity.follow.subscription import (
    INVALID_LINK,
    FollowThrottled,
    confirmation_send,
    follow_cancel,
    follow_confirm,
    follow_request,
    subscription_for_confirmation,
    subscription_for_unsubscribing,
)
from publicity.follow.targets import Followed, described, followable

__all__ = [
    "INVALID_LINK",
    "FollowThrottled",
    "Followed",
    "confirmation_send",
    "deliveries_send",
    "described",
    "fan_out",
    "follow_cancel",
    "follow_confirm",
    "follow_request",
    "followable",
    "follows_purge",
    "subscription_for_confirmation",
    "subscription_for_unsubscribing",
]
