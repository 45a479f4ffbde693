"""The demo's action programmes, each registered by its owner's account and taken through the programme services
as far as its script says: submitted, returned, confirmed, progress reported, amended, published."""

from django.contrib.auth.models import User

from demo.plan import Plan
from demo.programme_specs import AmendmentSpec, ProgrammeSpec, decimal_or_none, load_programmes
from demo.writing import Tally
from programmes.action_programmes import publication
from programmes.action_programmes import services as programme_services
from programmes.action_programmes.progress import progress_report
from programmes.models import (
    ActionProgramme,
    Cadre,
    Evidence,
    Position,
    PostKind,
    ProgrammeState,
    ProgrammeVersion,
    PublicityLevel,
)


def demo_programmes() -> tuple[ProgrammeSpec, ...]:
    """Programmes in every state for the school's two teachers' cells of Phường Bến Thành."""
    return load_programmes()


def _report_progress(spec: ProgrammeSpec, version: ProgrammeVersion, user: User) -> None:
    for terms, item in zip(version.terms.order_by("position"), spec.commitments, strict=True):
        for report in item.reports:
            progress_report(
                commitment=terms.commitment,
                status=report.status,
                value_reached=decimal_or_none(report.value),
                note=report.note,
                links=[report.link] if report.link else [],
                acting_user=user,
            )


def _amend(amendment: AmendmentSpec, programme: ActionProgramme, user: User, publicity_max: int) -> None:
    version = programme_services.amendment_start(programme=programme, reason=amendment.reason, acting_user=user)
    terms = version.terms.get(position=amendment.position)
    content = {name: getattr(terms, name) for name in programme_services.CONTENT_FIELDS}
    content.update(amendment.changes)
    milestones = [(milestone.due_date, milestone.description) for milestone in terms.milestones.all()]
    programme_services.commitment_update(terms=terms, content=content, milestones=milestones, acting_user=user)
    version = programme_services.programme_submit(version=version, acting_user=user)
    if amendment.confirm and version.confirmer is not None:
        programme_services.programme_confirm(
            version=version, publicity_max=publicity_max, comment=amendment.comment, acting_user=version.confirmer
        )


def _play(spec: ProgrammeSpec, owner: Cadre, user: User) -> None:
    """Register the programme as its owner would, then take it as far as the script says, through the services."""
    position = None
    if spec.for_party_post:
        position = Position.objects.current().filter(cadre=owner, post_kind=PostKind.PARTY).order_by("pk").first()
    programme = programme_services.programme_create(
        owner=owner,
        occasion=spec.occasion,
        title=spec.title,
        position=position,
        term_start=spec.term[0],
        term_end=spec.term[1],
        acting_user=user,
    )
    version = programme.versions.get()
    for item in spec.commitments:
        programme_services.commitment_add(
            version=version, content=item.content(), milestones=item.milestones, acting_user=user
        )
    if spec.outcome == ProgrammeState.DRAFT:
        return
    version = programme_services.programme_submit(version=version, acting_user=user)
    confirmer = version.confirmer
    if spec.outcome == ProgrammeState.WITHDRAWN:
        programme_services.version_withdraw(version=version, acting_user=user)
    elif confirmer is None or spec.outcome == ProgrammeState.SUBMITTED:
        return
    elif spec.outcome == ProgrammeState.RETURNED:
        at = {terms.position: terms.pk for terms in version.terms.all()}
        programme_services.programme_return(
            version=version,
            reason=spec.return_reason,
            commitment_notes={at[position]: note for position, note in spec.return_notes},
            acting_user=confirmer,
        )
    else:
        programme_services.programme_confirm(
            version=version, publicity_max=spec.publicity_max, comment=spec.comment, acting_user=confirmer
        )
        _report_progress(spec, version, user)
        if spec.amendment is not None:
            _amend(spec.amendment, programme, user, spec.publicity_max)
        if spec.publicity_max == PublicityLevel.PUBLIC:
            _publish(programme, user)


def _publish(programme: ActionProgramme, user: User) -> None:
    """The owner consents and publishes to the People, with the evidence links shown, as a cadre would."""
    publication.consent_give(programme=programme, acting_user=user)
    publication.publicity_set(programme=programme, level=PublicityLevel.PUBLIC, acting_user=user)
    for evidence in Evidence.objects.filter(commitment__programme=programme).exclude(link=""):
        publication.evidence_publicity_set(evidence=evidence, is_public=True, acting_user=user)


def write_programmes(plan: Plan, cadres: dict[str, Cadre], tally: Tally) -> None:
    """The demo programmes; one whose owner already has a programme of that title is left as it is."""
    created = 0
    for spec in demo_programmes():
        code = plan.programme_owners.get(spec.owner)
        owner = cadres[code] if code is not None else None
        if owner is None or owner.user is None:
            continue
        if ActionProgramme.objects.filter(owner=owner, title=spec.title).exists():
            continue
        _play(spec, owner, owner.user)
        created += 1
    tally.add("programmes", created, 0)
