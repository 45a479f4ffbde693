"""The morning's jobs of notifications, as rows staff can change in the admin (django-celery-beat), at local time:
the commitments' reminders at 6:00, then, once every reminder of the night is written, the daily digests at 7:00."""

from django.conf import settings
from django.db import migrations

SCHEDULES = (
    ("Nhắc việc về nội dung cam kết (hằng ngày)", "programmes.tasks.remind_commitments", "6", "0"),
    ("Gửi thư tổng hợp thông báo (hằng ngày)", "programmes.tasks.send_digests", "7", "0"),
)


def add_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, minute in SCHEDULES:
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0019_notification_kinds_preferences_and_reminder_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
