import pytest
from celery.exceptions import Retry
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError

from programmes.importing.services import import_job_run, import_job_submit
from programmes.models import AuditEvent, Cadre, ImportJob, ImportKind, ImportStatus, OutboxMessage
from programmes.summary_marks import SUMMARY_REFRESH
from programmes.tasks import IMPORT_MAX_RETRIES, run_import_job
from tests.programmes.import_files import (
    ORGANISATION_HEADERS,
    POSITION_HEADERS,
    ROSTER_HEADERS,
    row_counts,
    to_csv,
    to_xlsx,
)
from tests.programmes.test_import_positions import position_rows
from tests.programmes.test_import_roster import roster_rows


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(data: bytes, name: str = "dang-vien.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def submit(cast, data, name="dang-vien.xlsx", user=None, scope=None):
    return import_job_submit(
        kind=ImportKind.ROSTER,
        uploaded_file=upload(data, name),
        scope=scope or cast.ward,
        acting_user=user or cast.org_board,
    )


@pytest.mark.django_db
def test_submitted_job_runs_in_the_worker_after_commit(cast, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = submit(cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))

    # The job handed to the worker; once the import committed, the dashboards' figures of its scope asked for; once
    # they were counted, the public pages told so.
    assert len(callbacks) == 3
    assert OutboxMessage.objects.filter(task=SUMMARY_REFRESH).count() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert job.counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert job.finished_at is not None
    assert job.attempts == 1
    assert job.original_name == "dang-vien.xlsx"
    # Stored under a random name in the private media folder.
    assert job.file.name.startswith("imports/") and "dang-vien" not in job.file.name
    assert (tmp_path / job.file.name).is_file()
    assert Cadre.objects.filter(code__startswith="IMP").count() == 3
    submitted = AuditEvent.objects.get(action="import_job.submit")
    assert submitted.actor == cast.org_board
    assert AuditEvent.objects.get(action="import.roster").object_id == str(job.pk)


@pytest.mark.django_db
def test_failed_job_keeps_every_error_and_writes_nothing(cast, django_capture_on_commit_callbacks):
    rows = roster_rows(cast.cell_a.code) + roster_rows(cast.cell_b.code, count=1)
    before = row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(cast, to_csv(ROSTER_HEADERS, rows), "dang-vien.csv")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.errors == [{"row": 5, "column": "ma_dang_vien", "message": job.errors[0]["message"]}]
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # only the submission
    assert after == before


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_finished_job_is_not_run_again(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    before = row_counts()

    assert run_import_job.delay(job.pk).get() == "skipped"
    assert import_job_run(job_id=job.pk) is None
    assert row_counts() == before


@pytest.mark.django_db
def test_job_interrupted_while_running_runs_again(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = submit(cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    assert run_import_job.delay(job.pk).get() == ImportStatus.SUCCEEDED


@pytest.mark.django_db
def test_database_outage_is_retried_then_the_job_fails(cast, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=False):
        job = submit(cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    calls = []

    def unavailable(**kwargs):
        calls.append(kwargs)
        raise OperationalError("database is locked")

    # Stands in for the database going away; nothing else can make SQLite fail on demand.
    monkeypatch.setattr("programmes.tasks.import_job_run", unavailable)
    with pytest.raises(Retry):
        run_import_job.apply(args=(job.pk,), throw=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED

    with pytest.raises(OperationalError):
        run_import_job.apply(args=(job.pk,), retries=IMPORT_MAX_RETRIES, throw=True)
    assert len(calls) == 2
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Cơ sở dữ liệu" in job.errors[0]["message"]


@pytest.mark.django_db
def test_upload_checks_type_size_and_right(cast, settings):
    rows = to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code))
    with pytest.raises(ValidationError):
        submit(cast, b"MZ\x90\x00", "dang-vien.exe")
    with pytest.raises(ValidationError):
        submit(cast, b"this is not a zip", "dang-vien.xlsx")
    settings.IMPORT_MAX_UPLOAD_MB = 0
    with pytest.raises(ValidationError):
        submit(cast, rows)
    settings.IMPORT_MAX_UPLOAD_MB = 20
    with pytest.raises(PermissionDenied):
        submit(cast, rows, user=cast.member.user, scope=cast.cell_a)
    with pytest.raises(PermissionDenied):
        submit(cast, rows, scope=cast.other_ward)
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_superuser_may_import_a_whole_tree_without_scope(django_capture_on_commit_callbacks):
    admin = User.objects.create_user("root", is_superuser=True, is_staff=True)
    rows = [["R", "Đảng bộ gốc", "city_committee", "", "", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_submit(
            kind=ImportKind.ORGANISATIONS,
            uploaded_file=upload(to_csv(ORGANISATION_HEADERS, rows), "cay.csv"),
            scope=None,
            acting_user=admin,
        )
    job.refresh_from_db()
    assert job.counts["created"] == 1


@pytest.mark.django_db
def test_import_commands_print_counts_dry_run_and_errors(cast, tmp_path, capsys):
    good = tmp_path / "dang-vien.xlsx"
    good.write_bytes(to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    call_command("import_roster", str(good), "--dry-run")
    assert "chưa ghi" in capsys.readouterr().out
    assert not Cadre.objects.filter(code__startswith="IMP").exists()

    call_command("import_roster", str(good))
    assert "Tạo mới: 3" in capsys.readouterr().out

    bad = tmp_path / "to-chuc.csv"
    bad.write_bytes(to_csv(ORGANISATION_HEADERS, [["A", "Đảng bộ A", "commune_committee", "KHONG-CO", "", "", "", ""]]))
    with pytest.raises(CommandError) as refused:
        call_command("import_organisations", str(bad))
    assert refused.value.returncode == 1
    err = capsys.readouterr().err
    assert "dòng 2\tma_cap_tren\t" in err


@pytest.mark.django_db
def test_positions_command_reads_a_file(cast, tmp_path, capsys):
    path = tmp_path / "chuc-vu.csv"
    path.write_bytes(to_csv(POSITION_HEADERS, position_rows(cast)))
    call_command("import_positions", str(path))
    assert "Tạo mới: 2" in capsys.readouterr().out


@pytest.mark.django_db
def test_every_start_is_counted_and_the_last_allowed_one_still_runs(cast, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=False):
        job = submit(cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    # Two workers took it and died before finishing: their starts were counted and it was left running.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, attempts=settings.IMPORT_MAX_ATTEMPTS - 1)

    assert run_import_job.delay(job.pk).get() == ImportStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.attempts == settings.IMPORT_MAX_ATTEMPTS


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_job_started_too_often_without_finishing_is_parked(cast, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=False):
        job = submit(cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    # Three workers took it and were killed mid-import (as the out-of-memory killer does), each after counting.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, attempts=settings.IMPORT_MAX_ATTEMPTS)
    before = row_counts()

    assert run_import_job.delay(job.pk).get() == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.attempts == settings.IMPORT_MAX_ATTEMPTS + 1
    assert job.errors[0]["message"].startswith("Việc nhập tệp này đã bị gián đoạn 3 lần")
    parked = AuditEvent.objects.get(action="import_job.park")
    assert parked.object_id == str(job.pk) and parked.actor is None
    after = row_counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    # Delivered yet again, it stays as it is.
    assert run_import_job.delay(job.pk).get() == "skipped"
