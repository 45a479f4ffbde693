"""One appeal per contested result, addressed to the committee above the body that made it.

Each change of level records the body whose result it is; each appeal records the result it contests (the
change of level in force when it was filed, or none: the confirmed decision) and the committee it goes to.
Rows written before this rule are filled the way the rule reads them: a superior's re-classification is the
result of the committee above the deciding one, a change made on appeal that of the deciding committee (which
resolved appeals then).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# treebeard's materialised path: four characters per level.
STEP = 4


def _parent(PartyOrganisation, organisation):
    if organisation.depth <= 1:
        return None
    return PartyOrganisation.objects.get(path=organisation.path[: (organisation.depth - 1) * STEP])


def fill(apps, schema_editor):
    PartyOrganisation = apps.get_model("programmes", "PartyOrganisation")
    LevelChange = apps.get_model("reviews", "LevelChange")
    Appeal = apps.get_model("reviews", "Appeal")
    for change in LevelChange.objects.select_related("review__deciding_organisation"):
        deciding = change.review.deciding_organisation
        body = _parent(PartyOrganisation, deciding) if change.cause == "superior" else None
        change.organisation = body or deciding
        change.save(update_fields=["organisation"])
    contested = set()
    for appeal in Appeal.objects.select_related("review__deciding_organisation").order_by("filed_at", "pk"):
        change = (
            LevelChange.objects.filter(review=appeal.review_id, changed_at__lte=appeal.filed_at)
            .select_related("organisation")
            .order_by("-changed_at", "-pk")
            .first()
        )
        key = (appeal.review_id, change.pk if change is not None else None)
        if key in contested:
            raise RuntimeError(
                f"Appeal {appeal.pk} contests the same result as an earlier appeal of review {appeal.review_id}: "
                "decide which one stands before migrating."
            )
        contested.add(key)
        body = change.organisation if change is not None else appeal.review.deciding_organisation
        appeal.contested_change = change
        appeal.resolving_organisation = _parent(PartyOrganisation, body) or body
        appeal.save(update_fields=["contested_change", "resolving_organisation"])
    if schema_editor.connection.vendor == "postgresql":
        # The foreign keys are checked at commit; the columns are altered below, in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0009_retention_schedule'),
        ('reviews', '0004_report_schedules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='contested_change',
            field=models.ForeignKey(blank=True, help_text='Để trống: kiến nghị về kết quả người đứng đầu đã xác nhận.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appeals', to='reviews.levelchange', verbose_name='kết quả bị kiến nghị'),
        ),
        migrations.AddField(
            model_name='appeal',
            name='resolving_organisation',
            field=models.ForeignKey(help_text='Cấp ủy cấp trên của cấp đã ra kết quả bị kiến nghị.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.partyorganisation', verbose_name='cấp giải quyết'),
        ),
        migrations.AddField(
            model_name='levelchange',
            name='organisation',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.partyorganisation', verbose_name='cấp ủy thay đổi kết quả'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='appeal',
            name='resolving_organisation',
            field=models.ForeignKey(help_text='Cấp ủy cấp trên của cấp đã ra kết quả bị kiến nghị.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.partyorganisation', verbose_name='cấp giải quyết'),
        ),
        migrations.AlterField(
            model_name='levelchange',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.partyorganisation', verbose_name='cấp ủy thay đổi kết quả'),
        ),
        migrations.AddConstraint(
            model_name='appeal',
            constraint=models.UniqueConstraint(condition=models.Q(('contested_change__isnull', True)), fields=('review',), name='appeal_once_against_decision'),
        ),
        migrations.AddConstraint(
            model_name='appeal',
            constraint=models.UniqueConstraint(fields=('contested_change',), name='appeal_once_against_level_change'),
        ),
    ]
