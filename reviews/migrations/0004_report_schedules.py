"""The report schedules, as rows staff can change in the admin (django-celery-beat).

Nightly at 01:30: the reports of periods whose decision window has just closed. Mondays at 02:00:
the roll-ups of every open period. Times are the portal's time zone.
"""

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    ("Báo cáo đánh giá sau hạn quyết định (hằng đêm)", "reviews.tasks.nightly_reports", "30", "1", "*"),
    ("Báo cáo tổng hợp trong đợt kiểm điểm (hằng tuần)", "reviews.tasks.weekly_rollups", "0", "2", "1"),
]


def add_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day_of_week in SCHEDULES:
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_reports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
