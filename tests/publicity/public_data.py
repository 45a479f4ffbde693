"""Published programmes for the public-page tests, made through the real services."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from programmes.action_programmes import publication, services
from programmes.models import ActionProgramme, Cadre, PublicityLevel
from tests.programmes.programme_data import make_confirmed, submit

AMENDMENT_REASON = "Khu phố được giao thêm nhiệm vụ cải cách hành chính nên nâng chỉ tiêu."


def owner_user(programme: ActionProgramme) -> User:
    user = programme.owner.user
    assert user is not None, "the owner needs an account"
    return user


def publish(programme: ActionProgramme) -> ActionProgramme:
    """The owner consents and sets the level to PUBLIC (the confirmer allowed it)."""
    user = owner_user(programme)
    publication.consent_give(programme=programme, acting_user=user)
    publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=user)
    programme.refresh_from_db()
    return programme


def unpublish(programme: ActionProgramme) -> ActionProgramme:
    """The owner withdraws consent: the programme goes back inside the party at once."""
    publication.consent_withdraw(programme=programme, acting_user=owner_user(programme))
    programme.refresh_from_db()
    return programme


def make_public(owner: Cadre, confirmer: User, **options: Any) -> ActionProgramme:
    return publish(make_confirmed(owner, confirmer, **options))


def amend_target(programme: ActionProgramme, confirmer: User, target: str, reason: str = AMENDMENT_REASON) -> None:
    """A confirmed amendment moving the first commitment's target to `target`."""
    user = owner_user(programme)
    version = services.amendment_start(programme=programme, reason=reason, acting_user=user)
    first = version.terms.order_by("position").first()
    assert first is not None
    services.commitment_update(terms=first, content={"target_value": Decimal(target)}, acting_user=user)
    submitted = submit(programme, version.number)
    services.programme_confirm(version=submitted, publicity_max=PublicityLevel.PUBLIC, acting_user=confirmer)
    programme.refresh_from_db()
