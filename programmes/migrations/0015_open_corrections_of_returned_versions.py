"""A version returned before returned versions were kept was corrected in place: its owner edits it no more.

Each one still waiting for its owner gets its correction now, as the return service opens it: the next
version, a draft copy with the same commitments and the confirmer's notes. What it says is what it says
today; whatever the owner had already changed in it since the return cannot be told apart any more.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone


def open_corrections(apps, schema_editor):
    Version = apps.get_model("programmes", "ProgrammeVersion")
    Terms = apps.get_model("programmes", "CommitmentTerms")
    Milestone = apps.get_model("programmes", "Milestone")
    copied = [field.attname for field in Terms._meta.concrete_fields if field.attname not in ("id", "version_id")]
    for returned in Version.objects.filter(state="returned", resubmission__isnull=True).order_by("pk"):
        versions = Version.objects.filter(programme_id=returned.programme_id)
        if versions.filter(state__in=["draft", "submitted"]).exists():
            continue
        correction = Version.objects.create(
            programme_id=returned.programme_id,
            number=versions.aggregate(last=Max("number"))["last"] + 1,
            state="draft",
            amendment_reason=returned.amendment_reason,
            resubmission_of=returned,
            created_at=returned.returned_at or timezone.now(),
        )
        for old in Terms.objects.filter(version=returned).order_by("position", "pk"):
            new = Terms.objects.create(version=correction, **{name: getattr(old, name) for name in copied})
            Milestone.objects.bulk_create(
                Milestone(terms=new, due_date=milestone.due_date, description=milestone.description)
                for milestone in Milestone.objects.filter(terms=old).order_by("due_date", "pk")
            )


def drop_draft_corrections(apps, schema_editor):
    """Back to in-place correction: a correction not yet sent goes (with what was typed into it)."""
    Version = apps.get_model("programmes", "ProgrammeVersion")
    Version.objects.filter(state="draft", resubmission_of__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0014_returned_versions_kept_and_corrected"),
    ]

    operations = [
        migrations.RunPython(open_corrections, drop_draft_corrections),
    ]
