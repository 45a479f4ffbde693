"""One numbering of a programme's commitments: by section (I, II, III… in the order of the content groups the
version holds) and place in it, "II.2", the same on the programme's page, the public page, in print, in the
feedback form's choice and on the feedback case page."""

import html
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from programmes.action_programmes.numbering import commitment_numbers
from programmes.models import CommitmentCategory, CommitmentTerms
from tests.factories import client_for
from tests.programmes.test_documents import flowing_text, nfc
from tests.publicity.feedback_data import send
from tests.publicity.public_data import make_public

pytestmark = pytest.mark.django_db

# Entered in this order; printed and shown by section.
CATEGORIES = (
    CommitmentCategory.PROFESSIONAL_TASK,
    CommitmentCategory.POLITICS_ETHICS,
    CommitmentCategory.PROFESSIONAL_TASK,
    CommitmentCategory.PARTY_BUILDING,
)
EXPECTED = ("II.1", "I.1", "II.2", "III.1")


def test_numbers_go_by_section_then_by_the_order_given():
    terms = [CommitmentTerms(commitment_id=pk, category=c, position=pk) for pk, c in enumerate(CATEGORIES, start=1)]

    assert commitment_numbers(terms) == dict(enumerate(EXPECTED, start=1))


def test_the_same_commitment_has_the_same_number_on_every_page_in_print_and_in_feedback(cast):
    programme = make_public(cast.member, cast.secretary.user, weights=(30, 20, 30, 20))
    assert programme.current_version is not None
    terms = list(programme.current_version.terms.order_by("position"))
    for item, category in zip(terms, CATEGORIES, strict=True):
        CommitmentTerms.objects.filter(pk=item.pk).update(category=category)
        item.statement = f"Cam kết thứ {item.position} của đồng chí Ánh"
        CommitmentTerms.objects.filter(pk=item.pk).update(statement=item.statement)
    cache.clear()
    last = terms[3]  # entered fourth, the first of the third section
    assert EXPECTED[3] == "III.1"

    owner_page = html.unescape(
        client_for(cast.member.user).get(reverse("programmes:programme_detail", args=[programme.pk])).text
    )
    public_page = html.unescape(Client().get(reverse("publicity:public_programme", args=[programme.pk])).text)
    pdf = client_for(cast.member.user).get(reverse("programmes:programme_pdf", args=[programme.pk])).content
    form_page = html.unescape(Client().get(reverse("publicity:feedback_new", args=[programme.pk])).text)
    case = send(programme, commitment=last.commitment)
    case_page = html.unescape(client_for(cast.overseer).get(reverse("oversight:case", args=[case.pk])).text)

    heading = re.compile(r"Nội dung ([IVX]+\.\d+) · Xây dựng Đảng")
    assert heading.findall(owner_page) == ["III.1"]
    assert heading.findall(public_page) == ["III.1"]
    # In print: the section's numeral heads the group, the number stands before the statement.
    printed = flowing_text(pdf)
    assert nfc("III. Xây dựng Đảng") in printed, printed
    assert nfc("III.1 Cam kết thứ 4 của đồng chí Ánh") in printed, printed
    assert f'<option value="{last.commitment_id}">Nội dung III.1: Cam kết thứ 4' in form_page
    assert "III.1. Cam kết thứ 4 của đồng chí Ánh" in case_page
    # Every page lists them by section: I.1, II.1, II.2, III.1.
    order = re.findall(r"Nội dung ([IVX]+\.\d+) ·", owner_page)
    assert order == ["I.1", "II.1", "II.2", "III.1"] == re.findall(r"Nội dung ([IVX]+\.\d+) ·", public_page)
