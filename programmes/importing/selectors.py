"""Who sees which import jobs: the uploader, and whoever may import in the job's scope (asked of the access module)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from programmes import access
from programmes.access import Action, AnyUser
from programmes.models import ImportJob


def import_jobs_visible_to(user: AnyUser) -> QuerySet[ImportJob]:
    """Jobs the user uploaded or that were scoped inside organisations where they may import; 403 otherwise."""
    if not access.can_anywhere(user, Action.IMPORT_ROSTER):
        raise PermissionDenied
    jobs = ImportJob.objects.select_related("scope", "created_by").order_by("-created_at", "-id")
    return jobs.filter(access.import_jobs_condition(user))


def get_import_job_for(user: AnyUser, pk: Any) -> ImportJob:
    job = import_jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
