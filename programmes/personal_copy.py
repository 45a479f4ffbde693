"""The copy of a person's data (“Dữ liệu của tôi”): its parts and labelled records, how each value is printed, and
the register of parts that each app fills in its own `personal_data` module with `@part(order)`
(programmes/personal_data.py says what the copy holds)."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import autodiscover_modules
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programmes.models import Cadre
from programmes.programme_document import format_number
from programmes.web import person_name


@dataclass(frozen=True)
class Entry:
    """One value: `name` is its key in the JSON copy, `label` and `shown` what the page prints."""

    name: str
    label: str
    value: object
    shown: str


@dataclass
class Record:
    title: str
    entries: list[Entry]
    parts: list["Part"] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            **{entry.name: entry.value for entry in self.entries},
            **{part.key: [record.as_json() for record in part.records] for part in self.parts},
        }


@dataclass
class Part:
    key: str
    title: str
    records: list[Record]
    # What the part leaves out and why, or where the rest is (files are downloaded from their own pages).
    note: str = ""


@dataclass
class PersonalData:
    user: User
    cadre: Cadre | None
    generated_at: datetime.datetime
    parts: list[Part]

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            **{part.key: [record.as_json() for record in part.records] for part in self.parts},
        }


PartBuilder = Callable[[User, Cadre | None], Part]
_BUILDERS: list[tuple[int, PartBuilder]] = []


def part(order: int) -> Callable[[PartBuilder], PartBuilder]:
    """Declare a part of the copy; parts are shown by `order` (programmes use tens, reviews 80, feedback 100)."""

    def register(builder: PartBuilder) -> PartBuilder:
        _BUILDERS.append((order, builder))
        return builder

    return register


def personal_data_for(user: User) -> PersonalData:
    """Everything the portal holds on `user`, gathered from every app's parts."""
    autodiscover_modules("personal_data")
    cadre = Cadre.objects.filter(user=user).first()
    builders = sorted(_BUILDERS, key=lambda item: item[0])
    return PersonalData(
        user=user,
        cadre=cadre,
        generated_at=timezone.now(),
        parts=[builder(user, cadre) for _order, builder in builders],
    )


# --- Building records ------------------------------------------------------------------------------------------


def shown_value(value: object) -> str:
    """A value as the portal prints it: dates as dd/mm/yyyy, times in the portal's time zone, Vietnamese figures,
    yes or no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


def json_value(value: object) -> object:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def entry(name: str, label: str, value: object, shown: str | None = None) -> Entry:
    return Entry(name, label, json_value(value), shown if shown is not None else shown_value(value))


def entries(obj: models.Model, names: Iterable[str]) -> list[Entry]:
    """The named fields of `obj`, labelled with their verbose names; a choice prints as its label."""
    found = []
    for name in names:
        model_field = cast(models.Field[Any, Any], obj._meta.get_field(name))
        value = getattr(obj, model_field.attname)
        shown = getattr(obj, f"get_{name}_display")() if model_field.choices and value not in (None, "") else None
        found.append(entry(name, capfirst(str(model_field.verbose_name)), value, shown))
    return found


def record(title: str, obj: models.Model, *items: str | Entry) -> Record:
    """A record of `obj` with its entries in the order given: a field's name stands for the field's entry (as
    `entries` makes it), an Entry for itself."""
    return Record(title, [item if isinstance(item, Entry) else entries(obj, [item])[0] for item in items])


def named(name: str, label: str, organisation: models.Model | str | None) -> Entry:
    """An organisation (or anything with a name) by its name only."""
    text = str(getattr(organisation, "name", organisation)) if organisation is not None else ""
    return entry(name, label, text)


def person(name: str, label: str, user: User | None) -> Entry:
    """Someone else, named as the portal names them on the page where this person meets them."""
    return entry(name, label, person_name(user))
