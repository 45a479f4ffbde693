"""Open data: the published programmes and their public commitments as CSV and JSON (issue 6, item 5).

Who and what is public is decided by `publicity.selectors` (`public_programmes`, `public_terms`), the same
rule as the pages. The fields are documented on the open-data page and their names do not change; nothing
private, no review, point or level. This module builds the rows; the whole files (CSV and JSON, programmes and
commitments) are generated in the background and served from storage by `publicity.opendata_files`, which also
shows the open-data page; the JSON pages of 100 programmes are built per request here.
"""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import NotRequired, TypedDict

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from programmes.models import (
    ActionProgramme,
    CommitmentCategory,
    CommitmentTerms,
    Occasion,
    OrganisationKind,
    PartyOrganisation,
    ProgrammeState,
    ProgressStatus,
)
from programmes.models.action_programmes import PUBLISHED_STATES
from programmes.spreadsheets import Echo, safe_cell
from publicity.selectors import (
    SHARED_VERSION_STATES,
    public_programme_q,
    public_programmes,
    public_progress,
    public_terms,
)
from publicity.views import public_cache

PER_PAGE = 100
# Rows fetched from the database at a time while a CSV streams.
CHUNK_SIZE = 500
LICENCE = _("Dữ liệu mở, được phép sử dụng lại, ghi rõ nguồn")


@dataclass(frozen=True)
class Field:
    name: str
    meaning: Promise
    type: Promise


TEXT = _("văn bản")
INTEGER = _("số nguyên")
DECIMAL = _("số thập phân (dấu chấm), để trống nếu không có")
DATE = _("ngày (YYYY-MM-DD)")
CODE = _("mã (xem bảng mã bên dưới)")
BOOLEAN = _("true / false")

PROGRAMME_FIELDS = (
    Field("id", _("Mã số chương trình"), INTEGER),
    Field("owner_name", _("Họ và tên người lập chương trình"), TEXT),
    Field("position_title", _("Chức vụ, chức danh khi đăng ký"), TEXT),
    Field("organisation_name", _("Tổ chức đảng khi đăng ký"), TEXT),
    Field("area", _("Đảng bộ xã, phường, đặc khu (địa bàn), để trống nếu không thuộc"), TEXT),
    Field("occasion", _("Lý do lập chương trình"), CODE),
    Field("term_start", _("Thực hiện từ ngày"), DATE),
    Field("term_end", _("Đến ngày"), DATE),
    Field("state", _("Trạng thái chương trình"), CODE),
    Field("confirmed_at", _("Thời điểm xác nhận phiên bản đang có hiệu lực (ISO 8601)"), TEXT),
    Field("version", _("Số phiên bản đang có hiệu lực"), INTEGER),
    Field("progress_percent", _("Tiến độ chung theo trọng số (%), để trống nếu chưa có trọng số"), INTEGER),
    Field("overdue_count", _("Số nội dung quá hạn"), INTEGER),
    Field("url", _("Địa chỉ trang công khai của chương trình"), TEXT),
)
COMMITMENT_FIELDS = (
    Field("programme_id", _("Mã số chương trình"), INTEGER),
    Field("position", _("Thứ tự nội dung trong chương trình"), INTEGER),
    Field("category", _("Nhóm nội dung"), CODE),
    Field("statement", _("Nội dung cam kết"), TEXT),
    Field("indicator", _("Chỉ tiêu đo lường"), TEXT),
    Field("unit", _("Đơn vị tính"), TEXT),
    Field("baseline_value", _("Giá trị hiện tại khi đăng ký"), DECIMAL),
    Field("target_value", _("Giá trị cam kết"), DECIMAL),
    Field("is_deliverable", _("Cam kết một sản phẩm cụ thể thay cho chỉ tiêu số"), BOOLEAN),
    Field("deadline", _("Thời hạn hoàn thành"), DATE),
    Field("weight", _("Trọng số"), INTEGER),
    Field("status", _("Tình trạng thực hiện"), CODE),
    Field("value_reached", _("Giá trị đạt được theo báo cáo gần nhất"), DECIMAL),
    Field("is_overdue", _("Quá hạn"), BOOLEAN),
    Field("target_changes", _("Số lần điều chỉnh được xác nhận đã thay đổi chỉ tiêu"), INTEGER),
)
PROGRAMME_HEADER = [field.name for field in PROGRAMME_FIELDS]
COMMITMENT_HEADER = [field.name for field in COMMITMENT_FIELDS]


# --- Reads ---------------------------------------------------------------------------------------------------


def _shared_terms() -> Prefetch[str, QuerySet[CommitmentTerms], str]:
    """Every confirmed wording of the commitment, oldest first, to count the target changes."""
    return Prefetch(
        "commitment__terms",
        queryset=CommitmentTerms.objects.filter(
            version__state__in=SHARED_VERSION_STATES, version__confirmed_at__isnull=False
        ).order_by("version__number"),
        to_attr="shared_terms",
    )


def export_programmes(*, with_history: bool = False) -> QuerySet[ActionProgramme]:
    """Published programmes by id, each with its public commitments in force (for `public_progress`)."""
    terms = public_terms().order_by("position")
    if with_history:
        terms = terms.prefetch_related(_shared_terms())
    return (
        public_programmes()
        .select_related("owner", "organisation", "current_version")
        .prefetch_related(Prefetch("current_version__terms", queryset=terms))
        .order_by("pk")
    )


def export_terms() -> QuerySet[CommitmentTerms]:
    """The public commitments in force of the published programmes, by programme and position."""
    return (
        public_terms()
        .filter(public_programme_q("version__programme__"), version=F("version__programme__current_version"))
        .select_related("version")
        .prefetch_related(_shared_terms())
        .order_by("version__programme_id", "position")
    )


def _areas() -> list[tuple[str, str]]:
    """(path, name) of the ward and commune committees, deepest first: one query."""
    rows = PartyOrganisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE).values_list("path", "name")
    return sorted(rows, key=lambda row: len(row[0]), reverse=True)


def _area_of(organisation: PartyOrganisation, areas: list[tuple[str, str]]) -> str:
    return next((name for path, name in areas if organisation.path.startswith(path)), "")


def _target_changes(terms: CommitmentTerms) -> int:
    shared = terms.commitment.shared_terms  # type: ignore[attr-defined]  # set by `_shared_terms`
    return sum(
        (before.indicator, before.unit, before.target_value) != (after.indicator, after.unit, after.target_value)
        for before, after in pairwise(shared)
    )


# An id no programme has, replaced in the reversed address to leave the pattern around it.
_ID_SLOT = 918273645


def programme_url_builder() -> Callable[[int], str]:
    """The public address of a programme from its id: the URL pattern is reversed once (in the portal's own
    language), then each address is a formatted string, where `reverse()` per row cost most of an export."""
    with translation.override(settings.LANGUAGE_CODE):
        sample = reverse("publicity:public_programme", args=[_ID_SLOT])
    site_url: str = settings.SITE_URL
    prefix, suffix = (site_url.rstrip("/") + sample).split(str(_ID_SLOT))
    return lambda programme_id: f"{prefix}{programme_id}{suffix}"


# --- Rows ----------------------------------------------------------------------------------------------------


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


class CommitmentRow(TypedDict):
    programme_id: int
    position: int
    category: str
    statement: str
    indicator: str
    unit: str
    baseline_value: str | None
    target_value: str | None
    is_deliverable: bool
    deadline: str | None
    weight: int | None
    status: str
    value_reached: str | None
    is_overdue: bool
    target_changes: int


class ProgrammeRow(TypedDict):
    id: int
    owner_name: str
    position_title: str
    organisation_name: str
    area: str
    occasion: str
    term_start: str | None
    term_end: str | None
    state: str
    confirmed_at: str | None
    version: int
    progress_percent: int | None
    overdue_count: int
    url: str
    # In the JSON copy alone: the CSV lists the commitments in a file of their own.
    commitments: NotRequired[list[CommitmentRow]]


def programme_row(
    programme: ActionProgramme, areas: list[tuple[str, str]], url_of: Callable[[int], str]
) -> ProgrammeRow:
    version = programme.current_version
    if version is None:  # excluded by the selector; this tells the type checker
        raise ValueError("a published programme has a version in force")
    progress = public_progress(programme)
    return {
        "id": programme.pk,
        "owner_name": programme.owner.full_name,
        "position_title": programme.position_title,
        "organisation_name": programme.organisation_name,
        "area": _area_of(programme.organisation, areas),
        "occasion": programme.occasion,
        "term_start": _date(programme.term_start),
        "term_end": _date(programme.term_end),
        "state": programme.state,
        "confirmed_at": timezone.localtime(version.confirmed_at).isoformat() if version.confirmed_at else None,
        "version": version.number,
        "progress_percent": progress.percent,
        "overdue_count": progress.overdue_count,
        "url": url_of(programme.pk),
    }


def commitment_row(terms: CommitmentTerms, programme_id: int, today: datetime.date) -> CommitmentRow:
    commitment = terms.commitment
    return {
        "programme_id": programme_id,
        "position": terms.position,
        "category": terms.category,
        "statement": terms.statement,
        "indicator": terms.indicator,
        "unit": terms.unit,
        "baseline_value": _decimal(terms.baseline_value),
        "target_value": _decimal(terms.target_value),
        "is_deliverable": terms.is_deliverable,
        "deadline": _date(terms.deadline),
        "weight": terms.weight,
        "status": commitment.status,
        "value_reached": _decimal(commitment.value_reached),
        "is_overdue": terms.is_overdue(commitment.status, today),
        "target_changes": _target_changes(terms),
    }


# --- CSV -----------------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(safe_cell(value))


def csv_lines(header: list[str], rows: Iterable[Mapping[str, object]]) -> Iterator[str]:
    writer = csv.writer(Echo())
    # The byte order mark tells Excel the file is UTF-8.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(row[name]) for name in header])


def programme_rows() -> Iterator[ProgrammeRow]:
    """Every published programme's row, by id, fetched CHUNK_SIZE at a time."""
    areas = _areas()
    url_of = programme_url_builder()
    for programme in export_programmes().iterator(chunk_size=CHUNK_SIZE):
        yield programme_row(programme, areas, url_of)


def programmes_with_commitments() -> Iterator[ProgrammeRow]:
    """As programme_rows, each with its public commitments in force (the JSON copy)."""
    areas = _areas()
    url_of = programme_url_builder()
    today = timezone.localdate()
    for programme in export_programmes(with_history=True).iterator(chunk_size=CHUNK_SIZE):
        yield _with_commitments(programme_row(programme, areas, url_of), programme, today)


def commitment_rows() -> Iterator[CommitmentRow]:
    """Every public commitment in force of the published programmes, by programme and position."""
    today = timezone.localdate()
    for terms in export_terms().iterator(chunk_size=CHUNK_SIZE):
        yield commitment_row(terms, terms.version.programme_id, today)


def programmes_csv_lines() -> Iterator[str]:
    return csv_lines(PROGRAMME_HEADER, programme_rows())


def commitments_csv_lines() -> Iterator[str]:
    return csv_lines(COMMITMENT_HEADER, commitment_rows())


def _with_commitments(row: ProgrammeRow, programme: ActionProgramme, today: datetime.date) -> ProgrammeRow:
    terms = programme.current_version.terms.all() if programme.current_version else []
    row["commitments"] = [commitment_row(item, programme.pk, today) for item in terms]
    return row


# --- JSON ----------------------------------------------------------------------------------------------------


def _page_address(request: HttpRequest, number: int) -> str:
    return request.build_absolute_uri(f"{request.path}?page={number}")


@require_safe
@public_cache()
def programmes_json(request: HttpRequest) -> JsonResponse:
    """A page of 100 published programmes with their public commitments: four queries whatever its length."""
    paginator = Paginator(export_programmes(with_history=True), PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger) as missing:
        raise Http404 from missing
    areas = _areas()
    url_of = programme_url_builder()
    today = timezone.localdate()
    results = [
        _with_commitments(programme_row(programme, areas, url_of), programme, today) for programme in page.object_list
    ]
    data = {
        "count": paginator.count,
        "next": _page_address(request, page.next_page_number()) if page.has_next() else None,
        "previous": _page_address(request, page.previous_page_number()) if page.has_previous() else None,
        "licence": str(LICENCE),
        "results": results,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# --- What the page says --------------------------------------------------------------------------------------


def documentation() -> dict[str, object]:
    """The fields, codes and licence the open-data page documents (the page: `publicity.opendata_files`)."""
    return {
        "programme_fields": PROGRAMME_FIELDS,
        "commitment_fields": COMMITMENT_FIELDS,
        "licence": LICENCE,
        "per_page": PER_PAGE,
        "codes": [
            ("occasion", Occasion.choices),
            ("state", [(value, label) for value, label in ProgrammeState.choices if value in PUBLISHED_STATES]),
            ("category", CommitmentCategory.choices),
            ("status", ProgressStatus.choices),
        ],
    }
