"""The two rule sets the portal ships (DOMAIN product decision 1): 366-2025 by default, 124-2023 for history."""

import datetime

from django.db import migrations

RULE_SETS = [
    {
        "code": "366-2025",
        "name": "Thang điểm 100 (30 điểm tiêu chí chung, 70 điểm kết quả thực hiện nhiệm vụ)",
        "regulation": "Quy định 366-QĐ/TW ngày 30/08/2025; Hướng dẫn 43-HD/BTCTW ngày 31/10/2025",
        "uses_points": True,
        "general_points_max": 30,
        "task_points_max": 70,
        "excellent_from": 90,
        "good_from": 70,
        "completed_from": 50,
        "excellent_exceeding_percent": 30,
        "quota_percent": 20,
        "valid_from": datetime.date(2025, 8, 30),
        "valid_to": None,
    },
    {
        "code": "124-2023",
        "name": "Đánh giá theo tiêu chí, không chấm điểm",
        "regulation": "Quy định 124-QĐ/TW ngày 04/10/2023; Hướng dẫn 25-HD/BTCTW ngày 10/11/2023",
        "uses_points": False,
        "general_points_max": 0,
        "task_points_max": 0,
        "excellent_from": 90,
        "good_from": 70,
        "completed_from": 50,
        "excellent_exceeding_percent": 0,
        "quota_percent": 20,
        "valid_from": datetime.date(2023, 10, 4),
        "valid_to": datetime.date(2025, 8, 29),
    },
]


def add_rule_sets(apps, schema_editor):
    RuleSet = apps.get_model("reviews", "RuleSet")
    for values in RULE_SETS:
        RuleSet.objects.get_or_create(code=values["code"], defaults=values)


def remove_rule_sets(apps, schema_editor):
    RuleSet = apps.get_model("reviews", "RuleSet")
    RuleSet.objects.filter(code__in=[values["code"] for values in RULE_SETS], periods__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_reviews")]

    operations = [migrations.RunPython(add_rule_sets, remove_rule_sets)]
