import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import ImportJob, ImportKind, ImportStatus
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.programmes.import_files import RESIDENCE_HEADERS, ROSTER_HEADERS, to_csv, to_xlsx
from tests.programmes.test_import_roster import roster_rows


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_upload(client, cast, data, name="dang-vien.xlsx", scope=None):
    return client.post(
        reverse("programmes:import_new"),
        {"kind": ImportKind.ROSTER, "scope": (scope or cast.ward).pk, "file": SimpleUploadedFile(name, data)},
    )


@pytest.mark.django_db
def test_org_board_uploads_and_sees_the_result(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.org_board)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:import_detail", args=[job.pk])

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Tạo mới: 3" in page.content.decode()
    # Finished: the status block no longer polls.
    assert 'hx-trigger="every 2s"' not in page.content.decode()

    listing = client.get(reverse("programmes:import_list"))
    assert "dang-vien.xlsx" in listing.content.decode()


@pytest.mark.django_db
def test_upload_page_documents_columns_and_offers_only_scopes_the_user_holds(client, cast):
    client.force_login(cast.org_board)
    response = client.get(reverse("programmes:import_new"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "ngay_chinh_thuc" in body and "ma_tien_than" in body and "nguoi_dung_dau" in body
    assert "Tệp tối đa 20 MB và 100.000 dòng dữ liệu" in body
    scopes = list(response.context["form"].fields["scope"].queryset)
    assert cast.ward in scopes and cast.grassroots in scopes
    assert cast.other_ward not in scopes and cast.cell_a not in scopes

    refused = post_upload(client, cast, to_xlsx(ROSTER_HEADERS, []), scope=cast.other_ward)
    assert refused.status_code == 200
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_wrong_file_type_is_shown_on_the_form(client, cast):
    client.force_login(cast.org_board)
    response = post_upload(client, cast, b"plain text", "ghi-chu.txt")
    assert response.status_code == 200
    assert ".xlsx" in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_running_job_polls_every_2s_and_htmx_gets_the_partial(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.org_board)
    with django_capture_on_commit_callbacks(execute=False):
        post_upload(client, cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    job = ImportJob.objects.get()
    url = reverse("programmes:import_detail", args=[job.pk])

    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 2s"' in page

    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.templates[0].name == "includes/import_status.html"
    assert "<html" not in partial.content.decode()


@pytest.mark.django_db
def test_errors_are_listed_and_downloadable_as_csv(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.org_board)
    rows = roster_rows(cast.cell_a.code)
    rows[1][4] = "123"
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, cast, to_csv(ROSTER_HEADERS, rows), "dang-vien.csv")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED

    page = client.get(reverse("programmes:import_detail", args=[job.pk])).content.decode()
    assert "so_cccd" in page and "12 chữ số" in page

    download = client.get(reverse("programmes:import_errors_csv", args=[job.pk]))
    assert download["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines[0] == ["Dòng", "Cột", "Lỗi"]
    assert lines[1][:2] == ["3", "so_cccd"]


@pytest.mark.django_db
def test_the_errors_csv_never_hands_a_formula_to_a_spreadsheet(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.org_board)
    hostile = '=HYPERLINK("http://example.com/lay-du-lieu";"Xem chi tiết")'
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, cast, to_csv([*ROSTER_HEADERS, hostile], roster_rows(cast.cell_a.code)), "dang-vien.csv")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED

    download = client.get(reverse("programmes:import_errors_csv", args=[job.pk]))
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    # The file's header is lower-cased on reading; it comes out as text, never as a live link.
    assert lines[1][:2] == ["1", "'" + hostile.lower()]
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


@pytest.mark.django_db
def test_template_files_have_the_documented_headers(client, cast):
    client.force_login(cast.org_board)
    csv_file = client.get(reverse("programmes:import_template", args=["roster", "csv"]))
    assert csv_file.content.decode("utf-8-sig").splitlines()[0] == ",".join([*ROSTER_HEADERS, *RESIDENCE_HEADERS])
    xlsx_file = client.get(reverse("programmes:import_template", args=["roster", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [*ROSTER_HEADERS, *RESIDENCE_HEADERS]
    assert client.get(reverse("programmes:import_template", args=["roster", "pdf"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["member", "secretary", "outsider", "head", "overseer"])
def test_people_without_the_import_right_are_refused(client, cast, persona):
    user = getattr(cast, persona)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("programmes:import_list")).status_code == 403
    assert client.get(reverse("programmes:import_new")).status_code == 403
    assert client.get(reverse("programmes:import_template", args=["roster", "csv"])).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, cast):
    for name, args in [("import_list", []), ("import_new", []), ("import_detail", [1]), ("import_errors_csv", [1])]:
        response = client.get(reverse(f"programmes:{name}", args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_staff_of_another_ward_cannot_see_this_wards_job(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.org_board)
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(client, cast, to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    job = ImportJob.objects.get()
    other_board = UserFactory(username="other_board")
    RoleAssignmentFactory(user=other_board, organisation=cast.other_ward)

    client.force_login(other_board)
    assert client.get(reverse("programmes:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("programmes:import_errors_csv", args=[job.pk])).status_code == 404
    assert "dang-vien.xlsx" not in client.get(reverse("programmes:import_list")).content.decode()


@pytest.mark.django_db
def test_admin_lists_jobs_read_only_and_uploads_through_the_service(client, cast, django_capture_on_commit_callbacks):
    admin_user = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    upload_url = reverse("admin:programmes_importjob_upload")
    assert upload_url in client.get(reverse("admin:programmes_importjob_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            upload_url,
            {
                "kind": ImportKind.ROSTER,
                "scope": cast.ward.pk,
                "file": SimpleUploadedFile("dang-vien.xlsx", to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code))),
            },
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportStatus.SUCCEEDED and job.created_by == admin_user
    assert client.get(reverse("admin:programmes_importjob_change", args=[job.pk])).status_code == 200
    assert client.get(reverse("admin:programmes_importjob_add")).status_code == 403
