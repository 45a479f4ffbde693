"""A form sent twice stores one record: the citizen's feedback and the cadre's progress report carry a one-time key,
made when the page is shown, and the second sending gets the same answer as the first instead of a second record.
"""

import importlib
import re
import threading
import time
import uuid
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from programmes.action_programmes.progress import progress_report
from programmes.models import AuditEvent, Evidence, Notification, ProgressReport, ProgressStatus
from publicity.models import FeedbackCase, FeedbackContact
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_progress_views import first_commitment, pdf_upload, progress_url, version_in_force
from tests.publicity.feedback_data import SENDER, send
from tests.publicity.public_data import make_public

# A unique key and a row lock behave differently on each database: every test here runs on PostgreSQL too.
pytestmark = pytest.mark.postgres
SECOND_WAIT = 0.5
_confirmer_rules = importlib.import_module("programmes.migrations.0005_default_confirmer_rules")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def migrated_rows(transactional_db: None) -> None:
    """What the migrations put in place: an earlier transactional test's flush may have emptied it."""
    _confirmer_rules.add_rules(django_apps, None)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, f"the form carries {name}"
    return found.group(1)


def feedback_form(client: Client, programme) -> tuple[str, dict[str, str]]:
    """The page's address and what a person sends from it: their text, the answer to its question, its key."""
    address = reverse("publicity:feedback_new", args=[programme.pk])
    page = client.get(address).text
    question = re.search(r"(\d+) cộng (\d+) bằng bao nhiêu", page)
    assert question
    return address, {
        "kind": "suggestion",
        "commitment": "",
        "text": "Đề nghị công khai lịch tiếp dân.",
        "challenge": hidden(page, "challenge"),
        "answer": str(int(question.group(1)) + int(question.group(2))),
        "submission_key": hidden(page, "submission_key"),
        **SENDER,
    }


def in_another_connection(work, results: list[Any]) -> threading.Thread:
    """Run `work` in a thread, with its own database connection (as a second request has)."""

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


# --- Citizen feedback -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_feedback_page_sent_twice_stores_one_case_and_answers_both_alike(cast):
    programme = make_public(cast.member, cast.secretary.user)
    client = Client()
    address, data = feedback_form(client, programme)

    first = client.post(address, data, REMOTE_ADDR="192.0.2.44")
    notifications = Notification.objects.count()
    second = client.post(address, data, REMOTE_ADDR="192.0.2.44")

    case = FeedbackCase.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("publicity:track_case", args=[case.tracking_code])
    assert "Đã gửi. Xin cảm ơn bạn." in client.get(second["Location"]).text
    assert FeedbackContact.objects.count() == 1
    assert AuditEvent.objects.filter(action="feedback.submit").count() == 1
    # The oversight body heard of it once.
    assert notifications >= 1 and Notification.objects.count() == notifications


@pytest.mark.django_db
def test_each_showing_of_the_page_is_a_new_key(cast):
    programme = make_public(cast.member, cast.secretary.user)
    client = Client()
    first_address, first = feedback_form(client, programme)
    second_address, second = feedback_form(client, programme)
    assert first["submission_key"] != second["submission_key"]
    client.post(first_address, first, REMOTE_ADDR="192.0.2.44")
    client.post(second_address, second, REMOTE_ADDR="192.0.2.44")
    assert FeedbackCase.objects.count() == 2


@pytest.mark.django_db
def test_a_used_key_sent_with_other_text_is_refused_not_stored(cast):
    programme = make_public(cast.member, cast.secretary.user)
    client = Client()
    address, data = feedback_form(client, programme)
    client.post(address, data, REMOTE_ADDR="192.0.2.44")

    changed = client.post(address, {**data, "text": "Một nội dung khác hẳn."}, REMOTE_ADDR="192.0.2.44")

    assert changed.status_code == 400
    assert "Biểu mẫu này đã được gửi một lần." in changed.text
    assert FeedbackCase.objects.count() == 1


@pytest.mark.django_db
def test_a_used_key_sent_about_another_commitment_or_kind_is_refused(cast):
    programme = make_public(cast.member, cast.secretary.user)
    key = uuid.uuid4()
    send(programme, submission_key=key, kind="report")
    with pytest.raises(ValidationError, match="Biểu mẫu này đã được gửi một lần"):
        send(programme, submission_key=key, kind="suggestion")
    version = programme.current_version
    assert version is not None
    first_terms = version.terms.order_by("position").first()
    assert first_terms is not None
    with pytest.raises(ValidationError, match="Biểu mẫu này đã được gửi một lần"):
        send(programme, submission_key=key, kind="report", commitment=first_terms.commitment)
    assert FeedbackCase.objects.count() == 1


@pytest.mark.django_db
def test_the_service_returns_the_stored_case_for_a_key_it_has_seen(cast):
    programme = make_public(cast.member, cast.secretary.user)
    key = uuid.uuid4()
    assert send(programme, submission_key=key) == send(programme, submission_key=key)
    assert FeedbackCase.objects.get().submission_key == key


@pytest.mark.django_db(transaction=True)
def test_feedback_sent_twice_at_the_same_moment_is_stored_once(migrated_rows, cast):
    """The second sending checks before the first has committed, finds nothing, and inserts: the unique key makes
    it wait for the first, and it answers with the first one's case."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    programme = make_public(cast.member, cast.secretary.user)
    key = uuid.uuid4()
    results: list[Any] = []
    with transaction.atomic():
        first = send(programme, submission_key=key)
        second = in_another_connection(lambda: send(programme, submission_key=key), results)
        # The other sending is now waiting on the key this one holds, uncommitted.
        time.sleep(SECOND_WAIT)
        assert second.is_alive()
    second.join(10)

    assert results == [first]
    assert FeedbackCase.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_posting_the_same_feedback_page_at_once_store_one_case(migrated_rows, cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    programme = make_public(cast.member, cast.secretary.user)
    address, data = feedback_form(Client(), programme)
    start = threading.Barrier(2)
    results: list[Any] = []

    def post() -> Any:
        client = Client()
        start.wait(10)
        return client.post(address, data, REMOTE_ADDR="192.0.2.44")

    threads = [in_another_connection(post, results) for _thread in range(2)]
    for thread in threads:
        thread.join(30)

    case = FeedbackCase.objects.get()
    assert sorted(response.status_code for response in results) == [302, 302]
    assert {response["Location"] for response in results} == {
        reverse("publicity:track_case", args=[case.tracking_code])
    }


# --- Progress reports -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_progress_page_sent_twice_stores_one_report_and_one_file(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    client = Client()
    client.force_login(cast.member.user)
    key = hidden(client.get(progress_url(programme, commitment)).text, "submission_key")
    data = {
        "status": ProgressStatus.DONE,
        "value_reached": "100",
        "note": "Đã xong",
        "links": "",
        "submission_key": key,
    }

    first = client.post(progress_url(programme, commitment), {**data, "evidence_files": [pdf_upload()]})
    second = client.post(progress_url(programme, commitment), {**data, "evidence_files": [pdf_upload()]})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    report = ProgressReport.objects.get()
    assert report.submission_key == uuid.UUID(key)
    assert Evidence.objects.count() == 1
    assert AuditEvent.objects.filter(action="progress.report").count() == 1
    # The page the person lands on shows the one report, recorded once, and says the second sending added nothing.
    page = client.get(second["Location"]).text
    assert page.count("Đã ghi báo cáo tiến độ") == 1
    assert "đã được ghi từ lần gửi trước; không ghi thêm lần nữa." in page


@pytest.mark.django_db
def test_a_progress_page_sent_again_with_another_status_is_refused_not_stored(cast):
    """The page sent again after changing it (the browser's Back, another choice): the earlier report is not quietly
    shown as if it were this one; the person is told to open the page again, and nothing more is stored."""
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    key = uuid.uuid4()
    progress_report(
        commitment=commitment, status=ProgressStatus.ON_TRACK, acting_user=cast.member.user, submission_key=key
    )
    with pytest.raises(ValidationError, match="Hãy mở lại trang báo cáo để gửi báo cáo mới"):
        progress_report(
            commitment=commitment, status=ProgressStatus.AT_RISK, acting_user=cast.member.user, submission_key=key
        )
    assert ProgressReport.objects.get().status == ProgressStatus.ON_TRACK


@pytest.mark.django_db
def test_another_persons_progress_key_is_refused(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    key = uuid.uuid4()
    progress_report(
        commitment=commitment, status=ProgressStatus.ON_TRACK, acting_user=cast.member.user, submission_key=key
    )
    with pytest.raises(PermissionDenied):
        progress_report(
            commitment=commitment, status=ProgressStatus.ON_TRACK, acting_user=cast.secretary.user, submission_key=key
        )
    assert ProgressReport.objects.count() == 1


@pytest.mark.django_db
def test_a_progress_key_used_on_another_commitment_is_refused(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    first, second = (terms.commitment for terms in version_in_force(programme).terms.order_by("position"))
    key = uuid.uuid4()
    progress_report(commitment=first, status=ProgressStatus.ON_TRACK, acting_user=cast.member.user, submission_key=key)
    with pytest.raises(ValidationError, match="Biểu mẫu này đã được gửi một lần"):
        progress_report(
            commitment=second, status=ProgressStatus.ON_TRACK, acting_user=cast.member.user, submission_key=key
        )
    assert ProgressReport.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_progress_report_sent_twice_at_the_same_moment_is_stored_once(migrated_rows, cast):
    """The second sending waits for the commitment the first has locked, then finds the first one's report."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = first_commitment(programme)
    key = uuid.uuid4()

    def report() -> ProgressReport:
        return progress_report(
            commitment=commitment, status=ProgressStatus.ON_TRACK, acting_user=cast.member.user, submission_key=key
        )

    results: list[Any] = []
    with transaction.atomic():
        first = report()
        second = in_another_connection(report, results)
        time.sleep(SECOND_WAIT)
        assert second.is_alive()
    second.join(10)

    assert results == [first]
    assert ProgressReport.objects.count() == 1
