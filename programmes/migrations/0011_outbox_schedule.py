"""Every minute the beat hands the broker the tasks it could not take when they were asked for
(programmes.outbox.send_due), as a row staff can change in the admin (django-celery-beat). A run the worker has
not picked up within the minute expires, so that a worker that was away does not meet a pile of them."""

from django.db import migrations

NAME = "Gửi các tác vụ đang chờ hàng đợi (mỗi phút)"
TASK = "programmes.tasks.send_outbox"


def add_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": TASK, "interval": every_minute, "expire_seconds": 55}
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0010_outbox_messages"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
