"""The nightly jobs of citizen feedback, as rows staff can change in the admin: the purge of senders' contact
details, and the sweep that attaches verified cases to reviews a concurrent opening of a period missed."""

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    ("Xóa thông tin liên hệ của người gửi góp ý hết hạn lưu giữ (hằng đêm)", "publicity.tasks.purge_feedback_contacts", "15"),
    ("Đưa góp ý đã xác minh vào bản kiểm điểm đang mở (hằng đêm)", "publicity.tasks.attach_verified_feedback", "25"),
]


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute in SCHEDULES:
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute, hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _minute in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publicity", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
