"""How a service asks for the dashboards' figures to be counted again after it changed something they count.

The figures of the organisation dashboards (publicity.dashboards) are counted ahead, per organisation, by a Celery
task: nightly for the whole tree (what time alone changes: what falls overdue, what stalls), and during the day for
the organisations the services mark here: the organisation a fact is counted in (`organisations_changed`), or a whole
subtree when a change spans one (`subtrees_changed`: a period opened, a roster imported). A mark is one row per
organisation and kind, written in the service's transaction (an upsert, so that it waits for a refresh claiming the
same row and is never lost between the two), and the task is asked through the outbox once the transaction commits.
The task claims every mark waiting at once: a burst of changes in a cell costs one count of that cell, and the asks
that find nothing left to count stop at once.
"""

from collections.abc import Iterable

from django.utils import timezone

from programmes import outbox
from programmes.models import ActionProgramme, Membership, SummaryMark

# Counts the marked organisations again (publicity.dashboards.refresh), named so that this base app need not import it.
SUMMARY_REFRESH = "publicity.tasks.refresh_summaries"


def organisations_changed(*organisation_ids: int | None, subtrees: Iterable[int | None] = ()) -> None:
    """What is counted in these organisations themselves changed, and in every organisation of the `subtrees`:
    count them again after the commit (one upsert and one ask, however many)."""
    if mark(_ids(organisation_ids), subtrees=_ids(subtrees)):
        outbox.enqueue(SUMMARY_REFRESH)


def subtrees_changed(*organisation_ids: int | None) -> None:
    """Something changed in every organisation of these subtrees: count them all again after the commit."""
    organisations_changed(subtrees=organisation_ids)


def _ids(organisation_ids: Iterable[int | None]) -> list[int]:
    return [organisation_id for organisation_id in organisation_ids if organisation_id is not None]


def mark(organisation_ids: Iterable[int], *, subtrees: Iterable[int] = ()) -> bool:
    """Write the marks alone, asking for no count (a refresh that failed puts back the marks it claimed, for the
    next one); False when there was nothing to mark."""
    # In one order, so that two services marking the same organisations never wait on each other in turn.
    keys = sorted({(pk, False) for pk in organisation_ids} | {(pk, True) for pk in subtrees})
    if not keys:
        return False
    now = timezone.now()
    SummaryMark.objects.bulk_create(
        [SummaryMark(organisation_id=pk, subtree=subtree, marked_at=now) for pk, subtree in keys],
        update_conflicts=True,
        unique_fields=["organisation", "subtree"],
        update_fields=["marked_at"],
    )
    return True


def programme_changed(programme: ActionProgramme, *, owner_too: bool = False) -> None:
    """A programme's commitments, progress, publicity or feedback changed: they are counted in the programme's
    organisation. `owner_too` when whether the owner has a confirmed programme changed, which is counted in the
    owner's cell (one query)."""
    cells: list[int | None] = []
    if owner_too:
        current = Membership.objects.filter(cadre_id=programme.owner_id, end_date__isnull=True)
        cells = list(current.values_list("cell_id", flat=True))
    organisations_changed(programme.organisation_id, *cells)
