"""The open-data files: generated into storage, switched in whole, served with ETag and Last-Modified, and
regenerated after publication changes, once for a burst of them."""

import datetime
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.action_programmes.publication import OPEN_DATA_REFRESH
from programmes.models import CadrePrivateDetails, OutboxMessage
from publicity import opendata, opendata_files, tasks
from publicity.models import OpenDataFile, OpenDataKind
from tests.factories import make_member
from tests.programmes.programme_data import make_confirmed
from tests.publicity.public_data import make_public, unpublish

pytestmark = pytest.mark.django_db

PROGRAMMES_CSV = "publicity:open_data_programmes_csv"
PROGRAMME_KINDS = (OpenDataKind.PROGRAMMES_CSV, OpenDataKind.PROGRAMMES_JSON)


def stored_text(kind: OpenDataKind) -> str:
    with default_storage.open(OpenDataFile.objects.get(kind=kind).storage_name, "rb") as handle:
        return str(handle.read().decode())


def download(name: str = PROGRAMMES_CSV, **headers: str) -> tuple[Any, bytes]:
    response = Client().get(reverse(name), headers=headers)
    # Reading a streamed body to its end closes the file, as a server does.
    return response, response.getvalue()


def test_the_file_is_served_with_its_hash_as_etag_and_answers_304_to_a_copy_already_held(cast):
    make_public(cast.member, cast.secretary.user)
    response, body = download()
    assert response.status_code == 200 and body.startswith("\ufeffid,".encode())
    record = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert response["ETag"] == f'"{record.sha256}"' and len(record.sha256) == 64
    assert response["Content-Disposition"] == 'attachment; filename="chuong-trinh.csv"'
    last_modified = response["Last-Modified"]

    held, empty = download(If_None_Match=response["ETag"])
    assert held.status_code == 304 and empty == b""
    assert held["ETag"] == response["ETag"]
    assert download(If_Modified_Since=last_modified)[0].status_code == 304
    assert download(If_None_Match='"an-older-copy"')[0].status_code == 200


def test_the_first_download_before_any_run_makes_the_file_then_serves_the_stored_one(cast):
    make_public(cast.member, cast.secretary.user)
    assert not OpenDataFile.objects.exclude(storage_name="").exists()
    first, body = download()
    assert first.status_code == 200 and cast.member.full_name in body.decode()
    record = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    second, again = download()
    assert again == body and second["ETag"] == first["ETag"]
    assert OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV).storage_name == record.storage_name


def test_the_stored_files_hold_nothing_private(cast):
    owner = make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")
    CadrePrivateDetails.objects.update_or_create(
        cadre=owner, defaults={"citizen_id": "079123456789", "phone": "0903123456"}
    )
    make_public(owner, cast.secretary.user)
    hidden = make_confirmed(cast.member, cast.secretary.user, title="Chương trình chỉ trong cấp ủy")
    assert opendata_files.refresh()
    for kind in OpenDataKind:
        text = stored_text(kind)
        shown = owner.full_name if kind in PROGRAMME_KINDS else "Tỷ lệ hồ sơ giải quyết đúng hạn"
        assert shown in text, kind
        assert "079123456789" not in text and "0903123456" not in text, kind
        assert hidden.title not in text and cast.member.full_name not in text, kind


def test_the_json_files_hold_every_row_with_the_documented_fields(cast):
    first = make_public(cast.member, cast.secretary.user)
    second = make_public(make_member(cast.cell_a, "nen"), cast.secretary.user)
    opendata_files.refresh()
    programmes = json.loads(stored_text(OpenDataKind.PROGRAMMES_JSON))
    assert programmes["count"] == 2 and programmes["licence"] == str(opendata.LICENCE)
    assert [row["id"] for row in programmes["results"]] == [first.pk, second.pk]
    assert set(programmes["results"][0]) == {*opendata.PROGRAMME_HEADER, "commitments"}
    commitments = json.loads(stored_text(OpenDataKind.COMMITMENTS_JSON))
    assert [row["programme_id"] for row in commitments["results"]] == [first.pk, first.pk, second.pk, second.pk]
    assert set(commitments["results"][0]) == set(opendata.COMMITMENT_HEADER)


def test_addresses_are_formatted_from_one_reversed_pattern(cast):
    url_of = opendata.programme_url_builder()
    for pk in (1, 42, 918273):
        assert url_of(pk).endswith(reverse("publicity:public_programme", args=[pk]))


def test_a_publication_change_regenerates_the_files_when_it_commits(cast, django_capture_on_commit_callbacks):
    assert opendata_files.refresh()
    assert cast.member.full_name not in stored_text(OpenDataKind.PROGRAMMES_CSV)
    with django_capture_on_commit_callbacks(execute=True):
        programme = make_public(cast.member, cast.secretary.user)
    assert cast.member.full_name in stored_text(OpenDataKind.PROGRAMMES_CSV)
    with django_capture_on_commit_callbacks(execute=True):
        unpublish(programme)
    for kind in OpenDataKind:
        assert cast.member.full_name not in stored_text(kind), kind


def test_two_changes_waiting_together_cost_one_regeneration(cast):
    # Neither request has reached a worker (no commit in this test): both wait in the outbox.
    make_public(cast.member, cast.secretary.user)
    make_public(make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên"), cast.secretary.user)
    waiting = list(OutboxMessage.objects.filter(task=OPEN_DATA_REFRESH).order_by("pk"))
    assert len(waiting) == 2

    ran = [tasks.refresh_open_data(*message.args) for message in waiting]
    assert ran == [True, False]
    text = stored_text(OpenDataKind.PROGRAMMES_CSV)
    assert cast.member.full_name in text and "Nguyễn Văn Nên" in text

    # A change made after that run started asks for, and gets, a run of its own.
    assert tasks.refresh_open_data(timezone.now().isoformat())


def test_the_nightly_run_always_regenerates(cast):
    assert tasks.refresh_open_data()
    assert tasks.refresh_open_data()


@pytest.mark.postgres
def test_a_new_file_replaces_the_old_one_whole_and_a_download_under_way_finishes(cast):
    make_public(cast.member, cast.secretary.user)
    assert opendata_files.refresh()
    first = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    reading = default_storage.open(first.storage_name, "rb")
    before = reading.read(10)

    make_public(make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên"), cast.secretary.user)
    assert opendata_files.refresh()
    second = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert second.storage_name != first.storage_name and second.previous_name == first.storage_name
    assert second.data_as_of is not None and first.data_as_of is not None
    assert second.sha256 != first.sha256 and second.data_as_of > first.data_as_of
    # The download that opened the old file reads it to its end, unchanged.
    rest = reading.read()
    reading.close()
    assert "Nguyễn Văn Nên" not in (before + rest).decode()
    assert "Nguyễn Văn Nên" in stored_text(OpenDataKind.PROGRAMMES_CSV)

    # A third run drops the first file; the second stays for downloads under way.
    assert opendata_files.refresh()
    third = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert third.previous_name == second.storage_name
    assert default_storage.exists(second.storage_name)


@pytest.mark.postgres
def test_a_slower_run_that_read_older_data_never_replaces_a_newer_file(cast):
    assert opendata_files.refresh()
    current = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert current.data_as_of is not None
    older = current.data_as_of - datetime.timedelta(minutes=5)
    stored, sha256, size = opendata_files._store(OpenDataKind.PROGRAMMES_CSV, older)
    assert not opendata_files._switch(OpenDataKind.PROGRAMMES_CSV, stored, sha256, size, older)
    assert OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV).storage_name == current.storage_name
