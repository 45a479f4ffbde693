"""The programme document: a confirmed action programme, printed as it was confirmed."""

from programmes.models import (
    ActionProgramme,
)
from programmes.programme_document import programme_document_context
from reviews.models import (
    ReportKind,
    ReviewPeriod,
)
from reviews.reports.kinds import DigitalSigner, ReportData, register, subject_key


@register(ReportKind.PROGRAMME)
def programme_report(programme_id: int, period: ReviewPeriod | None) -> ReportData:
    programme = ActionProgramme.objects.select_related(
        "current_version__confirming_organisation", "owner", "organisation"
    ).get(pk=programme_id)
    version = programme.current_version
    if version is None:
        raise ValueError("a programme is printed once confirmed")
    context = programme_document_context(programme, version)
    confirmer = context["confirmer"]
    return ReportData(
        kind=ReportKind.PROGRAMME,
        subject_key=subject_key(ReportKind.PROGRAMME, programme.pk),
        title=programme.title,
        template="reports/programme.html",
        organisation=programme.organisation,
        programme=programme,
        data={"version": version.number, "confirmed_at": version.confirmed_at},
        extra=context,
        # The confirming body signs the programme it confirmed: the confirmer's block, on the left.
        signer=DigitalSigner(
            organisation=version.confirming_organisation or programme.organisation,
            heading=confirmer.heading,
            title=confirmer.title,
            name=confirmer.name,
            column="left",
        ),
    )
