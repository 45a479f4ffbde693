"""The public pages: anyone, without logging in, browses and reads published programmes and checks a report.

Every page reads live data through `publicity.selectors`, or a cached part keyed by the stamps that the services
move (`public_stamps`), so unpublishing takes effect at the next request; shared caches may keep a page for a few
minutes (PUBLIC_MAX_AGE), never a page rendered for a signed-in user.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from programmes.action_programmes import numbering, public_stamps
from programmes.action_programmes.evidence import download_name
from programmes.action_programmes.progress import CommitmentProgress, programme_progress
from programmes.models import Evidence, Occasion, ProgressStatus, PublicityLevel
from programmes.progress_views import KIND_LABELS
from programmes.signing import UnreadablePdf
from publicity import cards, changes, selectors
from publicity.follow_forms import FollowForm
from publicity.forms import PublicSearchForm, VerifyFileForm, VerifyForm
from reviews.reports.produce import verify, verify_file

# Seconds a shared cache or a browser may keep a public page: a withdrawn consent shows within this time.
PUBLIC_MAX_AGE = 300
# The verification answer changes when a newer version of the report is produced: kept briefly.
VERIFY_MAX_AGE = 60
RESULTS_PER_PAGE = 20
RECENT_CHANGES = 50

View = Callable[..., HttpResponseBase]


def public_cache(max_age: int = PUBLIC_MAX_AGE) -> Callable[[View], View]:
    """Cache-Control for a public page: public for visitors, private for a signed-in person (whose header
    carries their name and notifications); the page varies with the language and the cookies."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if response.status_code == HTTPStatus.SERVICE_UNAVAILABLE:
                # "Try again in a few minutes" must not be kept as the answer once the thing is ready.
                add_never_cache_headers(response)
            elif request.user.is_authenticated:
                patch_cache_control(response, private=True, max_age=0)
            else:
                patch_cache_control(response, public=True, max_age=max_age)
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response

        return wrapped

    return decorator


def _selected_area(request: HttpRequest, areas: list[selectors.Area]) -> selectors.Area | None:
    """The area asked for, read before the form so that the organisation choices can be limited to it."""
    raw = request.GET.get("khu_vuc", "")
    return next((area for area in areas if raw.isascii() and raw.isdigit() and area.organisation.pk == int(raw)), None)


def _chosen_id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@dataclass(frozen=True)
class ResultPage:
    """A page of results found without counting them all: one row more than the page is read to know whether
    another page follows (a count over the city's published programmes costs more than the page itself)."""

    number: int
    # The ids of the page's programmes, in order (their cards: publicity.cards).
    object_list: list[int]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _result_page(request: HttpRequest, filters: selectors.Filters, stamp: str) -> ResultPage:
    number = _chosen_id(request, "page") or 1
    start = (number - 1) * RESULTS_PER_PAGE
    ids = selectors.searched_page_ids(filters, start, start + RESULTS_PER_PAGE + 1, stamp)
    return ResultPage(number, ids[:RESULTS_PER_PAGE], len(ids) > RESULTS_PER_PAGE)


def _form_key(request: HttpRequest, form: PublicSearchForm) -> str:
    """What the search form's markup depends on besides the published list (its stamp) and the language: the
    values asked for in its fields, in a fixed order (the page number and unknown parameters left out)."""
    return urlencode(sorted((name, value) for name in form.fields for value in request.GET.getlist(name)))


@require_safe
@public_cache()
def public_home(request: HttpRequest) -> HttpResponse:
    # Read once: the cached parts of the page are all keyed by it.
    stamp = public_stamps.listing_stamp()
    areas = selectors.areas(stamp)
    area = _selected_area(request, areas)
    organisations = selectors.organisations(
        area.organisation if area is not None else None, _chosen_id(request, "to_chuc"), stamp
    )
    form = PublicSearchForm(request.GET or None, areas=areas, organisations=organisations, area_chosen=area is not None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    page = _result_page(request, filters, stamp)
    context = {
        "form": form,
        "areas": areas,
        "area": area,
        "listing_stamp": stamp,
        "areas_cache_seconds": selectors.AREAS_CACHE_SECONDS,
        "form_key": _form_key(request, form),
        "organisations": organisations,
        "filtered": filters != selectors.Filters(),
        "filters": filters,
        "page": page,
        # Rendered once per programme and state, and kept in the cache (publicity.cards).
        "cards": cards.programme_cards(page.object_list),
        # The area's follow form: its page is not kept whole in the cache, but its form is as static as the
        # programme page's, posting to its own address; written once per area and language for PUBLIC_MAX_AGE (its
        # signed question stays valid far longer), so the class is given, made only when the markup is written.
        "follow_form": FollowForm if area is not None else None,
        "follow_form_seconds": PUBLIC_MAX_AGE,
    }
    return render(request, "publicity/public_home.html", context)


@dataclass(frozen=True)
class PublicCommitmentRow:
    progress: CommitmentProgress
    # Its number in the version ("II.2"), as on every other page and in print.
    number: str
    evidence: list[tuple[Evidence, str]]
    # Confirmed amendments that moved the target (indicator, unit or value) of this commitment.
    target_changes: int


def shared_page_cache(name: str, stamp: Callable[[int], str]) -> Callable[[View], View]:
    """Serve a public page of one object (`pk`) from the server's cache to visitors without a session (signed in,
    a session or messages to show, or a query string make the page differ), and keep the rendered page for the
    next one. The key holds the language, the day (what is overdue changes at midnight) and the object's `stamp`,
    which the services that change what the page shows move; the cache's time bounds only what no service
    announces (an owner's new name, say)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int) -> HttpResponseBase:
            shared = not (request.user.is_authenticated or request.GET or request.COOKIES)
            day = timezone.localdate().isoformat()
            key = f"publicity:{name}:{pk}:{get_language()}:{day}:{stamp(pk)}" if shared else None
            content = cache.get(key) if key is not None else None
            if content is not None:
                return HttpResponse(content)
            response = view(request, pk)
            if key is not None and response.status_code == HTTPStatus.OK and isinstance(response, HttpResponse):
                cache.set(key, response.content, PUBLIC_MAX_AGE)
            return response

        return wrapped

    return decorator


@require_safe
@public_cache()
@shared_page_cache("programme-page", public_stamps.programme_stamp)
def public_programme(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.public_programme(pk)
    if programme.current_version_id is None:  # excluded by the selector; this tells the type checker
        raise Http404
    versions = selectors.public_versions(programme)
    history = selectors.amendment_history(versions, programme.current_version_id)
    figures = programme_progress(history.current)
    # Numbered among the public commitments, as the feedback form and the feedback case pages number them.
    numbers = numbering.commitment_numbers(item.terms for item in figures.items)
    by_commitment = {item.terms.commitment_id: item for item in figures.items}
    rows = [
        PublicCommitmentRow(
            progress=item,
            number=numbers[item.terms.commitment_id],
            evidence=[
                (evidence, KIND_LABELS.get(evidence.content_type, evidence.content_type))
                # Set by the selector's prefetch: the commitment's public evidence only.
                for evidence in item.terms.commitment.public_evidence  # type: ignore[attr-defined]
            ],
            target_changes=history.target_changes.get(item.terms.commitment_id, 0),
        )
        for item in (
            by_commitment[terms.commitment_id]
            for terms in numbering.document_order(item.terms for item in figures.items)
        )
    ]
    positions = {item.terms.commitment_id: numbers[item.terms.commitment_id] for item in figures.items}
    context = {
        "programme": programme,
        "history": history,
        "current": history.current,
        "figures": figures,
        "rows": rows,
        # A case about a commitment no longer shown in public is left out with it.
        "answered": [
            (case, positions.get(case.commitment_id) if case.commitment_id else None)
            for case in selectors.answered_feedback(programme)
            if case.commitment_id is None or case.commitment_id in positions
        ],
        # Static (no token, no key): the page is kept whole in the cache and served to every visitor.
        "follow_form": FollowForm(owner_name=programme.owner.full_name),
    }
    return render(request, "publicity/public_programme.html", context)


@require_safe
@public_cache()
def public_evidence(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.public_evidence_file(pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(evidence),
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_safe
@public_cache()
def public_changes(request: HttpRequest) -> HttpResponse:
    context = {"changes": changes.recent_changes(RECENT_CHANGES), "limit": RECENT_CHANGES}
    return render(request, "publicity/public_changes.html", context)


@require_safe
@public_cache()
def public_about(request: HttpRequest) -> HttpResponse:
    context = {
        "levels": PublicityLevel.choices,
        "public_level": PublicityLevel.PUBLIC.label,
        "statuses": ProgressStatus.choices,
        "occasions": Occasion.choices,
        "answer_days": settings.FEEDBACK_ANSWER_DAYS,
    }
    return render(request, "publicity/public_about.html", context)


# Checking a file changes nothing and needs no session, and the page holding its form is the same for every
# visitor (kept by shared caches), so it carries no CSRF token and the check does without one.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report_verify(request: HttpRequest) -> HttpResponseBase:
    """Check a report by its printed code (GET), or a PDF someone holds by its digital signature (POST)."""
    if request.method == "POST":
        return _report_verify_file(request)
    return _report_verify_code(request)


@public_cache(VERIFY_MAX_AGE)
def _report_verify_code(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    checked = form.is_bound and form.is_valid()
    result = verify(form.cleaned_data["ma"]) if checked else None
    context = {"form": form, "checked": checked, "result": result, "file_form": VerifyFileForm()}
    return render(request, "publicity/report_verify.html", context)


def _report_verify_file(request: HttpRequest) -> HttpResponse:
    file_form = VerifyFileForm(request.POST, request.FILES)
    file_result = None
    if file_form.is_valid():
        try:
            file_result = verify_file(file_form.cleaned_data["tep"])
        except UnreadablePdf:
            file_form.add_error(
                "tep",
                _("Không đọc được tệp này như một tệp PDF: tệp bị hỏng hoặc đã bị sửa đổi đến mức không mở được."),
            )
    context = {"form": VerifyForm(), "file_form": file_form, "file_result": file_result}
    response = render(request, "publicity/report_verify.html", context)
    # The answer is about one visitor's file: never kept by a cache.
    add_never_cache_headers(response)
    return response
