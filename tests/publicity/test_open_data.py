"""Open data: the published programmes and their public commitments as CSV and JSON, by the pages' rule."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.action_programmes import publication
from programmes.models import ActionProgramme, Commitment, PublicityLevel
from publicity import opendata, opendata_files
from tests.factories import make_member
from tests.programmes.programme_data import make_confirmed
from tests.publicity.public_data import amend_target, make_public, unpublish

pytestmark = pytest.mark.django_db

PROGRAMMES_CSV = "publicity:open_data_programmes_csv"
COMMITMENTS_CSV = "publicity:open_data_commitments_csv"
PROGRAMMES_JSON = "publicity:open_data_programmes_json"
PROGRAMMES_JSON_FILE = "publicity:open_data_programmes_json_file"
COMMITMENTS_JSON_FILE = "publicity:open_data_commitments_json_file"
EXPORTS = (PROGRAMMES_CSV, COMMITMENTS_CSV, PROGRAMMES_JSON, PROGRAMMES_JSON_FILE, COMMITMENTS_JSON_FILE)
FIRST = "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 1"
SECOND = "Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt 2"


@pytest.fixture
def nen(cast):
    return make_member(cast.cell_a, "nen", full_name="Nguyễn Văn Nên")


def body(name: str, query: str = "") -> str:
    response = Client().get(reverse(name) + query)
    assert response.status_code == 200, name
    return response.getvalue().decode()


def csv_rows(name: str) -> list[list[str]]:
    text = body(name)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def commitments_in_force(programme: ActionProgramme) -> list[Commitment]:
    assert programme.current_version is not None
    return [terms.commitment for terms in programme.current_version.terms.order_by("position")]


def test_the_exports_hold_public_programmes_and_commitments_only(cast, nen):
    programme = make_public(nen, cast.secretary.user, title="Chương trình công khai")
    hidden = make_confirmed(cast.member, cast.secretary.user, title="Chương trình chỉ trong cấp ủy")
    _first, second = commitments_in_force(programme)
    publication.commitment_publicity_set(commitment=second, cap=PublicityLevel.COMMITTEE, acting_user=nen.user)
    opendata_files.refresh()

    programmes = csv_rows(PROGRAMMES_CSV)
    assert programmes[0] == opendata.PROGRAMME_HEADER
    assert [row[0] for row in programmes[1:]] == [str(programme.pk)]
    row = dict(zip(programmes[0], programmes[1], strict=True))
    assert row["owner_name"] == "Nguyễn Văn Nên"
    assert row["area"] == cast.ward.name
    assert row["url"].endswith(reverse("publicity:public_programme", args=[programme.pk]))

    commitments = csv_rows(COMMITMENTS_CSV)
    assert commitments[0] == opendata.COMMITMENT_HEADER
    assert [row[:2] for row in commitments[1:]] == [[str(programme.pk), "1"]]
    assert FIRST in commitments[1]

    data = json.loads(body(PROGRAMMES_JSON))
    assert data["count"] == 1
    assert [item["id"] for item in data["results"]] == [programme.pk]
    assert [item["statement"] for item in data["results"][0]["commitments"]] == [FIRST]
    assert set(data["results"][0]) == {*opendata.PROGRAMME_HEADER, "commitments"}
    assert set(data["results"][0]["commitments"][0]) == set(opendata.COMMITMENT_HEADER)

    for name in EXPORTS:
        text = body(name)
        assert SECOND not in text, name
        assert hidden.owner.full_name not in text and hidden.title not in text, name


def test_the_csv_headers_are_exactly_the_documented_fields(db):
    opendata_files.refresh()
    assert csv_rows(PROGRAMMES_CSV) == [
        [
            "id",
            "owner_name",
            "position_title",
            "organisation_name",
            "area",
            "occasion",
            "term_start",
            "term_end",
            "state",
            "confirmed_at",
            "version",
            "progress_percent",
            "overdue_count",
            "url",
        ]
    ]
    assert csv_rows(COMMITMENTS_CSV) == [
        [
            "programme_id",
            "position",
            "category",
            "statement",
            "indicator",
            "unit",
            "baseline_value",
            "target_value",
            "is_deliverable",
            "deadline",
            "weight",
            "status",
            "value_reached",
            "is_overdue",
            "target_changes",
        ]
    ]
    page = body("publicity:open_data")
    assert "Dữ liệu mở, được phép sử dụng lại, ghi rõ nguồn" in page
    for field in (*opendata.PROGRAMME_FIELDS, *opendata.COMMITMENT_FIELDS):
        assert f"<code>{field.name}</code>" in page, field.name
    assert reverse("publicity:open_data") in body("publicity:public_about")


def test_a_hostile_name_comes_out_of_the_csv_as_text(cast):
    hostile = '=HYPERLINK("http://example.com";"Nguyễn Văn A")'
    make_public(make_member(cast.cell_a, "hostile", full_name=hostile), cast.secretary.user)
    opendata_files.refresh()
    rows = csv_rows(PROGRAMMES_CSV)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["owner_name"] == "'" + hostile
    # Numbers stay numbers, and the JSON is data, not a spreadsheet: the name is as written.
    assert row["version"] == "1"
    assert json.loads(body(PROGRAMMES_JSON))["results"][0]["owner_name"] == hostile


def test_an_amended_target_is_counted(cast, nen):
    programme = make_public(nen, cast.secretary.user)
    amend_target(programme, cast.secretary.user, "90")
    opendata_files.refresh()
    rows = csv_rows(COMMITMENTS_CSV)
    changes = [dict(zip(rows[0], row, strict=True))["target_changes"] for row in rows[1:]]
    assert changes == ["1", "0"]


def test_the_json_is_paginated(cast, nen, monkeypatch):
    monkeypatch.setattr(opendata, "PER_PAGE", 1)
    first = make_public(nen, cast.secretary.user)
    second = make_public(cast.member, cast.secretary.user)

    page_one = json.loads(body(PROGRAMMES_JSON))
    assert page_one["count"] == 2 and page_one["previous"] is None
    assert [item["id"] for item in page_one["results"]] == [first.pk]
    assert page_one["next"].endswith(reverse(PROGRAMMES_JSON) + "?page=2")

    page_two = json.loads(body(PROGRAMMES_JSON, "?page=2"))
    assert [item["id"] for item in page_two["results"]] == [second.pk]
    assert page_two["next"] is None
    assert page_two["previous"].endswith(reverse(PROGRAMMES_JSON) + "?page=1")
    for bad in ("?page=3", "?page=x"):
        assert Client().get(reverse(PROGRAMMES_JSON) + bad).status_code == 404


def test_unpublishing_removes_the_programme_from_every_export_once_the_change_commits(
    cast, nen, django_capture_on_commit_callbacks
):
    programme = make_public(nen, cast.secretary.user)
    opendata_files.refresh()
    for name in EXPORTS:
        text = body(name)
        assert FIRST in text or nen.full_name in text, name
    # The files are regenerated by the task the withdrawal asks for when it commits.
    with django_capture_on_commit_callbacks(execute=True):
        unpublish(programme)
    for name in EXPORTS:
        text = body(name)
        assert FIRST not in text and nen.full_name not in text, name
    assert json.loads(body(PROGRAMMES_JSON))["count"] == 0


def _json_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        body(PROGRAMMES_JSON)
    return len(queries)


def test_the_json_page_costs_the_same_queries_for_one_or_five_programmes(cast, nen):
    make_public(nen, cast.secretary.user)
    one = _json_queries()
    amend_target(make_public(cast.member, cast.secretary.user), cast.secretary.user, "90")
    for number in range(3):
        make_public(make_member(cast.cell_a, f"them{number}"), cast.secretary.user)
    assert ActionProgramme.objects.count() == 5
    assert _json_queries() == one


def test_the_exports_are_cacheable_by_anyone_for_five_minutes_without_cookies(cast, nen):
    make_public(nen, cast.secretary.user)
    opendata_files.refresh()
    for name in (*EXPORTS, "publicity:open_data"):
        response = Client().get(reverse(name))
        assert "public" in response["Cache-Control"], name
        assert "max-age=300" in response["Cache-Control"], name
        assert not response.cookies, name
        response.getvalue()  # read to its end, as a server does: a streamed file is then closed
    for name in (PROGRAMMES_CSV, COMMITMENTS_CSV):
        response = Client().get(reverse(name))
        assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8", name
        response.getvalue()
