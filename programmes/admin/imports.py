"""Import jobs in the admin: a read-only list, and an upload page that calls the same service as the portal."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import access
from programmes.access import Action
from programmes.importing.forms import ImportUploadForm
from programmes.importing.selectors import import_jobs_visible_to
from programmes.models import ImportJob

from .mixins import NoChangesAdminMixin


@admin.register(ImportJob)
class ImportJobAdmin(NoChangesAdminMixin, admin.ModelAdmin[ImportJob]):
    list_display = ["created_at", "kind", "original_name", "scope", "created_by", "status", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "scope__name", "scope__code", "created_by__username"]
    list_select_related = ["scope", "created_by"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]
    change_list_template = "programmes/import_admin_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        try:
            return import_jobs_visible_to(request.user)
        except PermissionDenied:
            return ImportJob.objects.none()

    def get_urls(self) -> list[URLPattern]:
        upload = path("tai-len/", self.admin_site.admin_view(self.upload_view), name="programmes_importjob_upload")
        return [upload, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "may_upload": access.can_anywhere(request.user, Action.IMPORT_ROSTER)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not access.can_anywhere(request.user, Action.IMPORT_ROSTER):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        form.helper.form_tag = False
        form.helper.inputs = []
        if request.method == "POST" and form.is_valid():
            job = form.submit()
            if job is not None:
                messages.success(
                    request, _("Đã nhận tệp “%(name)s”; việc nhập đang chạy.") % {"name": job.original_name}
                )
                return redirect("admin:programmes_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext_lazy("Tải tệp lên để nhập"),
            "form": form,
        }
        return TemplateResponse(request, "programmes/import_admin_upload.html", context)
