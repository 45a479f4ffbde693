"""Spreadsheets of the staff lists: who may take a copy of a list away.

A list's spreadsheet holds what the list shows that user, no more, so it is read through the same access rules as
the list. Taking the copy away is staff work besides (Action.EXPORT_LISTS: every post and role but the plain
member's), inside the organisations the list is about. A file made in the background goes to its maker alone, while
they still hold the right.
"""

from programmes.access.holdings import Action, AnyUser, can, can_anywhere
from programmes.models import ExportJob, PartyOrganisation


def can_export_members(user: AnyUser, organisation: PartyOrganisation) -> bool:
    """The roster of an organisation's subtree: whoever reads it there (VIEW_MEMBERS) and exports there."""
    return can(user, Action.VIEW_MEMBERS, organisation) and can(user, Action.EXPORT_LISTS, organisation)


def can_export_lists(user: AnyUser) -> bool:
    """The lists already scoped to the reader (the programmes they read): whoever exports somewhere."""
    return can_anywhere(user, Action.EXPORT_LISTS)


def can_follow_export(user: AnyUser, job: ExportJob) -> bool:
    """The page of a background export, with its progress: its maker alone."""
    return bool(user.is_authenticated and job.created_by_id == user.pk)


def can_download_export(user: AnyUser, job: ExportJob) -> bool:
    """A spreadsheet made in the background: its maker, while they may still export."""
    return can_follow_export(user, job) and can_export_lists(user)
