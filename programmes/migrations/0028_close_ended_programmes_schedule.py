"""The nightly end of term as a row staff can change in the admin (django-celery-beat), at local time: at 0:30,
after the day has turned, the programmes whose term or post ended the day before are closed."""

from django.conf import settings
from django.db import migrations

NAME = "Kết thúc chương trình hết thời hạn hoặc thôi giữ chức vụ (hằng đêm)"
TASK = "programmes.tasks.close_ended_programmes"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="30", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0027_programme_end_of_term"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
