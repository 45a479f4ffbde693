"""The Atom feeds of what changed recently: the site's, one programme's and one area's, each with the same entries
as the changes page for its scope, from the same live query."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from programmes.models import ActionProgramme, PartyOrganisation
from publicity import changes, selectors

FEED_ENTRIES = 30


class RecentChangesFeed(Feed[changes.RecentChange, None]):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Thay đổi gần đây: chương trình hành động được công khai")

    def subtitle(self) -> str:
        return _(
            "Chương trình được xác nhận, điều chỉnh được xác nhận và cập nhật tiến độ của các nội dung cam kết "
            "được công khai."
        )

    def link(self) -> str:
        return reverse("publicity:public_changes")

    def feed_url(self) -> str:
        return reverse("publicity:public_changes_feed")

    def items(self) -> list[changes.RecentChange]:
        return changes.recent_changes(FEED_ENTRIES)

    def item_title(self, item: changes.RecentChange) -> str:
        return f"{item.kind_label}: {item.owner_name} – {item.programme_title}"

    def item_description(self, item: changes.RecentChange) -> str:
        return f"{item.summary} ({item.organisation_name})"

    def item_link(self, item: changes.RecentChange) -> str:
        address = reverse("publicity:public_programme", args=[item.programme_id])
        return f"{address}#cam-ket-{item.commitment_id}" if item.commitment_id else address

    def item_guid(self, item: changes.RecentChange) -> str:
        # Atom wants an IRI that never changes: a tag URI (RFC 4151) on the portal's host and the entry's day.
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},{item.at:%Y-%m-%d}:{item.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: changes.RecentChange) -> datetime.datetime:
        return item.at

    def item_updateddate(self, item: changes.RecentChange) -> datetime.datetime:
        return item.at

    def item_author_name(self, item: changes.RecentChange) -> str:
        return item.owner_name


# Django's Feed passes the object get_object returns to the methods that take one; the scoped feeds below read it.


class ProgrammeChangesFeed(RecentChangesFeed):
    """One published programme's confirmed amendments and progress; 404 once it is no longer published."""

    def get_object(self, request: HttpRequest, pk: int) -> ActionProgramme:  # type: ignore[override]
        return selectors.public_programme(pk)

    def title(self, obj: ActionProgramme) -> str:  # type: ignore[override]
        return _("%(title)s – %(owner)s: thay đổi gần đây") % {"title": obj.title, "owner": obj.owner.full_name}

    def subtitle(self, obj: ActionProgramme) -> str:  # type: ignore[override]
        return _("Điều chỉnh được xác nhận và cập nhật tiến độ của các nội dung cam kết được công khai.")

    def link(self, obj: ActionProgramme) -> str:  # type: ignore[override]
        return reverse("publicity:public_programme", args=[obj.pk])

    def feed_url(self, obj: ActionProgramme) -> str:  # type: ignore[override]
        return reverse("publicity:programme_feed", args=[obj.pk])

    def items(self, obj: ActionProgramme) -> list[changes.RecentChange]:  # type: ignore[override]
        return changes.recent_changes(FEED_ENTRIES, changes.ChangeScope(programme_id=obj.pk))


class AreaChangesFeed(RecentChangesFeed):
    """The changes of the programmes published in a ward or commune (its committee's subtree)."""

    def get_object(self, request: HttpRequest, pk: int) -> PartyOrganisation:  # type: ignore[override]
        return selectors.public_area(pk)

    def title(self, obj: PartyOrganisation) -> str:  # type: ignore[override]
        return _("%(area)s: thay đổi gần đây của các chương trình được công khai") % {"area": obj.name}

    def link(self, obj: PartyOrganisation) -> str:  # type: ignore[override]
        return f"{reverse('publicity:public_home')}?khu_vuc={obj.pk}"

    def feed_url(self, obj: PartyOrganisation) -> str:  # type: ignore[override]
        return reverse("publicity:area_feed", args=[obj.pk])

    def items(self, obj: PartyOrganisation) -> list[changes.RecentChange]:  # type: ignore[override]
        return changes.recent_changes(FEED_ENTRIES, changes.ChangeScope(area_path=obj.path))
