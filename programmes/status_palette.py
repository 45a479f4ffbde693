"""One palette for every state the portal shows as a badge.

Each state machine (a programme, a version, a commitment's progress, a review, a decision, an appeal, a period, a
citizen's feedback case, a report, an export, an import) says once which tone each of its states has; the template tag
`{% status_badge %}` (programmes/templatetags/status.py) draws every badge from here. So a state has the same colour on
every page, and the colour always means the same thing: grey for a draft, yellow for waiting on someone, blue-green for
under way, green for done, red for sent back or failed, a bordered light badge for what is over and no longer acts.

The base app registers its machines below; the apps built on it register theirs in their `ready()`, the way they
register their audit actions.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class Tone(StrEnum):
    DRAFT = "draft"
    WAITING = "waiting"
    UNDER_WAY = "under_way"
    DONE = "done"
    PROBLEM = "problem"
    OVER = "over"


# Bootstrap's contextual badges, each at WCAG AA contrast: white text on grey, green and red; black on yellow and cyan.
TONE_CLASSES = {
    Tone.DRAFT: "text-bg-secondary",
    Tone.WAITING: "text-bg-warning",
    Tone.UNDER_WAY: "text-bg-info",
    Tone.DONE: "text-bg-success",
    Tone.PROBLEM: "text-bg-danger",
    Tone.OVER: "text-bg-light border",
}


@dataclass(frozen=True)
class Machine:
    kind: str
    choices: type[models.TextChoices]
    tones: dict[str, Tone]

    def label(self, state: str) -> str:
        return str(self.choices(state).label)

    def css_class(self, state: str) -> str:
        return TONE_CLASSES[self.tones[state]]


_MACHINES: dict[str, Machine] = {}
# A model whose instances carry a state: which machine, and which field holds the state.
_MODELS: dict[type[models.Model], tuple[str, str]] = {}


def register_machine(
    kind: str,
    choices: type[models.TextChoices],
    tones: dict[str, Tone],
    *,
    models_with_field: tuple[tuple[type[models.Model], str], ...] = (),
) -> None:
    missing = set(choices.values) - set(tones)
    if missing:
        raise ValueError(f"The states {sorted(missing)} of {kind} have no tone.")
    _MACHINES[kind] = Machine(kind, choices, dict(tones))
    for model, field in models_with_field:
        _MODELS[model] = (kind, field)


def machine(kind: str) -> Machine:
    return _MACHINES[kind]


def machines() -> dict[str, Machine]:
    return dict(_MACHINES)


def machine_of(instance: models.Model) -> tuple[Machine, str]:
    """The machine an object's state belongs to, and the state it is in."""
    kind, field = _MODELS[type(instance)]
    return _MACHINES[kind], getattr(instance, field)


def registered_models() -> dict[type[models.Model], tuple[str, str]]:
    return dict(_MODELS)


def register_base_machines() -> None:
    from programmes.models import (
        ActionProgramme,
        ArchiveState,
        Commitment,
        ExportJob,
        ExportState,
        ImportJob,
        ImportStatus,
        LinkArchive,
        Membership,
        MembershipStatus,
        ProgrammeState,
        ProgrammeVersion,
        ProgressReport,
        ProgressStatus,
        VersionState,
    )

    register_machine(
        "programme",
        ProgrammeState,
        {
            "draft": Tone.DRAFT,
            "submitted": Tone.WAITING,
            "returned": Tone.PROBLEM,
            "confirmed": Tone.DONE,
            "closed": Tone.OVER,
            "withdrawn": Tone.OVER,
        },
        models_with_field=((ActionProgramme, "state"),),
    )
    register_machine(
        "version",
        VersionState,
        {
            "draft": Tone.DRAFT,
            "submitted": Tone.WAITING,
            "returned": Tone.PROBLEM,
            "confirmed": Tone.DONE,
            "superseded": Tone.OVER,
            "withdrawn": Tone.OVER,
        },
        models_with_field=((ProgrammeVersion, "state"),),
    )
    register_machine(
        "progress",
        ProgressStatus,
        {
            "not_started": Tone.DRAFT,
            "on_track": Tone.UNDER_WAY,
            "at_risk": Tone.WAITING,
            "done": Tone.DONE,
            "exceeded": Tone.DONE,
            "dropped": Tone.OVER,
        },
        models_with_field=((Commitment, "status"), (ProgressReport, "status")),
    )
    register_machine(
        "membership",
        MembershipStatus,
        {"active": Tone.DONE, "exempt": Tone.OVER, "suspended": Tone.PROBLEM, "transferred": Tone.OVER},
        models_with_field=((Membership, "status"),),
    )
    register_machine(
        "export",
        ExportState,
        {"queued": Tone.DRAFT, "running": Tone.UNDER_WAY, "done": Tone.DONE, "failed": Tone.PROBLEM},
        models_with_field=((ExportJob, "state"),),
    )
    register_machine(
        "import",
        ImportStatus,
        {"queued": Tone.DRAFT, "running": Tone.UNDER_WAY, "succeeded": Tone.DONE, "failed": Tone.PROBLEM},
        models_with_field=((ImportJob, "status"),),
    )
    register_machine(
        "link_archive",
        ArchiveState,
        {"pending": Tone.UNDER_WAY, "archived": Tone.DONE, "failed": Tone.PROBLEM},
        models_with_field=((LinkArchive, "state"),),
    )
