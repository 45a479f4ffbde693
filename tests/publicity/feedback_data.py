"""Citizen feedback cases for the tests, made through the real services."""

import typing
from typing import Any

from django.contrib.auth.models import User

from programmes.models import ActionProgramme, Commitment, PartyOrganisation, Role
from publicity import feedback
from publicity.models import FeedbackCase
from tests.factories import RoleAssignmentFactory, UserFactory

SENDER = {"name": "Ngô Thị Hạnh", "email": "hanh.ngo@example.vn", "phone": "0903 555 123"}
FEEDBACK_TEXT = "Khu phố chưa thấy tổ chức buổi đối thoại nào với người dân như chương trình đã hứa."


def send(
    programme: ActionProgramme,
    *,
    commitment: Commitment | None = None,
    address: str = "203.0.113.7",
    contact: dict[str, str] | None = None,
    **overrides: Any,
) -> FeedbackCase:
    values: dict[str, Any] = {"kind": "report", "text": FEEDBACK_TEXT, **(SENDER if contact is None else contact)}
    values.update(overrides)
    return feedback.feedback_submit(programme=programme, commitment=commitment, source_address=address, **values)


def overseer_of(organisation: PartyOrganisation, role: str = Role.FRONT_OVERSEER, username: str | None = None) -> User:
    """An oversight account (the Front unless told) for `organisation` and the area below it."""
    user = UserFactory(username=username) if username else UserFactory()
    RoleAssignmentFactory(user=user, role=role, organisation=organisation)
    return typing.cast(User, user)
