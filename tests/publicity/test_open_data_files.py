"""The open-data files: generated into storage, switched in whole, served with ETag and Last-Modified, and
regenerated after publication changes, once for a burst of them."""

import datetime
import gzip
import json
from io import StringIO
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
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
    """The stored file's text, checked to be the very text of its compressed copy."""
    stored = OpenDataFile.objects.get(kind=kind).storage_name
    with default_storage.open(stored, "rb") as handle, default_storage.open(f"{stored}.gz", "rb") as compressed:
        data = handle.read()
        assert gzip.decompress(compressed.read()) == data
    return str(data.decode())


def download(name: str = PROGRAMMES_CSV, **headers: str) -> tuple[Any, bytes]:
    response = Client().get(reverse(name), headers=headers)
    # Reading a streamed body to its end closes the file, as a server does.
    return response, response.getvalue()


def test_the_file_is_served_with_its_hash_as_etag_and_answers_304_to_a_copy_already_held(cast):
    make_public(cast.member, cast.secretary.user)
    assert opendata_files.refresh()
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


def test_a_client_taking_gzip_downloads_the_compressed_copy_of_the_same_file(cast):
    make_public(cast.member, cast.secretary.user)
    assert opendata_files.refresh()
    plain, plain_body = download()
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]

    zipped, zipped_body = download(Accept_Encoding="gzip, deflate, br")
    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"] and zipped["Content-Type"] == "text/csv; charset=utf-8"
    # The same file under the same name, in fewer bytes; a tag of its own, so that no cache mixes the two.
    assert zipped["Content-Disposition"] == 'attachment; filename="chuong-trinh.csv"'
    assert gzip.decompress(zipped_body) == plain_body and len(zipped_body) < len(plain_body)
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert download(Accept_Encoding="gzip", If_None_Match=zipped["ETag"])[0].status_code == 304
    assert download(Accept_Encoding="gzip", If_None_Match=plain["ETag"])[0].status_code == 200
    # Refused with q=0, or not named: the file as written.
    for refusing in ("gzip;q=0", "br, identity", ""):
        assert "Content-Encoding" not in download(Accept_Encoding=refusing)[0], refusing


FILE_DOWNLOADS = (
    PROGRAMMES_CSV,
    "publicity:open_data_commitments_csv",
    "publicity:open_data_programmes_json_file",
    "publicity:open_data_commitments_json_file",
)


def refresh_asks() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(task=OPEN_DATA_REFRESH).order_by("pk"))


def stored_names() -> list[str]:
    """What is in the open-data folder of the storage."""
    if not default_storage.exists(opendata_files.FOLDER):
        return []
    return default_storage.listdir(opendata_files.FOLDER)[1]


@pytest.mark.postgres
def test_a_file_never_made_is_not_made_by_its_download_which_queues_one_run_and_answers_503(cast):
    make_public(cast.member, cast.secretary.user)
    # The publication asked for a run too (it waits in the outbox: no commit in this test): only downloads now.
    before = len(refresh_asks())
    for name in FILE_DOWNLOADS:
        for _attempt in range(3):
            response, page = download(name)
            assert response.status_code == 503, name
            assert response["Retry-After"] == "120"
            assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
            text = page.decode()
            assert "<h1" in text and "Tệp dữ liệu đang được chuẩn bị" in text
            assert "Vui lòng thử lại sau ít phút." in text
            assert reverse("publicity:open_data_programmes_json") in text  # the pages to read meanwhile
            assert cast.member.full_name not in text
    # Nothing was written by the twelve downloads, and one run was asked for.
    assert stored_names() == []
    assert not OpenDataFile.objects.exclude(storage_name="").exists()
    asks = refresh_asks()[before:]
    assert len(asks) == 1

    # The worker runs it: the file is served from then on, with its hash as ETag.
    assert tasks.refresh_open_data(*asks[0].args)
    response, body = download()
    record = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert response.status_code == 200 and response["ETag"] == f'"{record.sha256}"'
    assert cast.member.full_name in body.decode()
    assert len(stored_names()) == 2 * len(OpenDataKind)  # each file and its compressed copy
    assert len(refresh_asks()) == before + 1


@pytest.mark.postgres
def test_an_ask_no_file_followed_is_made_again_but_a_run_under_way_is_waited_for(cast):
    assert opendata_files.missing_files_request()
    assert not opendata_files.missing_files_request()
    # A worker lost that run: once ASK_AGAIN_AFTER has passed, the next download asks again.
    long_ago = timezone.now() - opendata_files.ASK_AGAIN_AFTER - datetime.timedelta(seconds=1)
    OpenDataFile.objects.update(asked_at=long_ago)
    assert download()[0].status_code == 503
    assert len(refresh_asks()) == 2
    # A run started a moment ago (the nightly one, or a publication's) makes the files: no ask of its own.
    OpenDataFile.objects.update(asked_at=long_ago, started_at=timezone.now())
    assert not opendata_files.missing_files_request()
    # Once every file is made, nothing is asked, whenever.
    assert opendata_files.refresh()
    OpenDataFile.objects.update(asked_at=None, started_at=None)
    assert not opendata_files.missing_files_request()
    assert len(refresh_asks()) == 2


def test_the_open_data_page_lists_a_file_never_made_as_being_prepared_then_links_it(cast):
    make_public(cast.member, cast.secretary.user)
    before = len(refresh_asks())
    response = Client().get(reverse("publicity:open_data"))
    page = response.text
    assert response.status_code == 200
    assert page.count('<span class="badge text-bg-warning">đang chuẩn bị</span>') == len(OpenDataKind)
    assert "Các tệp ghi “đang chuẩn bị” đang được tạo lần đầu" in page
    for name in FILE_DOWNLOADS:
        assert f'href="{reverse(name)}"' not in page, name
    # The paged JSON is made per request: always linked.
    assert f'href="{reverse("publicity:open_data_programmes_json")}"' in page
    # The page asked for the files it lists as being prepared, and is kept no longer than the wait.
    assert len(refresh_asks()) == before + 1
    assert "max-age=120" in response["Cache-Control"]

    assert opendata_files.refresh()
    response = Client().get(reverse("publicity:open_data"))
    page = response.text
    assert "đang chuẩn bị" not in page
    for name in FILE_DOWNLOADS:
        assert f'href="{reverse(name)}"' in page, name
    record = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert record.generated_at is not None
    assert timezone.localtime(record.generated_at).strftime("%H:%M %d/%m/%Y") in page
    assert "max-age=300" in response["Cache-Control"]
    assert len(refresh_asks()) == before + 1


def test_the_set_up_command_queues_the_files_a_new_portal_lacks_once_or_makes_them_at_once(cast):
    make_public(cast.member, cast.secretary.user)
    before = len(refresh_asks())
    out = StringIO()
    call_command("prepare_open_data", stdout=out)
    assert "Đã đưa việc tạo các tệp dữ liệu mở chưa có vào hàng đợi." in out.getvalue()
    call_command("prepare_open_data", stdout=out)
    assert "đã ở trong hàng đợi" in out.getvalue()
    assert len(refresh_asks()) == before + 1 and stored_names() == []

    out = StringIO()
    call_command("prepare_open_data", "--now", stdout=out)
    assert "Đã tạo chuong-trinh.csv" in out.getvalue()
    assert cast.member.full_name in stored_text(OpenDataKind.PROGRAMMES_CSV)
    out = StringIO()
    call_command("prepare_open_data", stdout=out)
    assert "Các tệp dữ liệu mở đã có" in out.getvalue()
    assert len(refresh_asks()) == before + 1


def test_after_the_demo_and_the_set_up_command_the_queued_asks_cost_one_run_that_makes_every_file(db):
    call_command("seed_demo", stdout=StringIO())
    # The demo's publications asked already; the set-up command (make run calls it after the demo) asks too.
    call_command("prepare_open_data", stdout=StringIO())
    asks = refresh_asks()
    assert len(asks) >= 2 and stored_names() == []
    # The worker takes them in order: the first run reads every change asked before it started.
    assert [tasks.refresh_open_data(*ask.args) for ask in asks] == [True] + [False] * (len(asks) - 1)
    assert len(stored_names()) == 2 * len(OpenDataKind)  # each file and its compressed copy
    page = Client().get(reverse("publicity:open_data")).text
    assert "đang chuẩn bị" not in page and f'href="{reverse(PROGRAMMES_CSV)}"' in page
    assert json.loads(stored_text(OpenDataKind.PROGRAMMES_JSON))["count"] > 0


@pytest.mark.postgres
def test_serving_a_made_file_and_the_page_listing_the_files_cost_pinned_queries(cast, django_assert_num_queries):
    make_public(cast.member, cast.secretary.user)
    assert opendata_files.refresh()
    # The file's row; nothing else (no session for a visitor).
    with django_assert_num_queries(1):
        assert download()[0].status_code == 200
    # The page reads the files' rows to show their size and time, or "being prepared".
    with django_assert_num_queries(1):
        assert Client().get(reverse("publicity:open_data")).status_code == 200


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
def test_a_new_file_replaces_the_old_one_whole_and_a_download_under_way_finishes(
    cast, django_capture_on_commit_callbacks
):
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

    # A third run drops the first file with its compressed copy; the second stays for downloads under way.
    with django_capture_on_commit_callbacks(execute=True):
        assert opendata_files.refresh()
    assert not default_storage.exists(first.storage_name)
    assert not default_storage.exists(opendata_files.compressed_name(first.storage_name))
    third = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert third.previous_name == second.storage_name
    assert default_storage.exists(second.storage_name)
    assert default_storage.exists(opendata_files.compressed_name(second.storage_name))


@pytest.mark.postgres
def test_a_slower_run_that_read_older_data_never_replaces_a_newer_file(cast):
    assert opendata_files.refresh()
    current = OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV)
    assert current.data_as_of is not None
    older = current.data_as_of - datetime.timedelta(minutes=5)
    stored, sha256, size = opendata_files._store(OpenDataKind.PROGRAMMES_CSV, older)
    assert not opendata_files._switch(OpenDataKind.PROGRAMMES_CSV, stored, sha256, size, older)
    assert OpenDataFile.objects.get(kind=OpenDataKind.PROGRAMMES_CSV).storage_name == current.storage_name
