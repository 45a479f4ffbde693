"""The end of term: who closes a programme early and who evaluates its results once it is closed.

Both are the programme's confirmer: the secretary today of the body that confirmed the version in force (the body
the confirmer rule named, programmes.action_programmes.confirmers), never the owner. A successor in that post
closes and evaluates what their predecessor confirmed, as a successor checks its evidence.
"""

from programmes.access.holdings import AnyUser
from programmes.access.programmes import can_confirm_version
from programmes.models import ActionProgramme, ProgrammeState


def is_programme_confirmer(user: AnyUser, programme: ActionProgramme) -> bool:
    """Whether `user` confirms `programme` today: the confirmer of its version in force."""
    version = programme.current_version
    return version is not None and can_confirm_version(user, version)


def can_close_programme(user: AnyUser, programme: ActionProgramme) -> bool:
    """Whether `user` may close `programme` before its term ends: its confirmer, while it is in force."""
    return programme.state == ProgrammeState.CONFIRMED and is_programme_confirmer(user, programme)


def can_evaluate_programme(user: AnyUser, programme: ActionProgramme) -> bool:
    """Whether `user` may record the end-of-term evaluation of `programme`: its confirmer, once it is closed."""
    return programme.state == ProgrammeState.CLOSED and is_programme_confirmer(user, programme)
