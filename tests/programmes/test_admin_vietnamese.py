"""The admin and Django's own messages in Vietnamese: what Django's Vietnamese catalogues and the third-party apps
leave in English is translated in locale_vendor/ (in LOCALE_PATHS after the portal's own locale/).

The English messages are read where they come from: Django's English catalogues, and the installed third-party
packages' source (extracted as makemessages does), so that an upgrade bringing a new message fails here."""

import contextlib
import importlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real
from django.utils.translation.trans_real import DjangoTranslation
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from tests.factories import admin_staff, client_for

DJANGO = Path(django.__file__).parent
# Django's English catalogues of the parts the admin and the portal's forms show.
DJANGO_CATALOGUES = {
    "django": ["conf", "contrib/admin", "contrib/auth", "contrib/contenttypes"],
    "djangojs": ["contrib/admin"],
}
# The installed third-party apps whose messages reach the admin or the portal's pages (crispy-forms has none).
THIRD_PARTY = ["django_celery_beat", "axes", "django_otp", "django_filters", "treebeard", "simple_history"]
# The admin's JavaScript catalogue: the packages whose djangojs messages it serves here.
JAVASCRIPT_PACKAGES = ["django.contrib.admin", "treebeard"]

# Written the same in Vietnamese, so a translation equal to the English is right for these alone.
SAME_IN_BOTH_LANGUAGES = {
    # protocol names and units
    "IPv4",
    "IPv6",
    "%(size)d byte",
    "%s KB",
    "%s MB",
    "%s GB",
    "%s TB",
    "%s PB",
    # punctuation, and text with nothing but placeholders
    "…",
    "%(truncated_text)s…",
    ":?.!",
    ":",
    ", ",
    "%(class_name)s %(instance)s",
    # the word Vietnamese forms use as is
    "Email",
    # a language named in itself in the portal's language menu (the portal's own catalogue says so)
    "English",
}

VENDOR = Path(settings.BASE_DIR) / "locale_vendor/vi/LC_MESSAGES"


def _messages(catalogue: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(catalogue)) if not entry.obsolete and entry.msgid]


@pytest.fixture(scope="module")
def third_party_messages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[polib.POEntry]]:
    """Each third-party package's messages by domain, extracted from its installed source by makemessages, in a
    copy (so that nothing is written into the virtual environment) and with no LOCALE_PATHS (nor into locale/)."""
    found: dict[str, list[polib.POEntry]] = {"django": [], "djangojs": []}
    for package in THIRD_PARTY:
        source = _package_dir(package)
        copy = tmp_path_factory.mktemp(package) / package
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "tests", "migrations"))
        (copy / "locale").mkdir()
        with contextlib.chdir(copy), override_settings(LOCALE_PATHS=[]):
            for domain in found:
                call_command("makemessages", locale=["en"], domain=domain, verbosity=0, no_obsolete=True)
        for domain in found:
            extracted = copy / f"locale/en/LC_MESSAGES/{domain}.po"
            if extracted.exists():
                found[domain] += _messages(extracted)
    return found


def _untranslated(entries: list[polib.POEntry], catalogue: DjangoTranslation) -> list[str]:
    left = []
    for entry in entries:
        if entry.msgid_plural:
            text = (
                catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                if entry.msgctxt
                else (catalogue.ngettext(entry.msgid, entry.msgid_plural, 2))
            )
            english = {entry.msgid, entry.msgid_plural}
        else:
            text = catalogue.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else catalogue.gettext(entry.msgid)
            english = {entry.msgid}
        if text in english and entry.msgid not in SAME_IN_BOTH_LANGUAGES:
            left.append(entry.msgid)
    return left


def _package_dir(name: str) -> Path:
    return Path(importlib.import_module(name).__path__[0])


def _vietnamese(domain: str) -> DjangoTranslation:
    """The catalogue a Vietnamese page reads: the django domain as every view gets it, djangojs as the admin's
    JavaScriptCatalog builds it (its packages' catalogues, then LOCALE_PATHS)."""
    if domain == "django":
        return trans_real.translation("vi")
    paths = [str(_package_dir(package) / "locale") for package in JAVASCRIPT_PACKAGES]
    return DjangoTranslation("vi", domain="djangojs", localedirs=paths)


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_message_of_djangos_english_catalogues_reads_in_vietnamese(domain: str) -> None:
    catalogue = _vietnamese(domain)
    for part in DJANGO_CATALOGUES[domain]:
        entries = _messages(DJANGO / part / f"locale/en/LC_MESSAGES/{domain}.po")
        assert entries, part
        assert _untranslated(entries, catalogue) == [], part


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_message_of_the_third_party_apps_reads_in_vietnamese(domain: str, third_party_messages) -> None:
    assert len(third_party_messages["django"]) > 250  # the extraction found them: celery-beat alone has 120
    assert _untranslated(third_party_messages[domain], _vietnamese(domain)) == []


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sdr]|%[sd]|\{[^{}]*\}|</?\w+[^>]*>", text))


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_translations_keep_every_placeholder_and_tag(domain: str) -> None:
    for entry in _messages(VENDOR / f"{domain}.po"):
        english = _placeholders(entry.msgid)
        if entry.msgid == "{0} task{1} {2} successfully run":
            english.remove("{1}")  # the English plural "s" of "task", which Vietnamese does not have
        translated = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
        assert _placeholders(translated) == english, entry.msgid
        assert "fuzzy" not in entry.flags, entry.msgid


def test_the_portals_own_catalogue_comes_first() -> None:
    assert [Path(path).name for path in settings.LOCALE_PATHS] == ["locale", "locale_vendor"]


# Shown in English before locale_vendor/ existed.
ENGLISH_BEFORE = [
    "Skip to main content",
    "Toggle theme",
    "Toggle navigation",
    "Filter navigation items",
    "Show counts",
    "Hide counts",
    "Enable selected",
    "Disable selected",
    "Run selected",
    "Toggle activity",
    "Periodic tasks",
    "Periodic Tasks",
    "Clocked",
    "Schedule<",
    "Arguments<",
    "Execution Options",
    "Interval Schedule",
    "Crontab Schedule",
    "Solar Schedule",
    "Short Description",
    "Set only one schedule type",
    "every 10 minutes",
    "Task (registered)",
    "Task (custom)",
    ">Minutes<",
    ">Days<",
    "Sunrise",
    "Sunset",
    "Solar noon",
    "Astronomical",
    "Run the task",
    "Password-based authentication",
    "Raw passwords are not stored",
    "current password for this user will be lost",
    "Whether the user will be able to authenticate",
    "Set password",
    "Breadcrumbs",
    "Sidebar",
    "Error:",
    ">Scheduler<",
    "Crontab translation",
    'alt="Search"',
]


@pytest.fixture
def periodic_task(db: None) -> PeriodicTask:
    every_ten_minutes = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(name="Nhắc hạn nộp", task="programmes.tasks.remind", interval=every_ten_minutes)


def _pages(periodic_task: PeriodicTask, user_id: int) -> Iterator[str]:
    yield reverse("admin:index")
    yield reverse("admin:django_celery_beat_periodictask_changelist")
    yield reverse("admin:django_celery_beat_periodictask_change", args=[periodic_task.pk])
    yield reverse("admin:django_celery_beat_intervalschedule_add")
    yield reverse("admin:django_celery_beat_solarschedule_add")
    yield reverse("admin:auth_user_change", args=[user_id])
    yield reverse("admin:auth_user_password_change", args=[user_id])
    yield reverse("admin:password_change")


def test_the_admin_pages_a_superuser_opens_have_no_english_left(superuser_client: Client, periodic_task) -> None:
    user_id = superuser_client.session["_auth_user_id"]
    for url in _pages(periodic_task, int(user_id)):
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        text = response.text
        for english in ENGLISH_BEFORE:
            assert english not in text, (url, english)
        if url != reverse("admin:password_change"):  # that one is the portal's own page (templates/registration)
            assert "Chuyển đến nội dung chính" in text, url


def test_the_periodic_tasks_list_offers_its_actions_in_vietnamese(superuser_client: Client, periodic_task) -> None:
    text = superuser_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).text
    for action in ["Bật các việc đã chọn", "Tắt các việc đã chọn", "Chạy ngay các việc đã chọn", "Hiện số lượng"]:
        assert action in text, action
    form = superuser_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[periodic_task.pk])).text
    assert "mỗi 10 phút" in form and "Lịch chạy" in form and "Tham số theo tên" in form
    assert "Diễn giải lịch crontab" in form


def test_enabling_a_task_from_the_list_says_so_in_vietnamese(superuser_client: Client, periodic_task) -> None:
    periodic_task.enabled = False
    periodic_task.save()
    response = superuser_client.post(
        reverse("admin:django_celery_beat_periodictask_changelist"),
        {"action": "enable_tasks", "_selected_action": [periodic_task.pk]},
        follow=True,
    )
    assert "Đã bật 1 việc" in response.text
    periodic_task.refresh_from_db()
    assert periodic_task.enabled


def test_the_admin_javascript_catalogue_is_vietnamese(superuser_client: Client) -> None:
    script = superuser_client.get(reverse("admin:jsi18n")).content.decode()
    # The script writes its catalogue in ASCII, Vietnamese letters as \\u escapes.
    catalogue = re.sub(r"\\u([0-9a-f]{4})", lambda escape: chr(int(escape[1], 16)), script)
    assert '"Choose all %s": "Chọn tất cả %s"' in catalogue
    assert '"Sunday": "Chủ nhật"' in catalogue


def test_a_ward_staff_member_sees_the_admin_index_in_vietnamese(cast) -> None:
    text = client_for(admin_staff(cast.org_board, "programmes")).get(reverse("admin:index")).text
    for english in ["Skip to main content", "Toggle theme", "Toggle navigation", "Sidebar", "Filter navigation"]:
        assert english not in text, english
    assert "Chuyển đến nội dung chính" in text and "Đổi giao diện sáng/tối" in text


def test_a_crontab_schedule_is_worded_in_the_readers_language():
    """celery-beat words a crontab through cron_descriptor, which followed the server's system language."""
    schedule = CrontabSchedule(minute="0", hour="2", timezone="Asia/Ho_Chi_Minh")
    with translation.override("vi"):
        assert schedule.human_readable == "Tại 02:00 Asia/Ho_Chi_Minh"
    with translation.override("en"):
        assert schedule.human_readable == "At 02:00 AM Asia/Ho_Chi_Minh"
