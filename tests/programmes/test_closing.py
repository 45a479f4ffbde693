"""The end of term (DOMAIN 7.1): a confirmed programme closes, with a final verdict on each commitment, when its
term or its owner's post ends (the nightly job) or earlier by its confirmer; the confirmer then evaluates it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from programmes import tasks
from programmes.action_programmes.services import (
    amendment_start,
    close_ended_programmes,
    close_programme,
    closing,
    programme_confirm,
    programme_submit,
    record_end_of_term_evaluation,
    verdict_for,
)
from programmes.audit_actions import ProgrammeAction
from programmes.models import (
    ActionProgramme,
    AuditEvent,
    ClosingReason,
    Commitment,
    CommitmentTerms,
    FinalVerdict,
    Notification,
    Position,
    PostKind,
    ProgrammeState,
    ProgrammeVersion,
    ProgressStatus,
    PublicityLevel,
    VersionState,
)
from tests.programmes.closing_data import other_ward_people
from tests.programmes.programme_data import TERM_END, make_confirmed, make_draft, submit

pytestmark = pytest.mark.django_db


def close_events(programme):
    return AuditEvent.objects.filter(action=ProgrammeAction.CLOSE, object_id=str(programme.pk))


def commitments_of(programme):
    return list(Commitment.objects.filter(terms__version=programme.current_version_id).order_by("terms__position"))


def terms(target="100", baseline="80", deliverable=False):
    return CommitmentTerms(
        target_value=Decimal(target) if target is not None else None,
        baseline_value=Decimal(baseline) if baseline is not None else None,
        is_deliverable=deliverable,
    )


@pytest.mark.parametrize(
    ("item", "status", "value", "verdict"),
    [
        (terms(), ProgressStatus.EXCEEDED, None, FinalVerdict.EXCEEDED),
        (terms(), ProgressStatus.ON_TRACK, Decimal("105"), FinalVerdict.EXCEEDED),
        (terms(), ProgressStatus.DONE, Decimal("100"), FinalVerdict.MET),
        (terms(), ProgressStatus.DONE, None, FinalVerdict.MET),
        (terms(), ProgressStatus.ON_TRACK, Decimal("100"), FinalVerdict.MET),
        (terms(), ProgressStatus.AT_RISK, Decimal("80"), FinalVerdict.PARTLY),
        (terms(), ProgressStatus.NOT_STARTED, Decimal("90"), FinalVerdict.PARTLY),
        (terms(), ProgressStatus.NOT_STARTED, None, FinalVerdict.NOT_MET),
        (terms(), ProgressStatus.DROPPED, Decimal("80"), FinalVerdict.NOT_MET),
        # A target that goes down: fewer is better.
        (terms(target="5", baseline="20"), ProgressStatus.NOT_STARTED, Decimal("3"), FinalVerdict.EXCEEDED),
        (terms(target="5", baseline="20"), ProgressStatus.NOT_STARTED, Decimal("10"), FinalVerdict.PARTLY),
        (terms(target="5", baseline="20"), ProgressStatus.NOT_STARTED, Decimal("25"), FinalVerdict.NOT_MET),
        # A deliverable is judged by its status alone.
        (terms(None, None, deliverable=True), ProgressStatus.DONE, None, FinalVerdict.MET),
        (terms(None, None, deliverable=True), ProgressStatus.NOT_STARTED, None, FinalVerdict.NOT_MET),
    ],
)
def test_one_rule_gives_each_commitment_its_verdict_from_its_progress(item, status, value, verdict):
    assert verdict_for(item, status, value) == verdict


def test_the_confirmer_closes_early_and_each_commitment_gets_its_verdict_once(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    first, second = commitments_of(programme)
    Commitment.objects.filter(pk=first.pk).update(status=ProgressStatus.DONE, value_reached=Decimal("100"))
    Commitment.objects.filter(pk=second.pk).update(status=ProgressStatus.AT_RISK, value_reached=Decimal("85"))

    close_programme(cast.secretary.user, programme, ClosingReason.LEFT_POST)
    close_programme(cast.secretary.user, programme, ClosingReason.OTHER, note="Lần thứ hai")

    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CLOSED
    assert programme.closed_reason == ClosingReason.LEFT_POST
    assert programme.closed_at is not None
    assert [c.final_verdict for c in commitments_of(programme)] == [FinalVerdict.MET, FinalVerdict.PARTLY]
    (event,) = close_events(programme)
    assert event.actor == cast.secretary.user
    assert event.after["closed_reason"] == ClosingReason.LEFT_POST
    assert sorted(event.after["verdicts"].values()) == [FinalVerdict.MET, FinalVerdict.PARTLY]
    assert Notification.objects.filter(recipient=cast.member.user, subject__contains="đã kết thúc").count() == 1


def test_another_reason_must_say_what_it_is(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)

    with pytest.raises(ValidationError) as refused:
        close_programme(cast.secretary.user, programme, ClosingReason.OTHER, note="  ")
    assert "hãy ghi rõ lý do" in str(refused.value)

    close_programme(cast.secretary.user, programme, ClosingReason.OTHER, note="Chuyển công tác ra khỏi phường")
    programme.refresh_from_db()
    assert (programme.closed_reason, programme.closed_note) == (ClosingReason.OTHER, "Chuyển công tác ra khỏi phường")


@pytest.mark.parametrize("who", ["member", "outsider", "head", "org_board", "other_secretary", "other_staff"])
def test_only_the_confirmer_closes(cast, who):
    programme = make_confirmed(cast.member, cast.secretary.user)
    other_secretary, other_staff = other_ward_people(cast)
    users = {
        "member": cast.member.user,
        "outsider": cast.outsider.user,
        "head": cast.head.user,
        "org_board": cast.org_board,
        "other_secretary": other_secretary,
        "other_staff": other_staff,
    }

    with pytest.raises(PermissionDenied):
        close_programme(users[who], programme, ClosingReason.LEFT_POST)

    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CONFIRMED
    assert not close_events(programme).exists()


def test_a_programme_not_yet_confirmed_is_not_closed(cast):
    draft = make_draft(cast.member)
    with pytest.raises(ValidationError):
        close_programme(None, draft, ClosingReason.TERM_ENDED)
    submitted = make_draft(cast.member, title="Chương trình thứ hai")
    submit(submitted)
    with pytest.raises(ValidationError):
        close_programme(None, submitted, ClosingReason.TERM_ENDED)

    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert (draft.state, submitted.state) == (ProgrammeState.DRAFT, ProgrammeState.SUBMITTED)
    assert not AuditEvent.objects.filter(action=ProgrammeAction.CLOSE).exists()


def test_the_nightly_job_closes_ended_terms_and_ended_posts_once_however_often_it_runs(cast):
    ended_term = make_confirmed(cast.member, cast.secretary.user)
    post = Position.objects.create(
        cadre=cast.member,
        post_kind=PostKind.GOVERNMENT,
        title="Tổ trưởng tổ dân phố",
        start_date=datetime.date(2025, 1, 1),
    )
    left_post = make_confirmed(cast.member, cast.secretary.user, title="Chương trình khi giữ chức vụ")
    left_post.position = post
    left_post.term_end = datetime.date(2027, 12, 31)
    left_post.save(update_fields=["position", "term_end"])
    post.end_date = datetime.date(2027, 3, 31)
    post.save(update_fields=["end_date"])
    still_running = make_confirmed(cast.member, cast.secretary.user, title="Chương trình còn hạn")
    still_running.term_end = datetime.date(2027, 12, 31)
    still_running.save(update_fields=["term_end"])
    draft = make_draft(cast.outsider, title="Bản nháp quá hạn")
    day = datetime.date(2027, 4, 2)
    assert day > TERM_END

    first = close_ended_programmes(day)
    second = close_ended_programmes(day)

    assert first == {ClosingReason.TERM_ENDED: 1, ClosingReason.LEFT_POST: 1, ClosingReason.OTHER: 0, "failed": 0}
    assert second == {ClosingReason.TERM_ENDED: 0, ClosingReason.LEFT_POST: 0, ClosingReason.OTHER: 0, "failed": 0}
    for programme, reason in ((ended_term, ClosingReason.TERM_ENDED), (left_post, ClosingReason.LEFT_POST)):
        programme.refresh_from_db()
        assert (programme.state, programme.closed_reason) == (ProgrammeState.CLOSED, reason)
        (event,) = close_events(programme)
        assert event.actor is None and event.actor_repr == "system"
    still_running.refresh_from_db()
    draft.refresh_from_db()
    assert (still_running.state, draft.state) == (ProgrammeState.CONFIRMED, ProgrammeState.DRAFT)


def test_the_task_runs_the_sweep_and_is_scheduled_every_night(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    counts = tasks.close_ended_programmes.apply().get()

    programme.refresh_from_db()
    # Closed by the task exactly when its term ended before the day the test runs.
    ended = programme.term_end < timezone.localdate()
    assert counts[ClosingReason.TERM_ENDED] == int(ended)
    assert (programme.state == ProgrammeState.CLOSED) is ended
    schedule = PeriodicTask.objects.get(task="programmes.tasks.close_ended_programmes")
    assert (schedule.crontab.hour, schedule.crontab.minute) == ("0", "30")


def test_the_confirmer_records_the_evaluation_and_may_change_a_verdict(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    first, second = commitments_of(programme)
    with pytest.raises(ValidationError):
        record_end_of_term_evaluation(
            programme=programme, conclusion="Sớm quá", verdicts={}, acting_user=cast.secretary.user
        )
    close_programme(None, programme, ClosingReason.TERM_ENDED)

    with pytest.raises(PermissionDenied):
        record_end_of_term_evaluation(
            programme=programme, conclusion="Tự đánh giá", verdicts={}, acting_user=cast.member.user
        )
    with pytest.raises(ValidationError) as refused:
        record_end_of_term_evaluation(programme=programme, conclusion=" ", verdicts={}, acting_user=cast.secretary.user)
    assert "kết luận" in str(refused.value)
    record_end_of_term_evaluation(
        programme=programme,
        conclusion="Hoàn thành tốt nhiệm vụ",
        verdicts={first.pk: (FinalVerdict.PARTLY, "Thiếu biên bản nghiệm thu")},
        acting_user=cast.secretary.user,
    )

    programme.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert programme.final_conclusion == "Hoàn thành tốt nhiệm vụ"
    assert programme.evaluated_by == cast.secretary.user and programme.evaluated_at is not None
    assert (first.final_verdict, first.final_note) == (FinalVerdict.PARTLY, "Thiếu biên bản nghiệm thu")
    assert second.final_verdict == FinalVerdict.NOT_MET
    event = AuditEvent.objects.get(action=ProgrammeAction.EVALUATE)
    assert event.before is not None and event.after is not None
    assert event.before["verdicts"][str(first.reference)] == [FinalVerdict.NOT_MET, ""]
    assert event.after["verdicts"][str(first.reference)] == [FinalVerdict.PARTLY, "Thiếu biên bản nghiệm thu"]


def test_closing_withdraws_the_pending_amendment_so_that_nothing_puts_the_programme_back_in_force(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    amendment = submit(programme, number=2)

    close_programme(cast.secretary.user, programme, ClosingReason.OTHER, note="Chuyển công tác")

    amendment.refresh_from_db()
    assert amendment.state == VersionState.WITHDRAWN
    withdrawal = AuditEvent.objects.get(action=ProgrammeAction.WITHDRAW, object_id=str(amendment.pk))
    assert withdrawal.actor == cast.secretary.user
    assert withdrawal.after is not None and withdrawal.after["because"] == "programme_closed"
    notice = Notification.objects.filter(recipient=cast.member.user).latest("pk")
    assert "Bản điều chỉnh chưa được xác nhận đã được rút." in notice.body
    # Neither the confirmer nor the owner can bring the closed programme back.
    with pytest.raises(ValidationError, match="không ở trạng thái chờ xác nhận"):
        programme_confirm(version=amendment, publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user)
    with pytest.raises(ValidationError, match="Chỉ điều chỉnh được chương trình đã được xác nhận và đang thực hiện"):
        amendment_start(programme=programme, reason="Sửa lại", acting_user=cast.member.user)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CLOSED


def test_a_version_of_a_closed_programme_is_neither_sent_nor_confirmed(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    amendment_start(programme=programme, reason="Đổi chỉ tiêu", acting_user=cast.member.user)
    draft = programme.versions.get(number=2)
    amendment = submit(programme, number=2)
    # A closed programme whose pending version escaped the withdrawal (written before this rule): refused all the same.
    ActionProgramme.objects.filter(pk=programme.pk).update(state=ProgrammeState.CLOSED)
    with pytest.raises(ValidationError, match="Chương trình đã kết thúc; không sửa, gửi hay xác nhận thêm được"):
        programme_confirm(version=amendment, publicity_max=PublicityLevel.PUBLIC, acting_user=cast.secretary.user)
    ProgrammeVersion.objects.filter(pk=draft.pk).update(state=VersionState.DRAFT)
    with pytest.raises(ValidationError, match="Chương trình đã kết thúc"):
        programme_submit(version=draft, acting_user=cast.member.user)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.CLOSED


def test_a_programme_that_cannot_close_does_not_keep_the_others_open(cast, monkeypatch, caplog):
    broken = make_confirmed(cast.member, cast.secretary.user, title="Chương trình có dữ liệu hỏng")
    others = [make_confirmed(cast.member, cast.secretary.user, title=f"Chương trình {n}") for n in range(2)]
    real_close = closing.close_programme

    def close_failing_for_one(acting_user, programme, reason, **options):
        if programme.pk == broken.pk:
            raise ValidationError("Nội dung riêng của chương trình hỏng")
        return real_close(acting_user, programme, reason, **options)

    monkeypatch.setattr(closing, "close_programme", close_failing_for_one)
    counts = close_ended_programmes(datetime.date(2027, 4, 2))

    assert counts[ClosingReason.TERM_ENDED] == 2 and counts["failed"] == 1
    for programme in others:
        programme.refresh_from_db()
        assert programme.state == ProgrammeState.CLOSED
    broken.refresh_from_db()
    assert broken.state == ProgrammeState.CONFIRMED
    assert f"nightly close of programme {broken.pk} failed: ValidationError" in caplog.text
    assert "Nội dung riêng" not in caplog.text
