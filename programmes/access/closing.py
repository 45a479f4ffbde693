"""The end of term: who closes a programme early, who evaluates its results once it is closed, and who reads the
evaluation's own words.

Both are the programme's confirmer: the secretary today of the body that confirmed the version in force (the body
the confirmer rule named, programmes.action_programmes.confirmers), never the owner. A successor in that post
closes and evaluates what their predecessor confirmed, as a successor checks its evidence.
"""

from programmes.access.commitments import commitment_reading
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


def reads_end_of_term_judgement(user: AnyUser, programme: ActionProgramme) -> bool:
    """Whether `user`, a reader of the closed `programme`, also reads the confirmer's conclusion and their own words
    on why it closed: the owner's chain (the owner, the confirmer, the committees above), for whom no cap on a
    commitment holds. Free text may speak of commitments the owner kept from other readers (colleagues, the Front,
    the People's Council), who read the verdicts of the commitments they may read and the reason's label."""
    return commitment_reading(user, programme).keeps_everything()
