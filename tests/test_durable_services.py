"""The services that must be the outermost transaction (atomic(durable=True)): views, tasks and management commands
call them outside any transaction, and they must have committed when they return (they queue work through the
outbox, send or show something, or their caller goes on as if they had). Each refuses to run inside another
transaction rather than leave its change to be committed, or rolled back, by someone else.

The demo seeding writes everything in one transaction, so it must call none of them: the last tests check that.

Each case arranges real data (the cast, the factories, the services' own test helpers) and returns the call; the call
is made inside a transaction of the test's own, where it must refuse. A service made plain again would run instead
(or refuse for another reason), and its case would fail.
"""

import ast
import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

import demo
from demo.seed import seed_demo
from programmes import privacy
from programmes.accounts import passwords, second_factor
from programmes.action_programmes import notifications, publication
from programmes.exports import services as exports
from programmes.importing import services as importing
from programmes.models import ImportJob, ImportKind, Notification
from publicity import follow
from publicity.follow.tokens import confirm_token, unsubscribe_token
from publicity.models import FollowSubscription
from reviews import services as review_services
from reviews.models import InputSource, RatingLevel, ReportKind, Review, ReviewPeriod, ReviewState
from reviews.reports import batches
from reviews.reports.produce import report_produce
from tests.programmes.import_files import ROSTER_HEADERS, to_csv, to_xlsx
from tests.programmes.programme_data import make_confirmed
from tests.programmes.test_import_roster import roster_rows
from tests.programmes.test_retention import import_job
from tests.programmes.test_second_factor import code, enrol
from tests.publicity.public_data import make_public
from tests.reviews.bulk_data import bulk_cell, cell_meeting, decision_row, proposal_row, propose_all
from tests.reviews.review_data import final_review, open_period, propose, ward_committee_member, write_and_submit

pytestmark = pytest.mark.django_db

Call = Callable[[], object]
Arrange = Callable[[Any], Call]
DURABLE: dict[str, Arrange] = {}


def durable(name: str) -> Callable[[Arrange], Arrange]:
    """Register the case of the service `name` (module.function, as the import path reads)."""

    def register(arrange: Arrange) -> Arrange:
        DURABLE[name] = arrange
        return arrange

    return register


def a_period(cast: Any) -> ReviewPeriod:
    """The ward's period, opened once the member's programme was confirmed (her review has commitments)."""
    make_confirmed(cast.member, cast.secretary.user)
    return open_period(cast.ward, cast.org_board)


def members_review(cast: Any) -> Review:
    return Review.objects.get(period=a_period(cast), cadre=cast.member)


# --- Programmes: retention, imports, accounts, publicity, e-mail --------------------------------------------------


@durable("programmes.privacy._delete_in_batches")
def _retention_batch(cast: Any) -> Call:
    old = Notification.objects.create(recipient=cast.member.user, subject="Thông báo cũ")
    return lambda: privacy._delete_in_batches(Notification.objects.filter(pk=old.pk))


@durable("programmes.privacy._expire_import_files")
def _expired_import_file(cast: Any) -> Call:
    import_job(cast, 40)
    return lambda: privacy._expire_import_files(timezone.now() - datetime.timedelta(days=30))


@durable("programmes.exports.services.export_job_request")
def _export_request(cast: Any) -> Call:
    return lambda: exports.export_job_request(list_key="programmes", parameters={}, acting_user=cast.head.user)


@durable("programmes.importing.services.import_run")
def _import(cast: Any) -> Call:
    data = to_csv(ROSTER_HEADERS, roster_rows(cast.cell_a.code))
    return lambda: importing.import_file(
        kind=ImportKind.ROSTER, source=io.BytesIO(data), name="dang-vien.csv", acting_user=None
    )


@durable("programmes.importing.services.import_job_submit")
def _import_submission(cast: Any) -> Call:
    upload = SimpleUploadedFile("dang-vien.xlsx", to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    return lambda: importing.import_job_submit(
        kind=ImportKind.ROSTER, uploaded_file=upload, scope=cast.ward, acting_user=cast.org_board
    )


@durable("programmes.importing.services._park")
def _parked_import(cast: Any) -> Call:
    upload = SimpleUploadedFile("dang-vien.xlsx", to_xlsx(ROSTER_HEADERS, roster_rows(cast.cell_a.code)))
    job = importing.import_job_submit(
        kind=ImportKind.ROSTER, uploaded_file=upload, scope=cast.ward, acting_user=cast.org_board
    )
    # Workers killed mid-import as often as allowed: the next delivery parks the job.
    ImportJob.objects.filter(pk=job.pk).update(attempts=settings.IMPORT_MAX_ATTEMPTS)
    return lambda: importing.import_job_run(job_id=job.pk)


@durable("programmes.accounts.passwords.password_reset")
def _password_reset(cast: Any) -> Call:
    return lambda: passwords.password_reset(user=cast.member.user, new_password="Mat-khau-moi-2026!")


@durable("programmes.accounts.passwords.reset_request_record")
def _reset_request(cast: Any) -> Call:
    return lambda: passwords.reset_request_record(users=[cast.member.user])


@durable("programmes.accounts.second_factor.totp_enable")
def _second_factor_on(cast: Any) -> Call:
    key = second_factor.new_key()
    user = cast.org_board
    return lambda: second_factor.totp_enable(user=user, key=key, token=code(key), acting_user=user)


@durable("programmes.accounts.second_factor.totp_disable")
def _second_factor_off(cast: Any) -> Call:
    user = cast.org_board
    _key, recovery_codes = enrol(user)
    return lambda: second_factor.totp_disable(user=user, token=recovery_codes[0], acting_user=user)


@durable("programmes.accounts.second_factor.recovery_codes_regenerate")
def _new_recovery_codes(cast: Any) -> Call:
    user = cast.org_board
    enrol(user)
    return lambda: second_factor.recovery_codes_regenerate(user=user, acting_user=user)


@durable("programmes.action_programmes.publication.consent_withdraw")
def _consent_withdrawn(cast: Any) -> Call:
    programme = make_public(cast.member, cast.secretary.user)
    return lambda: publication.consent_withdraw(programme=programme, acting_user=cast.member.user)


@durable("programmes.action_programmes.notifications.notification_email_send")
def _notification_email(cast: Any) -> Call:
    sent = Notification.objects.create(recipient=cast.member.user, subject="Thông báo", body="Nội dung")
    return lambda: notifications.notification_email_send(notification_id=sent.pk)


# --- Reviews: appeals, returns, prompts and inputs, closing; reports ------------------------------------------------


@durable("reviews.services.appeals.appeal_file")
def _appeal(cast: Any) -> Call:
    review = final_review(cast)
    return lambda: review_services.appeal_file(review=review, text="Đề nghị xem xét lại.", acting_user=cast.member.user)


@durable("reviews.services.appeals.appeal_resolve")
def _appeal_resolved(cast: Any) -> Call:
    review = final_review(cast)
    resolver = ward_committee_member(cast)
    filed = review_services.appeal_file(review=review, text="Đề nghị xem xét lại.", acting_user=cast.member.user)
    return lambda: review_services.appeal_resolve(
        appeal=filed, upheld=True, resolution="Giữ nguyên kết quả.", acting_user=resolver
    )


@durable("reviews.services.appeals.review_reclassify")
def _reclassified(cast: Any) -> Call:
    review = final_review(cast)
    ward_member = ward_committee_member(cast)
    return lambda: review_services.review_reclassify(
        review=review, level=RatingLevel.COMPLETED, reason="Kết quả kiểm tra của phường.", acting_user=ward_member
    )


@durable("reviews.services.decision.decision_return")
def _proposal_returned(cast: Any) -> Call:
    review = members_review(cast)
    write_and_submit(review)
    propose(review, cast.secretary.user)
    return lambda: review_services.decision_return(
        review=review, reason="Chi bộ xem lại điểm.", acting_user=cast.committee_staff.user
    )


@durable("reviews.services.inputs.prompt_add")
def _prompt(cast: Any) -> Call:
    review = members_review(cast)
    return lambda: review_services.prompt_add(
        review=review, text="Làm rõ việc chậm hồ sơ.", acting_user=cast.secretary.user
    )


@durable("reviews.services.inputs.input_add")
def _review_input(cast: Any) -> Call:
    review = members_review(cast)
    return lambda: review_services.input_add(
        review=review,
        source=InputSource.RESIDENCE_CELL,
        author="Chi ủy Chi bộ Khu phố 3",
        text="Gương mẫu nơi cư trú.",
        acting_user=cast.secretary.user,
    )


@durable("reviews.services.periods.period_close")
def _period_closed(cast: Any) -> Call:
    period = a_period(cast)
    period.reviews.update(state=ReviewState.FINAL, final_level=RatingLevel.GOOD)
    return lambda: review_services.period_close(period=period, acting_user=cast.org_board)


@durable("reviews.reports.batches.batch_create")
def _batch(cast: Any) -> Call:
    period = a_period(cast)
    return lambda: batches.batch_create(
        period=period, scope=cast.ward, items=[(ReportKind.CELL_SUMMARY, cast.cell_a.pk)], acting_user=cast.org_board
    )


def _batch_item(cast: Any) -> int:
    batch = batches.batch_create(
        period=a_period(cast), scope=cast.ward, items=[(ReportKind.CELL_SUMMARY, cast.cell_a.pk)], acting_user=None
    )
    return batch.items.get().pk


@durable("reviews.reports.batches.batch_item_run")
def _batch_item_run(cast: Any) -> Call:
    item_id = _batch_item(cast)
    return lambda: batches.batch_item_run(item_id)


@durable("reviews.reports.batches.batch_item_fail")
def _batch_item_fail(cast: Any) -> Call:
    item_id = _batch_item(cast)
    return lambda: batches.batch_item_fail(item_id, "RuntimeError: hết bộ nhớ")


@durable("reviews.reports.batches.batch_items_requeue")
def _batch_items_requeue(cast: Any) -> Call:
    _batch_item(cast)
    return lambda: batches.batch_items_requeue(datetime.timedelta(0))


@durable("reviews.reports.produce.report_produce")
def _report(cast: Any) -> Call:
    programme = make_confirmed(cast.member, cast.secretary.user)
    return lambda: report_produce(ReportKind.PROGRAMME, programme.pk)


# --- Citizens following by e-mail ----------------------------------------------------------------------------------


def _followed(cast: Any) -> follow.Followed:
    return follow.Followed.programme(make_public(cast.member, cast.secretary.user))


def _follower(cast: Any) -> FollowSubscription:
    follow.follow_request(
        followed=_followed(cast), email="ban.doc@example.vn", language="vi", source_address="192.0.2.9"
    )
    return FollowSubscription.objects.get()


@durable("publicity.follow.subscription.follow_request")
def _follow_request(cast: Any) -> Call:
    followed = _followed(cast)
    return lambda: follow.follow_request(
        followed=followed, email="ban.doc@example.vn", language="vi", source_address="192.0.2.9"
    )


@durable("publicity.follow.subscription.follow_confirm")
def _follow_confirm(cast: Any) -> Call:
    token = confirm_token(_follower(cast).pk)
    return lambda: follow.follow_confirm(token=token)


@durable("publicity.follow.subscription.follow_cancel")
def _follow_cancel(cast: Any) -> Call:
    token = unsubscribe_token(_follower(cast).pk)
    return lambda: follow.follow_cancel(token=token)


@durable("publicity.follow.purge.follows_purge")
def _follows_purge(cast: Any) -> Call:
    return follow.follows_purge


@durable("reviews.services.bulk.cell_proposals_record")
def _cell_proposals(cast: Any) -> Call:
    cell = bulk_cell(cast, 3)
    meeting = cell_meeting(cell)
    rows = [proposal_row(review) for review in cell.reviews if review.cadre.user_id != cell.secretary.pk]
    return lambda: review_services.cell_proposals_record(
        period=cell.period, place=cell.cell, meeting=meeting, rows=rows, acting_user=cell.secretary
    )


@durable("reviews.services.bulk.cell_decisions_make")
def _cell_decisions(cast: Any) -> Call:
    cell = bulk_cell(cast, 3)
    propose_all(cell)
    rows = [decision_row(review) for review in cell.reviews]
    return lambda: review_services.cell_decisions_make(
        period=cell.period, place=cell.cell, rows=rows, acting_user=cast.committee_staff.user
    )


@durable("reviews.services.bulk.cell_decisions_confirm")
def _cell_confirmations(cast: Any) -> Call:
    cell = bulk_cell(cast, 3)
    propose_all(cell)
    decisions = review_services.cell_decisions_make(
        period=cell.period,
        place=cell.cell,
        rows=[decision_row(review) for review in cell.reviews],
        acting_user=cast.committee_staff.user,
    )
    rows = [
        review_services.ConfirmationRow(
            decision=decision,
            grounds="Hoàn thành vượt chỉ tiêu.",
            assessment_ids=list(decision.review.assessments.values_list("pk", flat=True)[:1]),
        )
        for decision in decisions
    ]
    return lambda: review_services.cell_decisions_confirm(
        period=cell.period, place=cell.cell, rows=rows, acting_user=cast.head.user
    )


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("name", sorted(DURABLE))
def test_the_service_refuses_to_run_inside_another_transaction(cast: Any, name: str) -> None:
    call = DURABLE[name](cast)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        call()


def _names_used(package: Path) -> set[str]:
    """Every name the package's code mentions: a bare name, an attribute, an imported name."""
    used: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.alias):
                used.add(node.name.rpartition(".")[2])
    return used


def test_the_demo_code_names_no_durable_service() -> None:
    durable_names = {name.rpartition(".")[2] for name in DURABLE}
    assert not durable_names & _names_used(Path(demo.__file__).parent)


def test_the_demo_seeding_reaches_no_durable_service_on_its_way() -> None:
    """seed_demo runs in one transaction: a durable block anywhere under it, through another service, would
    refuse. It runs here in the test's transaction, as the demo tests run it."""
    tally = seed_demo("mat-khau-demo")
    assert sum(tally.created.values()) > 0
    assert ReviewPeriod.objects.exists()
