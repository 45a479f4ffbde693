"""Programmes built through the real services, for tests of every layer."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from programmes.action_programmes import services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    ActionProgramme,
    Cadre,
    CadrePrivateDetails,
    CommitmentCategory,
    Occasion,
    ProgrammeVersion,
    ProgressReport,
    ProgressStatus,
    PublicityLevel,
)
from tests.factories import PrivateDetailsFactory

TERM_START = datetime.date(2026, 1, 1)
TERM_END = datetime.date(2026, 12, 31)


def commitment_content(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """A task commitment that passes the quality check on its own (weight 100 unless told)."""
    content: dict[str, Any] = {
        "category": CommitmentCategory.PROFESSIONAL_TASK,
        "statement": f"Giải quyết đúng hạn 100% hồ sơ hành chính của khu phố, đợt {number}",
        "is_deliverable": False,
        "indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "unit": "%",
        "baseline_value": Decimal("80"),
        "target_value": Decimal("100"),
        "measures": "Rà soát hồ sơ hằng tuần, nhắc việc qua nhóm khu phố",
        "deadline": datetime.date(2026, 6, 30),
        "evidence_kind": "Sổ theo dõi hồ sơ có xác nhận của bộ phận một cửa",
        "weight": 100,
        "within_own_authority": True,
    }
    content.update(overrides)
    return content


def make_draft(
    owner: Cadre,
    *,
    weights: tuple[int, ...] = (60, 40),
    occasion: str = Occasion.NEW_DUTY,
    title: str = "Chương trình hành động nhiệm kỳ 2026",
) -> ActionProgramme:
    """A draft programme of `owner` with one task commitment per weight; it passes the quality check."""
    assert owner.user is not None, "the owner needs an account"
    programme = services.programme_create(
        owner=owner,
        occasion=occasion,
        title=title,
        position=None,
        term_start=TERM_START,
        term_end=TERM_END,
        acting_user=owner.user,
    )
    version = programme.versions.get(number=1)
    for number, weight in enumerate(weights, start=1):
        services.commitment_add(
            version=version, content=commitment_content(number, weight=weight), acting_user=owner.user
        )
    return programme


def submit(programme: ActionProgramme, number: int = 1) -> ProgrammeVersion:
    owner_user = programme.owner.user
    assert owner_user is not None
    return services.programme_submit(version=programme.versions.get(number=number), acting_user=owner_user)


def make_confirmed(
    owner: Cadre, confirmer: User, *, publicity_max: int = PublicityLevel.PUBLIC, **draft_options: Any
) -> ActionProgramme:
    """A programme of `owner` submitted and confirmed by `confirmer` (who must be the right confirmer)."""
    programme = make_draft(owner, **draft_options)
    version = submit(programme)
    services.programme_confirm(version=version, publicity_max=publicity_max, acting_user=confirmer)
    programme.refresh_from_db()
    return programme


# What give_private_details stores, as it would read on a page; none of it may ever appear on a programme.
PRIVATE_DETAILS_SHOWN = ("0912345678", "079185012345", "09/03/1985", "tran.thi.anh@example.vn", "12 Lê Lợi")


def give_private_details(cadre: Cadre) -> None:
    """Personal data of the kind a programme must never show (see PRIVATE_DETAILS_SHOWN)."""
    CadrePrivateDetails.objects.filter(cadre=cadre).delete()
    PrivateDetailsFactory(
        cadre=cadre,
        phone="0912345678",
        citizen_id="079185012345",
        date_of_birth=datetime.date(1985, 3, 9),
        email="tran.thi.anh@example.vn",
        address="12 Lê Lợi, phường Bến Thành",
    )


def report_first_done(cast: Any, **evidence: Any) -> ProgressReport:
    """The member's programme confirmed by the secretary, its first commitment reported done with `evidence`
    (files=[…] or links=[…]): the claim whose evidence the confirmer checks."""
    programme = make_confirmed(cast.member, cast.secretary.user)
    assert programme.current_version is not None
    commitment = programme.current_version.terms.get(position=1).commitment
    return progress_report(
        commitment=commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        acting_user=cast.member.user,
        **evidence,
    )
