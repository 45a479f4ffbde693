"""The sitemap of the public pages: the fixed pages and every published programme, from live data."""

import datetime

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from programmes.models import ActionProgramme
from publicity import selectors

FIXED_PAGES = (
    "publicity:public_home",
    "publicity:public_changes",
    "publicity:public_about",
    "publicity:report_verify",
)


class PublicPagesSitemap(Sitemap[str]):
    changefreq = "daily"

    def items(self) -> tuple[str, ...]:
        return FIXED_PAGES

    def location(self, item: str) -> str:
        return reverse(item)


class PublicProgrammeSitemap(Sitemap[ActionProgramme]):
    changefreq = "weekly"

    def items(self) -> list[ActionProgramme]:
        return list(selectors.programmes_for_sitemap())

    def location(self, item: ActionProgramme) -> str:
        return reverse("publicity:public_programme", args=[item.pk])

    def lastmod(self, item: ActionProgramme) -> datetime.datetime:
        return item.updated_at


SITEMAPS: dict[str, Sitemap[str] | Sitemap[ActionProgramme]] = {
    "trang": PublicPagesSitemap(),
    "chuong-trinh": PublicProgrammeSitemap(),
}
