"""The Django admin for reviews. Rule sets are data a system administrator maintains, audited like every admin
change; periods and reviews change only through reviews.services, so the admin only shows them."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from programmes import access
from programmes.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from reviews.models import (
    CommitmentAssessment,
    Decision,
    ItemState,
    LevelChange,
    Report,
    ReportBatch,
    ReportBatchItem,
    Review,
    ReviewPeriod,
    RuleSet,
)


def _in_use(obj: RuleSet | None) -> bool:
    return obj is not None and obj.pk is not None and obj.periods.exists()


@admin.register(RuleSet)
class RuleSetAdmin(AuditedAdminMixin[RuleSet], admin.ModelAdmin[RuleSet]):
    """Only system administrators edit rule sets. One a period already uses is kept as it was, so that the
    period is judged and shown under the rules it was opened with: a change of rules is a new rule set."""

    list_display = [
        "code",
        "name",
        "uses_points",
        "excellent_from",
        "good_from",
        "completed_from",
        "quota_percent",
        "collective_quota_percent",
    ]
    list_filter = ["uses_points"]
    search_fields = ["code", "name", "regulation"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_superuser(request.user)

    def has_view_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return access.is_superuser(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_superuser(request.user)

    def has_change_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return access.is_superuser(request.user) and not _in_use(obj)

    def has_delete_permission(self, request: HttpRequest, obj: RuleSet | None = None) -> bool:
        return access.is_superuser(request.user) and not _in_use(obj)


@admin.register(ReviewPeriod)
class ReviewPeriodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ReviewPeriod]):
    list_display = ["title", "kind", "rule_set", "scope", "covers_from", "covers_to", "state", "opened_by"]
    list_filter = ["state", "kind", "rule_set"]
    search_fields = ["title", "scope__name"]
    list_select_related = ["rule_set", "scope", "opened_by"]


class AssessmentInline(ReadOnlyAdminMixin, admin.TabularInline[CommitmentAssessment, Review]):
    model = CommitmentAssessment
    fields = readonly_fields = ("position", "statement", "deadline", "is_task", "self_verdict", "cell_verdict")
    extra = 0


class DecisionInline(ReadOnlyAdminMixin, admin.TabularInline[Decision, Review]):
    model = Decision
    fields = readonly_fields = ("level", "state", "decided_by", "decided_at", "confirmed_by", "confirmed_at", "grounds")
    extra = 0


class LevelChangeInline(ReadOnlyAdminMixin, admin.TabularInline[LevelChange, Review]):
    model = LevelChange
    fields = readonly_fields = ("cause", "from_level", "to_level", "reason", "changed_by", "changed_at")
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Review]):
    list_display = ["cadre", "place", "period", "state", "self_level", "final_level"]
    list_filter = ["state", "final_level", "period"]
    search_fields = ["cadre__full_name", "cadre__name_folded", "cadre__code", "place__name"]
    list_select_related = ["cadre", "place", "period"]
    inlines = [AssessmentInline, DecisionInline, LevelChangeInline]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Report]):
    """Stored reports, shown to system administrators; they are made only by reviews.reports.produce."""

    list_display = ["title", "kind", "organisation", "period", "version", "is_current", "generated_at", "size"]
    list_filter = ["kind", "is_current", "period"]
    search_fields = ["title", "subject_key", "verification_code", "sha256"]
    list_select_related = ["organisation", "period"]
    # The file's name, not a link: reports are private media, downloaded only through the access-checked views.
    fields = readonly_fields = (
        "kind",
        "subject_key",
        "title",
        "organisation",
        "period",
        "review",
        "programme",
        "version",
        "is_current",
        "superseded_at",
        "generated_at",
        "stored_file",
        "size",
        "sha256",
        "content_hash",
        "verification_code",
    )

    @admin.display(description=_("tệp PDF"))
    def stored_file(self, obj: Report) -> str:
        return obj.file.name or ""


class ReportBatchItemInline(ReadOnlyAdminMixin, admin.TabularInline[ReportBatchItem, ReportBatch]):
    model = ReportBatchItem
    fields = readonly_fields = ("kind", "object_id", "state", "attempts", "report", "error", "updated_at")
    extra = 0


@admin.register(ReportBatch)
class ReportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ReportBatch]):
    list_display = ["title", "period", "scope", "requested_by", "created_at", "finished_at", "progress"]
    list_filter = ["period"]
    search_fields = ["title", "scope__name"]
    list_select_related = ["period", "scope", "requested_by"]
    inlines = [ReportBatchItemInline]

    @admin.display(description=_("đã xong / lỗi / tổng"))
    def progress(self, obj: ReportBatch) -> str:
        states = list(obj.items.values_list("state", flat=True))
        return f"{states.count(ItemState.DONE)} / {states.count(ItemState.FAILED)} / {len(states)}"
