"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, so Django's guard against database
access from async code must be lifted for the fixtures that build data.
"""

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


_audit_trigger = importlib.import_module("programmes.migrations.0002_audit_append_only_trigger")
_confirmer_rules = importlib.import_module("programmes.migrations.0005_default_confirmer_rules")
_rule_sets = importlib.import_module("reviews.migrations.0002_rule_sets")
_report_schedules = importlib.import_module("reviews.migrations.0004_report_schedules")


def _set_audit_trigger(*, present: bool) -> None:
    with connection.schema_editor() as editor:
        _audit_trigger.drop_trigger(None, editor)
        if present:
            _audit_trigger.create_trigger(None, editor)


@pytest.fixture(autouse=True)
def _migrated_state_restored(django_db_blocker: Any) -> Iterator[None]:
    """Torn down after the live server's flush: the next test finds what the migrations put in place,
    the append-only protection of the audit log, the default confirmer rules, the rule sets and the
    report schedules."""
    yield
    with django_db_blocker.unblock():
        _set_audit_trigger(present=True)
        _confirmer_rules.add_rules(django_apps, None)
        _rule_sets.add_rule_sets(django_apps, None)
        _report_schedules.add_schedules(django_apps, None)


@pytest.fixture
def _django_db_helper(_migrated_state_restored: None, _django_db_helper: None) -> None:
    """pytest-django's database fixture, made to depend on the restorer so that its flush runs first.

    pytest-django's marker requests `_django_db_helper` before any autouse fixture; without this
    override it would be torn down, and the database flushed, after the restorer had already run.
    """
    return _django_db_helper


@pytest.fixture(autouse=True)
def _audit_log_flushable(_migrated_state_restored: None, live_server: Any) -> Iterator[None]:
    """The live server's tests end by emptying every table, which the append-only audit log refuses:
    lift the protection for that flush only."""
    yield
    _set_audit_trigger(present=False)


class ConsoleLog(list[str]):
    """Errors the page reported, such as content-security-policy refusals."""


@pytest.fixture
def console_errors() -> ConsoleLog:
    return ConsoleLog()


def _record_console_errors(page: Page, console_errors: ConsoleLog) -> None:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", record)


def _make_page(browser: Browser, console_errors: ConsoleLog, **context_options: object) -> Iterator[Page]:
    # Reduced motion turns Bootstrap's transitions off: axe then reads a button's colours at rest, not halfway
    # through the hover fade of the button just clicked.
    context = browser.new_context(locale="vi-VN", reduced_motion="reduce", **context_options)  # type: ignore[arg-type]
    page = context.new_page()
    _record_console_errors(page, console_errors)
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, console_errors: ConsoleLog) -> Iterator[Page]:
    yield from _make_page(browser, console_errors)


@pytest.fixture
def phone_page(browser: Browser, console_errors: ConsoleLog) -> Iterator[Page]:
    yield from _make_page(browser, console_errors, viewport={"width": 375, "height": 812}, is_mobile=True)


@pytest.fixture
def open_page(browser: Browser, console_errors: ConsoleLog) -> Iterator[Callable[..., Page]]:
    """A new person's browser on each call: its own context, so its own session cookie. `record_console=False` for
    a person whose refusals (a 404) the browser reports as console errors."""
    contexts: list[BrowserContext] = []

    def make(*, record_console: bool = True) -> Page:
        context = browser.new_context(locale="vi-VN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        if record_console:
            _record_console_errors(page, console_errors)
        return page

    yield make
    for context in contexts:
        context.close()
