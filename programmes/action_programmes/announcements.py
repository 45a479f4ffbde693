"""Published changes announced to the citizens who follow them by e-mail (publicity.follow).

The services that publish a programme, confirm a version of a public one or report progress on a public commitment
ask, in their own transaction, for one fan-out task by its name: the request commits or rolls back with the change,
and this base app need not import the publicity app. The task reads the change again when it runs and sends nothing
for what is no longer public by then.
"""

from enum import StrEnum

from programmes import outbox

# The fan-out task (publicity.tasks), named so that this module does not import it.
FAN_OUT = "publicity.tasks.fan_out_follow_change"


class PublicChange(StrEnum):
    """What a follower is told of; with the id of its row, the change's key (`change_key`)."""

    # A confirmed version of a public programme: an amendment, as a first confirmation is never public yet.
    VERSION = "version"
    # A progress report on a commitment of the version in force shown in public.
    PROGRESS = "progress"
    # A programme that entered the public pages (its area's and its owner's followers hear of it).
    PUBLISHED = "published"


def change_key(kind: PublicChange, object_id: int) -> str:
    """The change's name, unique and stable: each follower is e-mailed once per key."""
    return f"{kind.value}-{object_id}"


def announce(kind: PublicChange, object_id: int) -> None:
    """Ask, with the caller's transaction, for the followers of the change to be e-mailed once it commits."""
    outbox.enqueue(FAN_OUT, kind.value, object_id)
