"""Every page a person reaches on a phone fits it: for each persona of a world like the demo's (a member, a cell
secretary, a committee member, a head, board staff, the Front, the People's Council, a system administrator, and a
citizen without an account), every link of the navigation and of the first page, and the pages their lists lead to
one level down, opened at 375×812. None scrolls sideways, every button and link of the main content can be tapped
within the screen's width, and axe finds no serious or critical violation. The number of pages checked is printed.
"""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import override_settings
from django.utils import translation
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from tests.access_matrix.world import build_world
from tests.browser.test_login_journey import blocking_violations, log_in
from tests.test_access_matrix import _pdf_without_layout

PHONE = {"width": 375, "height": 812}

# People of the world (tests/access_matrix/world.py) by what they are; None is the citizen without an account.
PERSONAS = {
    "member": "member",
    "cell secretary": "secretary",
    "committee member": "staff",
    "head": "head",
    "board staff": "board",
    "Front": "front",
    "People's Council": "council",
    "system administrator": "root",
    "citizen": None,
}

# Links that are no page to read: signing out, files (PDF, spreadsheets, CSV, JSON, feeds), the admin (Django's own
# pages), the other language (the same pages again) and the health probe.
NOT_A_PAGE = re.compile(
    r"(/dang-xuat/|/tai-ve|\.(pdf|xlsx|csv|json|xml)(\?|$)|^/quan-tri/|^/en/|^/i18n/|^/health/|/minh-chung/)"
)
PUBLIC_AREA = "/cong-khai/"
# The pages a citizen opens without a link from the public area: signing in and a forgotten password.
CITIZEN_DOORS = ["/dang-nhap/", "/quen-mat-khau/"]
# A list's rows lead to pages of the same kind: the first two of each kind are opened, not every one.
ROWS_PER_KIND = 2

# The main content's controls that lie outside the screen's width: visible, and not hidden for screen readers only.
OFF_SCREEN_CONTROLS = """
(width) => {
  const seen = [];
  for (const element of document.querySelectorAll("main a[href], main button, main input[type=submit], main summary")) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      const name = (element.innerText || element.value || element.getAttribute("aria-label") || "").trim();
      const where = `${Math.round(box.left)}–${Math.round(box.right)}`;
      seen.push(`${element.tagName.toLowerCase()} "${name.slice(0, 40)}" at ${where}`);
    }
  }
  return seen;
}
"""

LINKS = """
(selector) => Array.from(document.querySelectorAll(selector), (link) => link.getAttribute("href"))
"""


@dataclass
class Sweep:
    base: str
    checked: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def page_links(self, page: Page, selector: str) -> list[str]:
        """The same-origin pages `selector`'s links lead to, as paths with their query, in the page's order."""
        paths = []
        for href in page.evaluate(LINKS, selector):
            parts = urlsplit(urljoin(page.url, href or ""))
            if f"{parts.scheme}://{parts.netloc}" != self.base or not parts.path:
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not NOT_A_PAGE.search(path) and path not in paths:
                paths.append(path)
        return paths

    def check(self, page: Page, persona: str, path: str) -> bool:
        """Open `path` as `persona` and note what does not fit the phone; False when it is no HTML page."""
        try:
            response = page.goto(self.base + path)
        except PlaywrightError as error:  # a file served to download, which no link announced as one
            if "Download is starting" in str(error):
                return False
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            return False
        where = f"{persona} {path}"
        if response.status != 200:
            self.failures.append(f"{where}: status {response.status}")
            return False
        self.checked[persona] += 1
        before = len(self.failures)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.failures.append(f"{where}: the page is {width} px wide")
        for control in page.evaluate(OFF_SCREEN_CONTROLS, PHONE["width"]):
            self.failures.append(f"{where}: {control}")
        for violation in blocking_violations(page):
            self.failures.append(f"{where}: {violation}")
        print(
            where, "ok" if len(self.failures) == before else "\n  ".join(["FAILS", *self.failures[before:]]), flush=True
        )
        return True


def _kind(path: str) -> str:
    """A page's kind: its path with the numbers taken out and its query's names without their values."""
    parts = urlsplit(path)
    names = sorted(re.findall(r"([^&=]+)=", parts.query))
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(names)


def _sweep_persona(sweep: Sweep, page: Page, persona: str, *, signed_in: bool) -> None:
    """The navigation's links and the first page's, then the pages their lists lead to, two of each kind. The public
    area is the citizen's: a signed-in person's links to it lead to the same pages."""
    if signed_in:
        page.goto(sweep.base + "/")
        first = sweep.page_links(page, "header a[href], main a[href]")
    else:
        page.goto(sweep.base + "/cong-khai/")
        first = [*sweep.page_links(page, "header a[href], main a[href], footer a[href]"), *CITIZEN_DOORS]
    visited: set[str] = set()
    kinds: Counter[str] = Counter()
    below: list[str] = []

    def wanted(path: str) -> bool:
        return path not in visited and not (signed_in and path.startswith(PUBLIC_AREA))

    for path in filter(wanted, first):
        visited.add(path)
        kinds[_kind(path)] += 1
        if sweep.check(page, persona, path):
            below.extend(sweep.page_links(page, "main a[href]"))
    for path in filter(wanted, below):
        if kinds[_kind(path)] >= ROWS_PER_KIND:
            continue
        visited.add(path)
        kinds[_kind(path)] += 1
        sweep.check(page, persona, path)


@pytest.fixture
def world(live_server, migrated_rows, settings, tmp_path, monkeypatch) -> Iterator[None]:
    """The access matrix's world of two wards, every kind of object in every state, made through the services; its
    printed reports are not laid out (no page here opens a PDF), which saves most of the time it takes."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("programmes.documents.html_to_pdf", _pdf_without_layout)
    with translation.override("vi"), override_settings(MEDIA_ROOT=tmp_path):
        build_world()
        yield


@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_persona_fits_a_phone(live_server, world, browser: Browser) -> None:
    sweep = Sweep(base=live_server.url)
    for persona, username in PERSONAS.items():
        context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)  # type: ignore[arg-type]
        page = context.new_page()
        if username is not None:
            log_in(page, live_server.url, username)
        _sweep_persona(sweep, page, persona, signed_in=username is not None)
        context.close()

    total = sum(sweep.checked.values())
    print(f"\nPages checked at 375 px: {total} ({', '.join(f'{who} {n}' for who, n in sweep.checked.items())})")
    assert total > 100
    assert sweep.failures == [], "\n".join(sweep.failures)
