"""The confirmer table of DOMAIN 2.3 as the starting rules; organisation-board staff edit them in the admin."""

from django.db import migrations

DEFAULT_RULES = [
    # (owner standing, occasion or "" for every occasion, confirming body)
    ("member", "", "own_cell"),
    ("cell_leader", "", "grassroots_committee"),
    ("committee_member", "", "managing_committee"),
    ("head", "", "managing_committee"),
]


def add_rules(apps, schema_editor):
    ConfirmerRule = apps.get_model("programmes", "ConfirmerRule")
    for standing, occasion, body in DEFAULT_RULES:
        ConfirmerRule.objects.get_or_create(
            owner_standing=standing, occasion=occasion, defaults={"confirming_body": body}
        )


def remove_rules(apps, schema_editor):
    ConfirmerRule = apps.get_model("programmes", "ConfirmerRule")
    for standing, occasion, _body in DEFAULT_RULES:
        ConfirmerRule.objects.filter(owner_standing=standing, occasion=occasion).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_action_programmes")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
