"""The city-scale benchmark's data builder, at a tiny scale: the rows it promises, a valid tree, rows that pass
the models' own validation, and the portal's pages answering on them. COPY needs PostgreSQL."""

import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.urls import reverse

from programmes.models import ActionProgramme, Cadre, PartyOrganisation, RoleAssignment
from programmes.text import fold
from publicity.dashboards.refresh import refresh_all
from publicity.models import OrganisationSummary
from publicity.selectors import public_programmes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from city_data import build, table_counts
from city_plan import STAFF_PASSWORD, Plan
from city_rows import COLUMNS

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the builder loads with PostgreSQL's COPY"),
]
TINY = 0.001
SAMPLE = 5


def test_the_tiny_city_is_built_whole_and_valid() -> None:
    """One build, checked from every side (a build and the flush after it cost most of the test's time)."""
    city = Plan.for_scale(TINY)
    build(city, make_password(STAFF_PASSWORD), report=lambda _line: None)
    every_table_has_the_rows_of_the_plan(city)
    the_tree_is_treebeards_own(city)
    a_sample_of_every_model_passes_full_clean()
    the_portals_pages_answer_on_the_built_data()
    new_rows_take_identifiers_after_the_loaded_ones(city)


def every_table_has_the_rows_of_the_plan(city: Plan) -> None:
    counts = table_counts()
    assert counts == city.counts()
    assert counts["programmes.ActionProgramme"] == counts["programmes.Cadre"] == round(370_000 * TINY)
    # Published programmes exist, and some of every state a year brings.
    assert public_programmes().exists()
    states = set(ActionProgramme.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "confirmed", "closed"} <= states


def the_tree_is_treebeards_own(city: Plan) -> None:
    assert all(problems == [] for problems in PartyOrganisation.objects.find_problems())
    city_node = PartyOrganisation.objects.get(code="79")
    ward = PartyOrganisation.objects.filter(kind="commune_committee", valid_from__isnull=False).first()
    assert ward is not None
    tree = PartyOrganisation.objects
    assert tree.get_parent(ward) == city_node
    assert tree.filter(path__startswith=ward.path, depth=ward.depth + 1).count() == city.cells_per_ward
    assert tree.filter(path__startswith=city_node.path).exclude(pk=city_node.pk).count() == len(city.units) - 1
    # Names fold as the model's save would fold them.
    assert all(cadre.name_folded == fold(cadre.full_name) for cadre in Cadre.objects.all()[:50])


def a_sample_of_every_model_passes_full_clean() -> None:
    for label in COLUMNS:
        manager = apps.get_model(label)._default_manager
        for row in [*manager.order_by("pk")[:SAMPLE], *manager.order_by("-pk")[:SAMPLE]]:
            row.full_clean()


def new_rows_take_identifiers_after_the_loaded_ones(city: Plan) -> None:
    ward = PartyOrganisation.objects.filter(kind="commune_committee").order_by("path").last()
    assert ward is not None
    cell = PartyOrganisation.objects.add_child(
        ward, {"code": "79-NEW-CB", "name": "Chi bộ mới", "kind": "grassroots_cell"}
    )
    assert cell.pk > len(city.units)
    assert Cadre.objects.create(code="79-NEW", full_name="Nguyễn Văn Mới").pk == city.members + 1


def the_portals_pages_answer_on_the_built_data() -> None:
    client = Client()
    programme = public_programmes().order_by("pk").first()
    assert programme is not None
    ward = PartyOrganisation.objects.get_parent(programme.organisation)
    assert ward is not None
    home = reverse("publicity:public_home")
    for url in (
        home,
        f"{home}?khu_vuc={ward.pk}",
        reverse("publicity:public_programme", args=[programme.pk]),
        f"{home}?q=nguyen+van+an",
        f"{home}?q=Nguyễn+Văn+An",
        reverse("publicity:public_changes_feed"),
    ):
        assert client.get(url).status_code == 200, url
    signed_in = client.post(reverse("login"), {"username": "bench.ward.staff", "password": STAFF_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("programmes:programme_list")).status_code == 200
    # The dashboards, once the nightly run has counted the figures (the benchmark runs it as an operation).
    refresh_all()
    city = PartyOrganisation.objects.get(code="79")
    assert OrganisationSummary.objects.get(organisation=city, scope="subtree").members == Cadre.objects.count()
    big_ward = RoleAssignment.objects.get(user__username="bench.ward.staff").organisation
    assert client.get(reverse("dashboards:organisation", args=[big_ward.pk])).status_code == 200
    assert client.get(reverse("dashboards:organisation", args=[city.pk])).status_code == 403
    assert Client().get(reverse("publicity:area_dashboard", args=[big_ward.pk])).status_code == 200
    city_staff = Client()
    city_staff.post(reverse("login"), {"username": "bench.city.staff", "password": STAFF_PASSWORD})
    assert city_staff.get(reverse("dashboards:organisation", args=[city.pk])).status_code == 200
