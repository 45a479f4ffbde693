"""The public selectors say in SQL exactly what `publication.is_public` and `public_commitment` say in Python."""

import itertools

import pytest
from django.utils import timezone

from programmes.action_programmes.publication import is_public, public_commitment
from programmes.models import ActionProgramme, Commitment, ProgrammeState, PublicityLevel
from publicity.selectors import public_commitment_q, public_programmes
from tests.programmes.programme_data import make_confirmed

pytestmark = pytest.mark.django_db


def test_the_sql_rule_agrees_with_the_predicates_for_every_allowed_combination(cast):
    programme = make_confirmed(cast.member, cast.secretary.user)
    commitment = Commitment.objects.filter(programme=programme).first()
    assert commitment is not None
    checked = 0
    for state, maximum, level, consent, cap in itertools.product(
        ProgrammeState.values,
        PublicityLevel.values,
        PublicityLevel.values,
        (None, timezone.now()),
        (None, *PublicityLevel.values),
    ):
        if level > maximum or (level > PublicityLevel.COMMITTEE and consent is None):
            continue  # refused by the database's constraints
        ActionProgramme.objects.filter(pk=programme.pk).update(
            state=state, publicity_max=maximum, publicity_level=level, publication_consent_at=consent
        )
        Commitment.objects.filter(pk=commitment.pk).update(publicity_cap=cap)
        programme.refresh_from_db()
        commitment.refresh_from_db()
        listed = public_programmes().filter(pk=programme.pk).exists()
        assert listed == is_public(programme), (state, maximum, level, consent, cap)
        shown = listed and Commitment.objects.filter(public_commitment_q(), pk=commitment.pk).exists()
        assert shown == public_commitment(commitment, programme), (state, maximum, level, consent, cap)
        checked += 1
    assert checked > 100
