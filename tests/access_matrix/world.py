"""The world the access matrix is played in: two wards, each with cells of several members, and every kind of
object a URL can point to, in each relation to the member persona (Ánh).

Ward A, phường Bến Thành: grassroots committee "Khu phố 1" with cell 1A (Ánh the member, Giang her colleague,
Hoa, and Bình their secretary) and cell 1B (Cường the outsider, Dung of the grassroots committee, Em its
secretary and head, Khánh, and Lan the cell's secretary). Ward B, phường Sài Gòn: "Khu phố 5" with cell 5A
(Minh, Nga its secretary, Oanh of the committee, Phúc its head). Board staff, the Front and the People's Council
have an account in each ward; the superuser has none of these roles.

An object's relation names whose it is: "own" is Ánh's, "cell" is Hoa's (Ánh's cell), "other" Khánh's
(the other cell of the same grassroots committee), "ward" Minh's (the other ward). Objects of an organisation
(a cell's meeting, a period, an import) use own = Ánh's cell or ward, other = cell 1B, ward = ward B.
Hoa and Minh are People's Council deputies, so the citizen feedback about them goes to the Council; feedback
about Ánh and Khánh goes to the Front.

Everything is made through the real services (programmes confirmed by their confirmer, reviews carried through
the cell, the committee and the head), so each object is in the state where its pages act on it; but the reviews of
the ended period of 2025, which are marked not rated directly, so that the period may be closed.
"""

import datetime
import hashlib
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.people import STAFF_GROUP, write_staff_group
from programmes.action_programmes import publication
from programmes.action_programmes.notifications import unsubscribe_token
from programmes.action_programmes.progress import progress_report
from programmes.action_programmes.services import close_programme
from programmes.models import (
    ActionProgramme,
    ArchiveState,
    AuditEvent,
    Cadre,
    ClosingReason,
    ConfirmerRule,
    ExportJob,
    ExportState,
    ImportJob,
    ImportKind,
    ImportStatus,
    LinkArchive,
    Membership,
    NotificationKind,
    OrganisationKind,
    PartyOrganisation,
    PartyPost,
    Position,
    PostKind,
    ProgressStatus,
    PublicityLevel,
    Role,
    RoleAssignment,
)
from publicity import feedback, follow, opendata_files
from publicity.dashboards.refresh import refresh_all
from publicity.follow.tokens import confirm_token
from publicity.follow.tokens import unsubscribe_token as follow_unsubscribe_token
from publicity.models import FollowSubscription
from reviews import services as review_services
from reviews.models import (
    Appeal,
    InputSource,
    PeriodKind,
    RatingLevel,
    Report,
    ReportKind,
    ResidenceComment,
    Review,
    ReviewPeriod,
    ReviewState,
    RuleSet,
)
from reviews.reports.batches import batch_create
from tests.factories import (
    PositionFactory,
    RoleAssignmentFactory,
    UserFactory,
    make_member,
    make_organisation,
    make_ward_tree,
)
from tests.programmes.programme_data import make_confirmed, make_draft, submit
from tests.publicity.feedback_data import send
from tests.publicity.public_data import publish
from tests.reviews.review_data import open_period, propose, stored_report, write_and_submit

# The member persona's relation to an object; "-" marks an object that has no relation (one for everyone).
RELATIONS = ("own", "cell", "other", "ward")
NO_RELATION = "-"

# The personas, in the order of the table's columns.
PERSONAS = (
    "anonymous",
    "member",
    "colleague",
    "secretary",
    "outsider",
    "staff",
    "head",
    "board",
    "board_b",
    "front",
    "front_b",
    "council",
    "council_b",
    "superuser",
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
GROUNDS = "Hoàn thành đúng hạn 2/2 nội dung cam kết; sổ theo dõi hồ sơ có xác nhận của bộ phận một cửa."


@dataclass(frozen=True)
class Target:
    """What a URL pattern is filled with for one relation: its arguments, a query string, the row a refused POST
    must leave unchanged, and (for pages that list within a scope) a text shown only when the object is."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    watch: models.Model | None = None
    marker: str = ""


@dataclass
class Subject:
    """The owner of the objects of one relation, with the people who act on their programme and review."""

    cadre: Cadre
    confirmer: User
    decider: User
    head: User
    cell: PartyOrganisation

    @property
    def user(self) -> User:
        assert self.cadre.user is not None
        return self.cadre.user


@dataclass
class World:
    users: dict[str, User | None]
    subjects: dict[str, Subject]
    organisations: dict[str, PartyOrganisation]
    targets: dict[str, dict[str, Target]] = field(default_factory=dict)
    # Accounts the admin probes link to a cadre: one with no role anywhere, one holding a role in ward B.
    spare_accounts: dict[str, User] = field(default_factory=dict)
    # Admin forms as a system administrator sees them, read once per page by the bodies that post them back.
    admin_forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A post of each subject that grants nothing, for the admin's position pages.
    government_posts: dict[str, Position] = field(default_factory=dict)

    def add(self, kind: str, relation: str, target: Target) -> None:
        self.targets.setdefault(kind, {})[relation] = target


def _user(username: str, **fields: Any) -> User:
    return typing.cast(User, UserFactory(username=username, **fields))


def _role(username: str, role: str, organisation: PartyOrganisation, **fields: Any) -> User:
    user = _user(username, **fields)
    RoleAssignmentFactory(user=user, role=role, organisation=organisation)
    return user


def _member(
    cell: PartyOrganisation, username: str, full_name: str, *, post: tuple[PartyOrganisation, str] | None = None
) -> Cadre:
    """A member of `cell` with a login, holding `post` (where, which party post) when given."""
    cadre = make_member(cell, username, full_name=full_name)
    if post is not None:
        organisation, party_post = post
        PositionFactory(cadre=cadre, organisation=organisation, party_post=party_post)
    return cadre


def _government_post(cadre: Cadre, title: str, *, deputy: bool = False) -> Position:
    return typing.cast(
        Position,
        PositionFactory(
            cadre=cadre,
            post_kind=PostKind.GOVERNMENT,
            party_post="",
            title=title,
            agency_name="Ủy ban nhân dân phường",
            council_deputy=deputy,
        ),
    )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _people(world: World) -> None:
    city, ward, ward_b, grassroots, cell_a, cell_b = make_ward_tree()
    grassroots_b = make_organisation("Đảng bộ Khu phố 5", OrganisationKind.GRASSROOTS_COMMITTEE, ward_b)
    cell_c = make_organisation("Chi bộ Khu phố 5A", OrganisationKind.SUBORDINATE_CELL, grassroots_b)
    for organisation in (city, ward, ward_b, grassroots, grassroots_b, cell_a, cell_b):
        organisation.refresh_from_db()
    world.organisations |= {
        "city": city,
        "ward": ward,
        "ward_b": ward_b,
        "grassroots": grassroots,
        "grassroots_b": grassroots_b,
        "cell_a": cell_a,
        "cell_b": cell_b,
        "cell_c": cell_c,
    }

    member = _member(cell_a, "member", "Trần Thị Ánh")
    colleague = _member(cell_a, "colleague", "Đinh Thị Giang")
    hoa = _member(cell_a, "hoa", "Ngô Thị Hoa")
    secretary = _member(cell_a, "secretary", "Lê Văn Bình", post=(cell_a, PartyPost.SECRETARY))

    outsider = _member(cell_b, "outsider", "Phạm Văn Cường")
    staff = _member(cell_b, "staff", "Võ Thị Dung", post=(grassroots, PartyPost.COMMITTEE_MEMBER))
    head = _member(cell_b, "head", "Huỳnh Văn Em", post=(grassroots, PartyPost.SECRETARY))
    khanh = _member(cell_b, "khanh", "Lý Văn Khánh")
    lan = _member(cell_b, "lan", "Mai Thị Lan", post=(cell_b, PartyPost.SECRETARY))

    minh = _member(cell_c, "minh", "Đoàn Văn Minh")
    nga = _member(cell_c, "nga", "Tạ Thị Nga", post=(cell_c, PartyPost.SECRETARY))
    oanh = _member(cell_c, "oanh", "Kiều Thị Oanh", post=(grassroots_b, PartyPost.COMMITTEE_MEMBER))
    phuc = _member(cell_c, "phuc", "Châu Văn Phúc", post=(grassroots_b, PartyPost.SECRETARY))

    # Board staff are staff accounts with the admin permissions the demo gives them, whatever those are.
    board = _role("board", Role.ORG_BOARD_STAFF, ward, is_staff=True)
    board_b = _role("board_b", Role.ORG_BOARD_STAFF, ward_b, is_staff=True)
    for user in (board, board_b):
        write_staff_group(user)
    world.users |= {
        "anonymous": None,
        "member": member.user,
        "colleague": colleague.user,
        "secretary": secretary.user,
        "outsider": outsider.user,
        "staff": staff.user,
        "head": head.user,
        "board": board,
        "board_b": board_b,
        "front": _role("front", Role.FRONT_OVERSEER, ward),
        "front_b": _role("front_b", Role.FRONT_OVERSEER, ward_b),
        "council": _role("council", Role.COUNCIL_OVERSEER, ward),
        "council_b": _role("council_b", Role.COUNCIL_OVERSEER, ward_b),
        "superuser": _user("root", is_staff=True, is_superuser=True),
    }
    world.spare_accounts = {
        "unlinked": _user("chua_gan"),
        "outside": _role("mattran_saigon", Role.FRONT_OVERSEER, ward_b),
    }

    def user_of(cadre: Cadre) -> User:
        assert cadre.user is not None
        return cadre.user

    world.subjects = {
        "own": Subject(member, user_of(secretary), user_of(staff), user_of(head), cell_a),
        "cell": Subject(hoa, user_of(secretary), user_of(staff), user_of(head), cell_a),
        "other": Subject(khanh, user_of(lan), user_of(staff), user_of(head), cell_b),
        "ward": Subject(minh, user_of(nga), user_of(oanh), user_of(phuc), cell_c),
    }
    # Where each subject lives (Quy định 213-QĐ/TW): the member under cell 5A of ward B, Hoa under cell 1B, Khánh and
    # Minh (of ward B) under cell 1A, whose secretary answers their residence comments and reads nothing else of them.
    residences = {member: cell_c, hoa: cell_b, khanh: cell_a, minh: cell_a}
    for cadre, residence in residences.items():
        Membership.objects.filter(cadre=cadre, end_date__isnull=True).update(residence_cell=residence)
    # Posts that grant nothing, for the admin's position pages; Hoa and Minh sit on the People's Council.
    world.government_posts = {
        "own": _government_post(member, "Tổ trưởng tổ dân phố"),
        "cell": _government_post(hoa, "Đại biểu HĐND phường", deputy=True),
        "other": _government_post(khanh, "Tổ phó tổ dân phố"),
        "ward": _government_post(minh, "Đại biểu HĐND phường", deputy=True),
    }


# --- Programmes, evidence and feedback ----------------------------------------------------------------------------


def _evidence(programme: ActionProgramme, owner: User, position: int) -> Any:
    terms = programme.current_version.terms.order_by("position")[position]  # type: ignore[union-attr]
    report = progress_report(
        commitment=terms.commitment,
        status=ProgressStatus.DONE,
        value_reached=Decimal("100"),
        note="Đã hoàn thành",
        files=[_pdf(f"minh-chung-{programme.pk}-{position}.pdf")],
        acting_user=owner,
    )
    return report.evidence.get()


def _archived_link(programme: ActionProgramme, owner: User) -> Any:
    """A link given as evidence on the programme's second commitment, with its page's copy stored (as the background
    fetch would have stored it)."""
    terms = programme.current_version.terms.order_by("position")[1]  # type: ignore[union-attr]
    report = progress_report(
        commitment=terms.commitment,
        status=ProgressStatus.ON_TRACK,
        links=[f"https://phuong.example.vn/bao-cao-{programme.pk}"],
        acting_user=owner,
    )
    evidence = report.evidence.get()
    page = b"<html><body>Bao cao</body></html>"
    archive = LinkArchive.objects.get(evidence=evidence)
    archive.file.save(f"ban-luu-{programme.pk}.html", ContentFile(page), save=False)
    archive.state, archive.content_type, archive.size = ArchiveState.ARCHIVED, "text/html", len(page)
    archive.sha256, archive.fetched_at = hashlib.sha256(page).hexdigest(), timezone.now()
    archive.save()
    return evidence


def _programmes(world: World) -> None:
    for relation, subject in world.subjects.items():
        owner, confirmer = subject.cadre, subject.confirmer
        name = owner.full_name

        draft = make_draft(owner, title=f"Chương trình đang soạn của {name}")
        terms = draft.versions.get(number=1).terms.order_by("position").first()
        assert terms is not None
        world.add("programme.draft", relation, Target(kwargs={"pk": draft.pk}, watch=draft))
        world.add("terms.draft", relation, Target(kwargs={"pk": draft.pk, "terms_pk": terms.pk}, watch=terms))

        waiting = make_draft(owner, title=f"Chương trình chờ xác nhận của {name}")
        submit(waiting)
        world.add("programme.submitted", relation, Target(kwargs={"pk": waiting.pk}, watch=waiting))
        world.add("version.submitted", relation, Target(kwargs={"pk": waiting.pk, "number": 1}, watch=waiting))

        levels = {
            "programme.cell": PublicityLevel.CELL,
            "programme.committee": PublicityLevel.COMMITTEE,
            "programme.oversight": PublicityLevel.OVERSIGHT,
        }
        for kind, level in levels.items():
            # Confirmation sets the level to the committee, or lower if the confirmer's maximum is lower.
            programme = make_confirmed(
                owner,
                confirmer,
                publicity_max=PublicityLevel.CELL if level == PublicityLevel.CELL else PublicityLevel.PUBLIC,
                title=f"Chương trình {kind} của {name}",
            )
            if level == PublicityLevel.OVERSIGHT:
                publication.consent_give(programme=programme, acting_user=subject.user)
                publication.publicity_set(programme=programme, level=level, acting_user=subject.user)
            programme.refresh_from_db()
            assert programme.publicity_level == level, (kind, programme.publicity_level)
            world.add(kind, relation, Target(kwargs={"pk": programme.pk}, watch=programme))
            if level == PublicityLevel.COMMITTEE:
                commitment = programme.current_version.terms.order_by("position")[0].commitment  # type: ignore[union-attr]
                world.add(
                    "commitment.committee",
                    relation,
                    Target(kwargs={"pk": programme.pk, "commitment_pk": commitment.pk}, watch=commitment),
                )
                evidence = _evidence(programme, subject.user, 0)
                world.add("evidence.committee", relation, Target(kwargs={"pk": evidence.pk}, watch=evidence))
                archived = _archived_link(programme, subject.user)
                world.add("evidence.archived", relation, Target(kwargs={"pk": archived.pk}, watch=archived))
                world.add(
                    "admin.actionprogramme", relation, Target(kwargs={"object_id": programme.pk}, watch=programme)
                )
            if level == PublicityLevel.OVERSIGHT:
                evidence = _evidence(programme, subject.user, 0)
                world.add("evidence.oversight", relation, Target(kwargs={"pk": evidence.pk}, watch=evidence))
                world.add(
                    "follow.programme.oversight",
                    relation,
                    Target(query=f"chuong_trinh={programme.pk}", watch=programme),
                )

        ended = make_confirmed(owner, confirmer, title=f"Chương trình đã kết thúc của {name}")
        closed = close_programme(None, ended, ClosingReason.TERM_ENDED)
        world.add("programme.closed", relation, Target(kwargs={"pk": closed.pk}, watch=closed))

        public = publish(make_confirmed(owner, confirmer, title=f"Chương trình công khai của {name}"))
        world.add("programme.public", relation, Target(kwargs={"pk": public.pk}, watch=public))
        # The follow form's address names what is followed in its query string.
        world.add("follow.programme", relation, Target(query=f"chuong_trinh={public.pk}", watch=public))
        shown = _evidence(public, subject.user, 0)
        publication.evidence_publicity_set(evidence=shown, is_public=True, acting_user=subject.user)
        hidden = _evidence(public, subject.user, 1)
        world.add("evidence.public", relation, Target(kwargs={"pk": shown.pk}, watch=shown))
        world.add("evidence.private_of_public", relation, Target(kwargs={"pk": hidden.pk}, watch=hidden))

        received = send(public, address=f"203.0.113.{10 + len(world.targets.get('case.received', {}))}")
        accepted = send(public, address=f"198.51.100.{10 + len(world.targets.get('case.accepted', {}))}")
        handler = world.users["council" if relation == "cell" else "council_b" if relation == "ward" else "front"]
        assert handler is not None
        feedback.case_accept(case=accepted, acting_user=handler)
        world.add("case.received", relation, Target(kwargs={"pk": received.pk}, watch=received))
        world.add("case.accepted", relation, Target(kwargs={"pk": accepted.pk}, watch=accepted))
        world.add("case.code", relation, Target(kwargs={"code": received.tracking_code}, watch=received))


# --- Citizens following by e-mail ----------------------------------------------------------------------------------


def _follows(world: World) -> None:
    """A citizen's pending request to follow the member's public programme, and another's confirmed one; the
    member's ward, whose feed and follow form anyone opens."""
    public = world.targets["programme.public"]["own"].watch
    assert isinstance(public, ActionProgramme)
    subscriptions = []
    for email in ("cho.xac.nhan@example.vn", "da.theo.doi@example.vn"):
        follow.follow_request(
            followed=follow.Followed.programme(public), email=email, language="vi", source_address="192.0.2.50"
        )
        subscriptions.append(FollowSubscription.objects.latest("pk"))
    pending, confirmed = subscriptions
    follow.follow_confirm(token=confirm_token(confirmed.pk))
    confirmed.refresh_from_db()
    world.add("follow.pending", NO_RELATION, Target(kwargs={"token": confirm_token(pending.pk)}, watch=pending))
    world.add(
        "follow.confirmed",
        NO_RELATION,
        Target(kwargs={"token": follow_unsubscribe_token(confirmed.pk)}, watch=confirmed),
    )
    world.add("follow.forged", NO_RELATION, Target(kwargs={"token": "WzFd:1tAbCd:ma-khong-hop-le"}))
    ward = world.organisations["ward"]
    world.add("area.ward", NO_RELATION, Target(kwargs={"pk": ward.pk}, watch=ward))
    world.add("follow.area", NO_RELATION, Target(query=f"khu_vuc={ward.pk}", watch=ward))


# --- Reviews ------------------------------------------------------------------------------------------------------

# Each period carries the subjects' reviews to one state: the pages of that step act on them.
REVIEW_STEPS = ("drafting", "submitted", "proposed", "decided", "final", "appealed")


def _advance(review: Review, subject: Subject, step: str) -> Review:
    index = REVIEW_STEPS.index(step)
    if index >= 1:
        write_and_submit(review)
    if index >= 2:
        propose(review, subject.confirmer)
    if index >= 3:
        review_services.decision_make(review=review, level=RatingLevel.GOOD, acting_user=subject.decider)
    if index >= 4:
        decision = review.decisions.get()
        review_services.decision_confirm(
            decision=decision,
            grounds=GROUNDS,
            assessment_ids=[review.assessments.order_by("position")[0].pk],
            acting_user=subject.head,
        )
    if index >= 5:
        review_services.appeal_file(review=review, text="Đề nghị xem xét lại mức xếp loại.", acting_user=subject.user)
    review.refresh_from_db()
    return review


def _stored_report(kind: str, organisation: PartyOrganisation, period: ReviewPeriod, **fields: Any) -> Report:
    """A report row with a small file: the download's access does not depend on how the PDF was rendered."""
    return stored_report(organisation, Report.objects.count() + 1, kind=kind, period=period, **fields)


# The secretary of each cell, who answers the residence comments asked of it.
_RESIDENCE_SECRETARY = {"cell_a": "own", "cell_b": "other", "cell_c": "ward"}


def _residence_comment(world: World, review: Review) -> Target:
    """A residence comment answered with its scan, on a review of an ad hoc period (which asks none by itself)."""
    membership = Membership.objects.select_related("residence_cell").get(cadre=review.cadre, end_date__isnull=True)
    residence = membership.residence_cell
    assert residence is not None
    comment = ResidenceComment.objects.create(review=review, residence_cell=residence, due_on=timezone.localdate())
    key = next(key for key, cell in world.organisations.items() if cell.pk == residence.pk)
    review_services.residence_comment_record(
        comment=comment,
        text="Đồng chí gương mẫu, tích cực tham gia sinh hoạt khu dân cư.",
        points=dict.fromkeys(("point_policies", "point_ethics", "point_activities", "point_civic_duties"), "good"),
        document=_pdf("nhan-xet-noi-cu-tru.pdf"),
        acting_user=world.subjects[_RESIDENCE_SECRETARY[key]].confirmer,
    )
    return Target(kwargs={"pk": comment.pk}, watch=comment)


def _reviews(world: World) -> None:
    wards = {"ward": (world.organisations["ward"], "board"), "ward_b": (world.organisations["ward_b"], "board_b")}
    today = timezone.localdate()
    for step in REVIEW_STEPS:
        periods: dict[str, ReviewPeriod] = {}
        for key, (scope, opener) in wards.items():
            user = world.users[opener]
            assert user is not None
            # One annual period per ward; the other steps' periods are ad hoc, the one kind that may overlap it.
            kind = PeriodKind.ANNUAL if step == "drafting" else PeriodKind.AD_HOC
            periods[key] = open_period(scope, user, title=f"Kiểm điểm năm 2026 ({step})", kind=kind)
        for relation, subject in world.subjects.items():
            period = periods["ward_b" if relation == "ward" else "ward"]
            review = Review.objects.get(period=period, cadre=subject.cadre, place=subject.cell)
            review = _advance(review, subject, step)
            world.add(f"review.{step}", relation, Target(kwargs={"pk": review.pk}, watch=review))
            if step == "submitted":
                # The cell's page of the period lists the reviews the persona may read: this one, or not.
                world.add(
                    "period.cell",
                    relation,
                    Target(
                        kwargs={"period_pk": period.pk, "cell_pk": subject.cell.pk},
                        marker=reverse("reviews:review_detail", args=[review.pk]),
                    ),
                )
            if step == "drafting":
                # The annual period asked the subject's residence cell for its comment.
                request = ResidenceComment.objects.get(review=review)
                world.add("residence_request", relation, Target(kwargs={"pk": request.pk}, watch=request))
            if step == "submitted":
                world.add("residence_comment", relation, _residence_comment(world, review))
            if step == "drafting":
                entry = review_services.input_add(
                    review=review,
                    source=InputSource.RESIDENCE_CELL,
                    author="Chi ủy chi bộ khu dân cư nơi cư trú",
                    text="Đồng chí gương mẫu, tích cực tham gia sinh hoạt khu dân cư.",
                    document=_pdf("nhan-xet-noi-cu-tru.pdf"),
                    acting_user=subject.confirmer,
                )
                world.add("input", relation, Target(kwargs={"pk": entry.pk}, watch=entry))
            if step == "final":
                report = _stored_report(ReportKind.INDIVIDUAL, subject.cell, period, review=review)
                world.add("report.individual", relation, Target(kwargs={"pk": report.pk}, watch=report))
                world.add("admin.review", relation, Target(kwargs={"object_id": review.pk}, watch=review))
                world.add("admin.report", relation, Target(kwargs={"object_id": report.pk}, watch=report))
            if step == "appealed":
                appeal = Appeal.objects.get(review=review)
                world.add("appeal", relation, Target(kwargs={"pk": appeal.pk}, watch=appeal))
        cells = {"own": "cell_a", "other": "cell_b", "ward": "cell_c"}
        for relation, cell_key in cells.items():
            cell = world.organisations[cell_key]
            period = periods["ward_b" if relation == "ward" else "ward"]
            subject = world.subjects[relation]
            if step == "submitted":
                world.add("period.place", relation, Target(kwargs={"period_pk": period.pk, "cell_pk": cell.pk}))
                meeting = review_services.meeting_record(
                    period=period,
                    cell=cell,
                    held_on=today,
                    members_total=5,
                    members_present=4,
                    chaired_by=subject.confirmer.get_full_name() or "Bí thư chi bộ",
                    minutes_file=_pdf("bien-ban-hop-chi-bo.pdf"),
                    acting_user=subject.confirmer,
                )
                world.add("minutes", relation, Target(kwargs={"pk": meeting.pk}, watch=meeting))
            if step in ("proposed", "decided"):
                # A cell's table of the step: the place's reviews waiting for it, the subject's among them.
                waiting = Review.objects.get(period=period, cadre=subject.cadre, place=cell)
                world.add(
                    f"period.place.{step}",
                    relation,
                    Target(kwargs={"period_pk": period.pk, "cell_pk": cell.pk}, watch=waiting),
                )
            if step == "final":
                summary = _stored_report(ReportKind.CELL_SUMMARY, cell, period)
                world.add("report.cell", relation, Target(kwargs={"pk": summary.pk}, watch=summary))
                batch = batch_create(
                    period=period,
                    scope=cell,
                    items=[(ReportKind.CELL_SUMMARY, cell.pk)],
                    acting_user=subject.decider,
                )
                world.add("batch", relation, Target(kwargs={"pk": batch.pk}, watch=batch))
                world.add("admin.reportbatch", relation, Target(kwargs={"object_id": batch.pk}, watch=batch))
        if step == "drafting":
            for relation, key in (("own", "ward"), ("ward", "ward_b")):
                period = periods[key]
                world.add("period", relation, Target(kwargs={"pk": period.pk}, watch=period))
                world.add("admin.reviewperiod", relation, Target(kwargs={"object_id": period.pk}, watch=period))
                world.add("period.query", relation, Target(query=f"dot={period.pk}"))
                # The period rates the ward's party organisations too: the ward's table of them.
                ReviewPeriod.objects.filter(pk=period.pk).update(includes_collectives=True)
                world.add(
                    "period.rating_body",
                    relation,
                    Target(kwargs={"period_pk": period.pk, "organisation_pk": period.scope_id}, watch=period),
                )
                # The grassroots committee's collective report (Mẫu 01), written by its head, read by the ward.
                grassroots = world.organisations["grassroots" if relation == "own" else "grassroots_b"]
                world.add(
                    "period.collective_report",
                    relation,
                    Target(kwargs={"period_pk": period.pk, "organisation_pk": grassroots.pk}, watch=period),
                )
    # A period of the year before whose every review has ended: closing it takes effect for whoever may close it.
    for relation, (scope, opener) in zip(("own", "ward"), wards.values(), strict=True):
        user = world.users[opener]
        assert user is not None
        ended = open_period(
            scope,
            user,
            title="Kiểm điểm năm 2025",
            covers_from=datetime.date(2025, 1, 1),
            covers_to=datetime.date(2025, 12, 31),
        )
        ended.reviews.update(state=ReviewState.NOT_RATED, not_rated_reason="Miễn công tác và sinh hoạt đảng")
        world.add("period.ended", relation, Target(kwargs={"pk": ended.pk}, watch=ended))


# --- Organisations, imports and the admin's own objects ------------------------------------------------------------


def _history(obj: Any) -> tuple[Any, Any]:
    return (obj.pk, obj.history.latest().history_id)


def _admin_targets(world: World) -> None:
    organisations = {"own": "cell_a", "other": "cell_b", "ward": "cell_c"}
    for relation, key in organisations.items():
        organisation = world.organisations[key]
        parent = PartyOrganisation.objects.get_parent(organisation)
        assert parent is not None
        world.add("organisation", relation, Target(kwargs={"pk": organisation.pk}, watch=organisation))
        world.add(
            "admin.partyorganisation", relation, Target(kwargs={"object_id": organisation.pk}, watch=organisation)
        )
        world.add("admin.partyorganisation.history", relation, Target(args=_history(organisation), watch=organisation))
        # The children come as JSON (names escaped): the row's link to the change page marks the organisation.
        change = reverse("admin:programmes_partyorganisation_change", args=[organisation.pk])
        world.add(
            "admin.partyorganisation.children", relation, Target(kwargs={"parent_id": str(parent.pk)}, marker=change)
        )
        world.add("admin.tree.move", relation, Target(watch=organisation))

    # The wards, for the pages of an area (the dashboards): own is the member's ward, ward the other one.
    for relation, key in {"own": "ward", "ward": "ward_b"}.items():
        world.add("organisation.ward", relation, Target(kwargs={"pk": world.organisations[key].pk}))

    for relation, subject in world.subjects.items():
        cadre = subject.cadre
        membership = Membership.objects.get(cadre=cadre, end_date__isnull=True)
        position = world.government_posts[relation]
        world.add("cadre", relation, Target(kwargs={"pk": cadre.pk}, watch=cadre))
        world.add("admin.cadre", relation, Target(kwargs={"object_id": cadre.pk}, watch=cadre))
        world.add("admin.cadre.history", relation, Target(args=_history(cadre), watch=cadre))
        world.add("admin.membership", relation, Target(kwargs={"object_id": membership.pk}, watch=membership))
        world.add("admin.membership.history", relation, Target(args=_history(membership), watch=membership))
        world.add("admin.position", relation, Target(kwargs={"object_id": position.pk}, watch=position))
        world.add("admin.position.history", relation, Target(args=_history(position), watch=position))
        event = AuditEvent.objects.filter(actor=subject.user).order_by("pk").first()
        assert event is not None
        world.add("admin.auditevent", relation, Target(kwargs={"object_id": event.pk}, watch=event))
        content_type = ContentType.objects.get_for_model(Cadre)
        world.add(
            "admin.view_on_site",
            relation,
            Target(kwargs={"content_type_id": content_type.pk, "object_id": cadre.pk}),
        )

    for relation, username in (("own", "front"), ("ward", "front_b")):
        assignment = RoleAssignment.objects.get(user__username=username)
        world.add("admin.roleassignment", relation, Target(kwargs={"object_id": assignment.pk}, watch=assignment))
        world.add("admin.roleassignment.history", relation, Target(args=_history(assignment), watch=assignment))

    for relation, (scope_key, username) in {"own": ("ward", "board"), "ward": ("ward_b", "board_b")}.items():
        job = ImportJob.objects.create(
            kind=ImportKind.ROSTER,
            file="imports/danh-sach.csv",
            original_name="danh-sach-dang-vien.csv",
            status=ImportStatus.FAILED,
            errors=[{"row": 2, "column": "ma_dang_vien", "message": "Thiếu mã đảng viên."}],
            scope=world.organisations[scope_key],
            created_by=User.objects.get(username=username),
        )
        world.add("import", relation, Target(kwargs={"pk": job.pk}, watch=job))
        world.add("admin.importjob", relation, Target(kwargs={"object_id": job.pk}, watch=job))
        # A spreadsheet of the ward's roster its board staff had written in the background, kept for them.
        export = ExportJob(
            list_key="members",
            parameters={"id": str(world.organisations[scope_key].pk)},
            scope=world.organisations[scope_key],
            state=ExportState.DONE,
            percent=100,
            row_count=1,
            created_by=User.objects.get(username=username),
            finished_at=timezone.now(),
        )
        export.file.save("bang-tinh.xlsx", ContentFile(b"PK\x03\x04"), save=True)
        world.add("export", relation, Target(kwargs={"pk": export.pk}, watch=export))

    single = {
        "admin.confirmerrule": ConfirmerRule.objects.order_by("pk").first(),
        "admin.ruleset": RuleSet.objects.get(code="366-2025"),
        "admin.user": world.subjects["own"].user,
        "admin.group": Group.objects.get(name=STAFF_GROUP),
        "admin.accessattempt": AccessAttempt.objects.create(
            username="member", ip_address="203.0.113.9", user_agent="test", failures_since_start=1
        ),
        "admin.accesslog": AccessLog.objects.create(username="member", ip_address="203.0.113.9", user_agent="test"),
        "admin.accessfailurelog": AccessFailureLog.objects.create(
            username="member", ip_address="203.0.113.9", user_agent="test"
        ),
        "admin.clockedschedule": ClockedSchedule.objects.create(clocked_time=timezone.now()),
        "admin.crontabschedule": CrontabSchedule.objects.create(minute="0", hour="2"),
        "admin.intervalschedule": IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS),
        "admin.solarschedule": SolarSchedule.objects.create(event="sunrise", latitude=10.77, longitude=106.7),
    }
    interval = typing.cast(IntervalSchedule, single["admin.intervalschedule"])
    single["admin.periodictask"] = PeriodicTask.objects.create(
        name="Báo cáo hằng tuần", task="reviews.tasks.scheduled_reports", interval=interval
    )
    for kind, obj in single.items():
        assert obj is not None, kind
        world.add(kind, NO_RELATION, Target(kwargs={"object_id": obj.pk}, watch=obj))
    device_owner = world.subjects["ward"].confirmer
    totp = TOTPDevice.objects.create(user=device_owner, name="Ứng dụng xác thực", confirmed=True)
    static = StaticDevice.objects.create(user=device_owner, name="Mã dự phòng", confirmed=True)
    world.add("admin.totpdevice", NO_RELATION, Target(kwargs={"object_id": totp.pk}, watch=totp))
    world.add("admin.totpdevice.pk", NO_RELATION, Target(kwargs={"pk": totp.pk}, watch=totp))
    world.add("admin.staticdevice", NO_RELATION, Target(kwargs={"object_id": static.pk}, watch=static))
    world.add("admin.unknown", NO_RELATION, Target(kwargs={"url": "khong-co-trang-nay/"}))
    world.add("import.template", NO_RELATION, Target(kwargs={"kind": ImportKind.ROSTER, "file_format": "csv"}))
    world.add("reset.link", NO_RELATION, Target(kwargs={"uidb64": "MQ", "token": "ma-khong-hop-le"}))
    world.add("help.guide", NO_RELATION, Target(kwargs={"slug": "bi-thu-chi-bo"}))
    world.add("help.unknown", NO_RELATION, Target(kwargs={"slug": "khong-co-huong-dan-nay"}))
    # The link every e-mail to Ánh carries, turning one kind of notification off for her.
    token = unsubscribe_token(world.subjects["own"].user, NotificationKind.PERIOD_OPENED)
    world.add("unsubscribe.link", NO_RELATION, Target(kwargs={"token": token}))
    world.add("admin.user.password", NO_RELATION, Target(kwargs={"id": world.subjects["own"].user.pk}))
    for app_label in ("auth", "django_celery_beat", "axes", "otp_totp", "otp_static", "programmes", "reviews"):
        world.add(f"admin.app.{app_label}", NO_RELATION, Target(kwargs={"app_label": app_label}))


def build_world() -> World:
    """Everything the matrix requests, made through the services: a few seconds on SQLite."""
    world = World(users={}, subjects={}, organisations={})
    _people(world)
    _programmes(world)
    _follows(world)
    _reviews(world)
    _admin_targets(world)
    # The open-data files, as the worker's run after the publications makes them: a download serves a file.
    opendata_files.refresh()
    # The dashboards' figures, as the nightly run counts them: the pages show figures, not "not counted yet".
    refresh_all()
    return world
