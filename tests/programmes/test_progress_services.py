"""Progress reports and their evidence: all or nothing, files checked by content, and the figures the pages show."""

import datetime
import hashlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from programmes.action_programmes import services
from programmes.action_programmes.evidence import check_link, check_upload
from programmes.action_programmes.progress import programme_progress, progress_report
from programmes.action_programmes.selectors import terms_prefetch
from programmes.models import (
    ActionProgramme,
    AuditEvent,
    Commitment,
    Evidence,
    Occasion,
    ProgrammeVersion,
    ProgressReport,
    ProgressStatus,
    PublicityLevel,
)
from tests.programmes.programme_data import commitment_content, make_draft, submit

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
LINK = "https://phuongbenthanh.hochiminhcity.gov.vn/bao-cao-quy-1"


def zip_bytes(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<xml/>")
    return buffer.getvalue()


DOCX_BYTES = zip_bytes("[Content_Types].xml", "word/document.xml")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def confirmed_now(cast) -> ActionProgramme:
    """Alice's programme around today: commitment 1 (weight 60) is past its deadline, commitment 2 (40) is not."""
    today = timezone.localdate()
    user = cast.member.user
    programme = services.programme_create(
        owner=cast.member,
        occasion=Occasion.NEW_DUTY,
        title="Chương trình hành động năm nay",
        position=None,
        term_start=today - datetime.timedelta(days=200),
        term_end=today + datetime.timedelta(days=200),
        acting_user=user,
    )
    version = programme.versions.get()
    for number, weight, days in ((1, 60, -10), (2, 40, 10)):
        deadline = today + datetime.timedelta(days=days)
        services.commitment_add(
            version=version, content=commitment_content(number, weight=weight, deadline=deadline), acting_user=user
        )
    submit(programme)
    services.programme_confirm(version=version, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    programme.refresh_from_db()
    return programme


def commitment(programme: ActionProgramme, position: int) -> Commitment:
    assert programme.current_version is not None
    return programme.current_version.terms.get(position=position).commitment


def report(cast, target: Commitment, status: str = ProgressStatus.ON_TRACK, **options) -> ProgressReport:
    return progress_report(commitment=target, status=status, acting_user=cast.member.user, **options)


# --- Statuses that need something ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ProgressStatus.DONE, ProgressStatus.EXCEEDED])
def test_done_or_exceeded_without_evidence_is_refused_and_nothing_is_written(cast, status):
    target = commitment(confirmed_now(cast), 1)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        report(cast, target, status, value_reached=Decimal("100"), links=["  "])
    label = ProgressStatus(status).label
    assert error.value.message_dict == {"files": [f"Báo “{label}” cần kèm minh chứng: tệp hoặc đường dẫn."]}
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()
    target.refresh_from_db()
    assert (target.status, target.value_reached, target.last_reported_at) == (ProgressStatus.NOT_STARTED, None, None)
    assert AuditEvent.objects.count() == events


def test_dropped_needs_a_reason(cast):
    target = commitment(confirmed_now(cast), 2)
    with pytest.raises(ValidationError) as error:
        report(cast, target, ProgressStatus.DROPPED, drop_reason="   ")
    assert error.value.message_dict == {"drop_reason": ["Hãy ghi lý do không thực hiện."]}
    assert not ProgressReport.objects.exists()
    saved = report(cast, target, ProgressStatus.DROPPED, drop_reason="  Khu phố đã sáp nhập, không còn đối tượng.  ")
    assert saved.drop_reason == "Khu phố đã sáp nhập, không còn đối tượng."
    target.refresh_from_db()
    assert target.status == ProgressStatus.DROPPED


def test_a_reason_given_with_another_status_is_not_kept(cast):
    saved = report(cast, commitment(confirmed_now(cast), 2), drop_reason="nhầm ô")
    assert saved.drop_reason == ""


def test_an_unknown_status_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        report(cast, commitment(confirmed_now(cast), 1), "half_done")
    assert error.value.message_dict == {"status": ["Tình trạng không hợp lệ."]}


# --- Files -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bien-ban.pdf", PDF_BYTES, "application/pdf"),
        ("anh-hien-truong.PNG", PNG_BYTES, "image/png"),
        ("anh.jpeg", JPEG_BYTES, "image/jpeg"),
        ("anh.jpg", JPEG_BYTES, "image/jpeg"),
        ("bao-cao.docx", DOCX_BYTES, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_files_are_recognised_by_their_content(name, content, content_type):
    checked = check_upload(upload(name, content))
    assert checked.kind.content_type == content_type
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.original_name == name
    assert checked.storage_name != name
    assert checked.storage_name.endswith(checked.kind.extensions[0])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bien-ban.pdf", EXE_BYTES),
        ("ghi-chu.txt", "Biên bản họp chi bộ".encode()),
        ("nen.pdf", zip_bytes("bien-ban.pdf")),
        ("anh.png", PDF_BYTES),
        ("bao-cao.zip", DOCX_BYTES),
        ("bao-cao", PDF_BYTES),
    ],
)
def test_refused_files_are_named_in_the_message(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert error.value.messages == [
        f"Tệp “{name}” không thuộc loại được nhận. Chỉ nhận PDF, ảnh (PNG, JPEG, WebP) "
        "và văn bản Word, Excel, PowerPoint, OpenDocument."
    ]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("trong.pdf", b""))
    assert error.value.messages == ["Tệp “trong.pdf” rỗng."]


@override_settings(EVIDENCE_MAX_UPLOAD_MB=1)
def test_a_file_above_the_limit_is_refused_and_one_at_the_limit_accepted():
    limit = 1024 * 1024
    with pytest.raises(ValidationError) as error:
        check_upload(upload("lon.pdf", PDF_BYTES + b"0" * (limit + 1 - len(PDF_BYTES))))
    assert error.value.messages == ["Tệp “lon.pdf” nặng 1.0 MB, vượt giới hạn 1 MB."]
    assert check_upload(upload("vua.pdf", PDF_BYTES + b"0" * (limit - len(PDF_BYTES)))).kind.label == "PDF"


def test_a_path_in_the_uploaded_name_is_dropped():
    assert check_upload(upload("../../etc/bien-ban.pdf", PDF_BYTES)).original_name == "bien-ban.pdf"


@pytest.mark.parametrize("link", ["ftp://example.vn/a.pdf", "javascript:alert(1)", "www.example.vn", "https://"])
def test_a_link_must_be_http_or_https_with_a_host(link):
    with pytest.raises(ValidationError) as error:
        check_link(link)
    assert "không hợp lệ: cần bắt đầu bằng http:// hoặc https://." in error.value.messages[0]


def test_a_report_with_a_file_and_a_link_stores_both_and_hashes_the_file(cast, media):
    target = commitment(confirmed_now(cast), 1)
    content = PDF_BYTES + "Biên bản nghiệm thu".encode()
    saved = report(
        cast,
        target,
        ProgressStatus.DONE,
        value_reached=Decimal("100"),
        note="  Đã giải quyết 412/412 hồ sơ.  ",
        files=[upload("bien-ban-nghiem-thu.pdf", content)],
        links=[f"  {LINK}  "],
    )
    assert (saved.status, saved.value_reached, saved.note, saved.reported_by) == (
        ProgressStatus.DONE,
        Decimal("100"),
        "Đã giải quyết 412/412 hồ sơ.",
        cast.member.user,
    )
    stored = Evidence.objects.get(progress_report=saved, link="")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert (stored.original_name, stored.content_type, stored.size) == (
        "bien-ban-nghiem-thu.pdf",
        "application/pdf",
        len(content),
    )
    assert stored.commitment == target
    assert stored.is_public is False
    path = Path(stored.file.path)
    assert path.is_relative_to(media)
    assert path.read_bytes() == content
    assert "bien-ban" not in path.name
    assert Evidence.objects.get(progress_report=saved, file="").link == LINK
    target.refresh_from_db()
    assert (target.status, target.value_reached, target.last_reported_at) == (
        ProgressStatus.DONE,
        Decimal("100"),
        saved.reported_at,
    )
    event = AuditEvent.objects.get(action="progress.report")
    assert event.actor == cast.member.user
    assert event.after is not None
    assert event.after["status"] == "done"
    assert event.after["evidence"] == [
        {"name": "bien-ban-nghiem-thu.pdf", "sha256": stored.sha256, "link": ""},
        {"name": "", "sha256": "", "link": LINK},
    ]


def test_a_refused_file_in_a_batch_leaves_no_file_and_no_report(cast, media):
    target = commitment(confirmed_now(cast), 1)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        report(
            cast,
            target,
            ProgressStatus.DONE,
            files=[upload("bien-ban.pdf", PDF_BYTES), upload("hoa-don.pdf", EXE_BYTES)],
        )
    assert "hoa-don.pdf" in error.value.messages[0]
    assert stored_files(media) == []
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.count() == events
    target.refresh_from_db()
    assert target.status == ProgressStatus.NOT_STARTED


def test_a_bad_link_in_a_batch_leaves_nothing_either(cast, media):
    target = commitment(confirmed_now(cast), 1)
    with pytest.raises(ValidationError):
        report(cast, target, ProgressStatus.DONE, files=[upload("bien-ban.pdf", PDF_BYTES)], links=["ftp://x.vn/a"])
    assert stored_files(media) == []
    assert not ProgressReport.objects.exists()


def test_the_latest_report_sets_the_status_and_a_report_without_a_value_keeps_the_last_value(cast):
    target = commitment(confirmed_now(cast), 1)
    report(cast, target, ProgressStatus.ON_TRACK, value_reached=Decimal("90"))
    report(cast, target, ProgressStatus.AT_RISK, note="Thiếu cán bộ một cửa")
    target.refresh_from_db()
    assert (target.status, target.value_reached) == (ProgressStatus.AT_RISK, Decimal("90"))
    assert ProgressReport.objects.filter(commitment=target).count() == 2


# --- Who and when ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["secretary", "outsider", "head"])
def test_only_the_owner_reports_progress(cast, actor):
    target = commitment(confirmed_now(cast), 1)
    with pytest.raises(PermissionDenied):
        progress_report(commitment=target, status=ProgressStatus.ON_TRACK, acting_user=getattr(cast, actor).user)
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("step", ["draft", "submitted"])
def test_progress_on_a_programme_not_yet_confirmed_is_refused(cast, step):
    programme = make_draft(cast.member)
    if step == "submitted":
        submit(programme)
    target = ProgrammeVersion.objects.get(programme=programme).terms.get(position=1).commitment
    with pytest.raises(ValidationError) as error:
        report(cast, target)
    assert error.value.messages == ["Chỉ báo cáo tiến độ cho chương trình đã được xác nhận và đang thực hiện."]
    assert not ProgressReport.objects.exists()


def test_progress_on_a_commitment_dropped_by_a_confirmed_amendment_is_refused(cast):
    programme = confirmed_now(cast)
    dropped = commitment(programme, 2)
    user = cast.member.user
    amendment = services.amendment_start(programme=programme, reason="Gộp hai nội dung", acting_user=user)
    services.commitment_remove(terms=amendment.terms.get(commitment=dropped), acting_user=user)
    services.commitment_update(
        terms=amendment.terms.get(position=1),
        content=commitment_content(1, weight=100, deadline=amendment.terms.get(position=1).deadline),
        acting_user=user,
    )
    submit(programme, 2)
    services.programme_confirm(version=amendment, publicity_max=PublicityLevel.CELL, acting_user=cast.secretary.user)
    with pytest.raises(ValidationError) as error:
        report(cast, dropped)
    assert error.value.messages == ["Nội dung này không còn trong phiên bản đang có hiệu lực."]
    report(cast, commitment(programme, 1))


def test_progress_goes_on_while_an_amendment_is_pending(cast):
    programme = confirmed_now(cast)
    services.amendment_start(programme=programme, reason="Đổi thời hạn", acting_user=cast.member.user)
    saved = report(cast, commitment(programme, 1), value_reached=Decimal("85"))
    assert saved.pk is not None


# --- Figures ---------------------------------------------------------------------------------------------------


def prefetched(programme: ActionProgramme) -> ProgrammeVersion:
    assert programme.current_version_id is not None
    return ProgrammeVersion.objects.prefetch_related(terms_prefetch()).get(pk=programme.current_version_id)


def progress_of(programme: ActionProgramme):
    return programme_progress(prefetched(programme))


def test_the_programme_percent_is_weighted_and_overdue_commitments_are_counted(cast):
    programme = confirmed_now(cast)
    before = progress_of(programme)
    assert (before.percent, before.overdue_count) == (0, 1)
    report(cast, commitment(programme, 1), ProgressStatus.ON_TRACK, value_reached=Decimal("90"))
    report(cast, commitment(programme, 2), ProgressStatus.DONE, links=[LINK])
    figures = progress_of(programme)
    assert [(item.percent, item.overdue, item.status_label) for item in figures.items] == [
        (50, True, "Đúng tiến độ"),
        (100, False, "Hoàn thành"),
    ]
    assert figures.percent == 70
    assert figures.overdue_count == 1
    report(cast, commitment(programme, 1), ProgressStatus.DROPPED, drop_reason="Chuyển công tác khác")
    dropped = progress_of(programme)
    assert (dropped.percent, dropped.overdue_count) == (40, 0)


def test_the_figures_cost_no_query_once_prefetched(cast, django_assert_num_queries):
    programme = confirmed_now(cast)
    version = prefetched(programme)
    with django_assert_num_queries(0):
        programme_progress(version)


def test_a_version_without_weights_has_no_percent(cast):
    programme = make_draft(cast.member)
    version = ProgrammeVersion.objects.get(programme=programme)
    for terms in version.terms.all():
        services.commitment_update(
            terms=terms, content=commitment_content(terms.position, weight=None), acting_user=cast.member.user
        )
    assert programme_progress(version).percent is None
