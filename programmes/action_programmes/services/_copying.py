"""Opening a new version as a copy of another: the correction of a returned version, and an amendment."""

from django.db.models import Max

from programmes.action_programmes.services._common import CONTENT_FIELDS
from programmes.models import ActionProgramme, CommitmentTerms, Milestone, ProgrammeVersion


def _next_number(programme: ActionProgramme) -> int:
    return (programme.versions.aggregate(last=Max("number"))["last"] or 0) + 1


def _copy_terms(source: ProgrammeVersion, version: ProgrammeVersion, *, with_notes: bool = False) -> None:
    """Give `version` the commitments of `source`: the same lasting commitments, so that comparing the two
    pairs them; with `with_notes`, each keeps the confirmer's note on it."""
    olds = list(source.terms.prefetch_related("milestones"))
    # Two inserts whatever the number of commitments: a return or an amendment copies the whole version.
    news = CommitmentTerms.objects.bulk_create(
        CommitmentTerms(
            version=version,
            commitment_id=old.commitment_id,
            position=old.position,
            return_note=old.return_note if with_notes else "",
            **{name: getattr(old, name) for name in CONTENT_FIELDS},
        )
        for old in olds
    )
    Milestone.objects.bulk_create(
        Milestone(terms=new, due_date=milestone.due_date, description=milestone.description.strip())
        for old, new in zip(olds, news, strict=True)
        for milestone in old.milestones.all()
    )
