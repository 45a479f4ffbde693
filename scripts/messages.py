"""Refresh the translation catalogues after changing visible text.

The portal's source strings are Vietnamese, so the Vietnamese catalogue is the identity: this script
fills it (msgstr = msgid) and keeps the translations already made in the English one, marking new
or changed English entries empty so that `make test` lists them until someone translates them.

    .venv/bin/python scripts/messages.py
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
# templates/admin/ holds copies of Django's admin templates: their English messages are Django's, translated by
# Django's catalogues (and locale_vendor/); extracted here, the identity Vietnamese catalogue would override them.
IGNORED = [".venv", "var", "static", "node_modules", "templates/admin"]


def make_messages() -> None:
    ignore = [f"--ignore={folder}" for folder in IGNORED]
    command = [*MANAGE, "makemessages", "-l", "vi", "-l", "en", "--no-location", "--no-obsolete", *ignore]
    subprocess.run(command, cwd=ROOT, check=True)


def set_headers(catalogue: polib.POFile, language: str) -> None:
    catalogue.metadata.update(
        {
            "Project-Id-Version": "cadre action-programme portal",
            "Language": language,
            "Language-Team": language,
            "Last-Translator": "portal maintainers",
            "PO-Revision-Date": catalogue.metadata.get("POT-Creation-Date", ""),
        }
    )
    # makemessages marks a new catalogue's header fuzzy, which msgfmt would then skip. polib keeps the
    # header's flags there (a list, typed bool in its stubs) and writes the mark whenever it is true.
    if catalogue.metadata_is_fuzzy:
        catalogue.metadata_is_fuzzy = False


def fill_vietnamese(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    set_headers(catalogue, "vi")
    for entry in catalogue:
        if entry.msgid_plural:
            # Vietnamese has one plural form.
            entry.msgstr_plural = {0: entry.msgid}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
    catalogue.save()


def tidy_english(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    set_headers(catalogue, "en")
    for entry in catalogue:
        # A fuzzy match is makemessages' guess from a similar old string: never ship it as a translation.
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            entry.previous_msgid = None
            entry.previous_msgid_plural = None
            entry.previous_msgctxt = None
    catalogue.save()
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    print(f"{path.relative_to(ROOT)}: {len(untranslated)} untranslated")
    for msgid in untranslated:
        print(f"  {msgid!r}")


def main() -> None:
    make_messages()
    fill_vietnamese(ROOT / "locale/vi/LC_MESSAGES/django.po")
    tidy_english(ROOT / "locale/en/LC_MESSAGES/django.po")


if __name__ == "__main__":
    main()
