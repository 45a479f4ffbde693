"""The nightly purge of personal data past its retention period (programmes.privacy.retention_enforce), as a row
staff can change in the admin (django-celery-beat). At 03:40, after the feedback jobs of 03:15 and 03:25."""

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    ("Xóa dữ liệu cá nhân hết thời hạn lưu giữ (hằng đêm)", "programmes.tasks.enforce_retention", "40", "3"),
]


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0008_read_events"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
