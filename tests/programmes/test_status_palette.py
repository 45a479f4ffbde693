"""One status palette: every state of every state machine has its colour and label, the same on every page."""

import re

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse

from programmes.status_palette import TONE_CLASSES, machine, machines, registered_models
from reviews.models import Review, ReviewState
from tests.factories import client_for
from tests.programmes.programme_data import make_confirmed
from tests.reviews.review_data import open_period, write_and_submit

PORTAL_APPS = ("programmes", "reviews", "publicity")


def state_fields() -> list[tuple[type, str, list[str]]]:
    """Every field of the portal's own models that holds a state or a status with fixed choices."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PORTAL_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if field.name in ("state", "status") and field.choices:
                found.append((model, field.name, [str(value) for value, _label in field.choices]))
    return found


def test_every_state_field_of_every_model_is_in_the_palette():
    fields = state_fields()
    assert len(fields) >= 12
    registered = registered_models()
    for model, field, values in fields:
        assert model in registered, f"{model.__name__}.{field} has no status palette"
        kind, registered_field = registered[model]
        assert registered_field == field
        found = machine(kind)
        for value in values:
            assert found.css_class(value) in TONE_CLASSES.values(), f"{kind}: {value}"
            assert found.label(value)


def test_every_machine_gives_every_state_a_tone_and_its_own_label():
    expected = {"programme", "version", "progress", "review", "decision", "appeal", "period", "feedback_case"}
    assert expected <= set(machines())
    for kind, found in machines().items():
        for value, label in found.choices.choices:
            assert found.tones[value], f"{kind}: {value}"
            assert found.label(value) == str(label)


def test_the_tag_draws_a_badge_with_the_machines_label_or_the_pages_own():
    page = Template(
        '{% load status %}{% status_badge "returned" "programme" %}|{% status_badge "open" "period" "Mở" %}'
    )
    assert page.render(Context()) == (
        '<span class="badge text-bg-danger" data-state="programme-returned">Bị trả lại để sửa</span>|'
        '<span class="badge text-bg-info" data-state="period-open">Mở</span>'
    )


def test_a_state_the_palette_does_not_know_is_an_error_not_a_grey_badge():
    with pytest.raises(KeyError):
        Template('{% load status %}{% status_badge "lost" "review" %}').render(Context())


def badge_of(page: str, kind: str, state: str) -> str:
    """The classes of the badge a page shows for a state."""
    found = re.search(rf'<span class="badge ([^"]+)" data-state="{kind}-{state}">([^<]+)</span>', page)
    assert found, f"no badge for {kind}-{state}"
    return found.group(1) + " · " + found.group(2)


@pytest.mark.django_db
def test_a_submitted_review_has_one_colour_on_the_cell_page_and_the_period_page(cast):
    make_confirmed(cast.member, cast.secretary.user)
    period = open_period(cast.ward, cast.org_board)
    review = write_and_submit(Review.objects.get(period=period, cadre=cast.member))
    assert review.state == ReviewState.SELF_SUBMITTED
    client = client_for(cast.secretary.user)
    cell_page = client.get(reverse("reviews:cell_reviews", args=[period.pk, cast.cell_a.pk])).text
    period_page = client.get(reverse("reviews:period_detail", args=[period.pk])).text
    review_page = client_for(cast.member.user).get(reverse("reviews:review_detail", args=[review.pk])).text
    on_cell = badge_of(cell_page, "review", "self_submitted")
    assert on_cell == "text-bg-warning · Đã nộp bản kiểm điểm"
    assert badge_of(period_page, "review", "self_submitted") == on_cell
    assert badge_of(review_page, "review", "self_submitted") == on_cell
