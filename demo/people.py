"""The demo's people: accounts (with their second factor), cadres, private details, memberships, posts and roles,
written from the plan; and the table of demo accounts the command prints."""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.organisations import CITY_CODE, DEMO_CELL, DEMO_WARD, NEW_STRUCTURE, school_code, spec_names
from demo.plan import RESIDENCE_CELL, Plan
from demo.writing import Tally, create_rows, update_rows
from programmes.accounts.second_factor import TOTP_DEVICE_NAME, key_text
from programmes.importing.base import assign_changed
from programmes.models import (
    Cadre,
    CadrePrivateDetails,
    Membership,
    PartyOrganisation,
    Position,
    Role,
    RoleAssignment,
)
from programmes.text import fold, normalise

# Documented for the demo only; a real deployment has no demo accounts.
DEFAULT_PASSWORD = "demo-2025"  # noqa: S105
# The demo accounts whose roles require a second factor (programmes.access.requires_second_factor). Each has an
# authenticator key derived from its name, the same on every machine and printed with the accounts, so that a
# person can add it to an app or ask `manage.py demo_otp <name>` for the current code.
SECOND_FACTOR_ACCOUNTS = (
    "quantri",
    "bantochuc",
    "bithuthanhuy",
    "bithuphuong",
    "bithudangbo",
    "capuy",
    "bithuchibo",
    "bithukp2",
)
# Demo accounts have an address on a reserved domain, so that password reset can be tried (the mail is printed).
DEMO_EMAIL_DOMAIN = "demo.example.vn"
STAFF_GROUP = "Ban Tổ chức"


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role_label: str
    scope_code: str | None
    first_name: str
    last_name: str = ""


def account_specs() -> list[AccountSpec]:
    """The demo accounts. Cadre accounts take the name of the cadre chosen for them."""
    school, cell = school_code(DEMO_WARD), DEMO_CELL
    return [
        AccountSpec("quantri", _("Quản trị hệ thống"), None, "Quản trị", "hệ thống"),
        AccountSpec("bantochuc", _("Cán bộ Ban Tổ chức"), DEMO_WARD.code, "Hạnh", "Lê Thị"),
        AccountSpec("mattran", _("Mặt trận Tổ quốc (giám sát)"), DEMO_WARD.code, "Phúc", "Trần Văn"),
        AccountSpec("hdnd", _("Thường trực HĐND (giám sát)"), DEMO_WARD.code, "Loan", "Phạm Thị Kim"),
        AccountSpec("bithuthanhuy", _("Bí thư Thành ủy"), CITY_CODE, ""),
        AccountSpec("bithuphuong", _("Bí thư Đảng ủy phường"), DEMO_WARD.code, ""),
        AccountSpec("bithudangbo", _("Bí thư đảng ủy cơ sở, người đứng đầu"), school, ""),
        AccountSpec("capuy", _("Cấp ủy viên"), school, ""),
        AccountSpec("bithuchibo", _("Bí thư chi bộ"), cell, ""),
        # The cell of the quarter where dangvien3 lives, in Phường Sài Gòn: it comments on him (Quy định 213-QĐ/TW).
        AccountSpec("bithukp2", _("Bí thư chi bộ"), RESIDENCE_CELL, ""),
        AccountSpec("dangvien", _("Đảng viên"), cell, ""),
        AccountSpec("dangvien2", _("Đảng viên"), cell, ""),
        AccountSpec("dangvien3", _("Đảng viên"), cell, ""),
    ]


class _PasswordHashes:
    """Hashing is slow on purpose: hash the demo password once and check each distinct stored hash once."""

    def __init__(self, password: str) -> None:
        self.password = password
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(self.password)
        return self._encoded

    def matches(self, stored: str) -> bool:
        if stored not in self._checked:
            self._checked[stored] = check_password(self.password, stored)
        return self._checked[stored]


def write_users(password: str, plan: Plan, tally: Tally) -> dict[str, User]:
    """The demo accounts, all with the one demo password, and the accounts of the other programme owners."""
    names = {p.username: p.full_name for p in plan.people if p.username}
    specs = account_specs()
    usernames = [s.username for s in specs]
    others = [(p.username, p) for p in plan.people if p.username and p.username not in usernames]
    usernames += [username for username, _person in others]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    hashes = _PasswordHashes(password)
    new, changed = [], []
    for spec in specs:
        family_middle, given = (
            names[spec.username].rsplit(" ", 1) if spec.username in names else (spec.last_name, spec.first_name)
        )
        superuser = spec.username == "quantri"
        values = {
            "first_name": given,
            "last_name": family_middle,
            "is_staff": superuser or spec.username == "bantochuc",
            "is_superuser": superuser,
            "is_active": True,
            "email": f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
        }
        user = existing.get(spec.username)
        if user is None:
            new.append(User(username=spec.username, password=hashes.encoded, **values))
            continue
        stale_password = not hashes.matches(user.password)
        if stale_password:
            user.password = hashes.encoded
        if assign_changed(user, values) or stale_password:
            changed.append(user)
    for username, person in others:
        family_middle, given = person.full_name.rsplit(" ", 1)
        values = {"first_name": given, "last_name": family_middle, "is_staff": False, "is_superuser": False}
        user = existing.get(username)
        if user is None:
            # No usable password: the account exists for the cadre's programme, not as a demo login.
            new.append(User(username=username, password=make_password(None), is_active=True, **values))
        elif assign_changed(user, values):
            changed.append(user)
    User.objects.bulk_create(new)
    User.objects.bulk_update(
        changed, ["password", "first_name", "last_name", "is_staff", "is_superuser", "is_active", "email"]
    )
    tally.add("accounts", len(new), len(changed))
    return {u.username: u for u in User.objects.filter(username__in=usernames)}


def demo_totp_key(username: str) -> str:
    """The demo account's authenticator key, hex-encoded as django-otp stores it. Public on purpose: demo only."""
    return hashlib.sha1(f"cong-chuong-trinh-demo:{username}".encode()).hexdigest()  # noqa: S324 - not a secret


def write_second_factor(users: dict[str, User], tally: Tally) -> None:
    """A confirmed authenticator device with the documented key for each demo account that must have one."""
    created = updated = 0
    for username in SECOND_FACTOR_ACCOUNTS:
        key = demo_totp_key(username)
        device = TOTPDevice.objects.filter(user=users[username], confirmed=True).first()
        if device is None:
            TOTPDevice.objects.create(user=users[username], name=TOTP_DEVICE_NAME, key=key, confirmed=True)
            created += 1
        elif device.key != key:
            device.key, device.drift, device.last_t = key, 0, -1
            device.save(update_fields=["key", "drift", "last_t"])
            updated += 1
    tally.add("second-factor devices", created, updated)


def write_staff_group(user: User) -> None:
    """Organisation-board staff use the admin for their subtree: give them the model permissions it checks."""
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    models_managed = [
        "partyorganisation",
        "organisationsuccession",
        "cadre",
        "cadreprivatedetails",
        "membership",
        "position",
        "roleassignment",
    ]
    codenames = [f"{verb}_{model}" for model in models_managed for verb in ("view", "add", "change")]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="programmes", codename__in=[*codenames, "view_auditevent"])
    )
    user.groups.add(group)


def write_cadres(plan: Plan, users: dict[str, User], tally: Tally) -> dict[str, Cadre]:
    existing = {c.code: c for c in Cadre.objects.filter(code__in=[p.code for p in plan.people])}
    new, changed = [], []
    for person in plan.people:
        name = normalise(person.full_name)
        user = users[person.username] if person.username else None
        values = {"full_name": name, "name_folded": fold(name), "gender": person.gender, "user_id": user and user.pk}
        cadre = existing.get(person.code)
        if cadre is None:
            new.append(Cadre(code=person.code, **values))
        elif assign_changed(cadre, values):
            changed.append(cadre)
    create_rows(Cadre, new)
    tally.add("cadres", len(new), update_rows(Cadre, changed, ["full_name", "name_folded", "gender", "user"]))
    return {c.code: c for c in Cadre.objects.filter(code__in=[p.code for p in plan.people])}


PRIVATE_FIELDS = ("date_of_birth", "citizen_id", "phone", "address")


def write_private_details(plan: Plan, cadres: dict[str, Cadre], tally: Tally) -> None:
    existing = {d.cadre_id: d for d in CadrePrivateDetails.objects.filter(cadre__in=cadres.values())}
    new, changed = [], []
    for person in plan.people:
        cadre = cadres[person.code]
        values = {name: getattr(person, name) for name in PRIVATE_FIELDS}
        details = existing.get(cadre.pk)
        if details is None:
            new.append(CadrePrivateDetails(cadre=cadre, **values))
        elif assign_changed(details, values):
            changed.append(details)
    create_rows(CadrePrivateDetails, new)
    tally.add("private_details", len(new), update_rows(CadrePrivateDetails, changed, PRIVATE_FIELDS))


MEMBERSHIP_FIELDS = (
    "cell_id",
    "member_type",
    "status",
    "joined_party_on",
    "official_on",
    "start_date",
    "residence_cell_id",
)


def write_memberships(
    plan: Plan, cadres: dict[str, Cadre], organisations: dict[str, PartyOrganisation], tally: Tally
) -> None:
    """Upserted by cadre: each demo cadre's current membership is set to the planned cell (none outside the slice)."""
    existing = {m.cadre_id: m for m in Membership.objects.filter(cadre__in=cadres.values(), end_date__isnull=True)}
    new, changed = [], []
    for person in plan.people:
        if not person.cell_code:
            continue
        cadre = cadres[person.code]
        values = {
            "cell_id": organisations[person.cell_code].pk,
            "member_type": person.member_type,
            "status": person.status,
            "joined_party_on": person.joined_party_on,
            "official_on": person.official_on,
            "start_date": NEW_STRUCTURE,
            "residence_cell_id": organisations[person.residence_code].pk if person.residence_code else None,
        }
        membership = existing.get(cadre.pk)
        if membership is None:
            new.append(Membership(cadre=cadre, **values))
        elif assign_changed(membership, values):
            changed.append(membership)
    create_rows(Membership, new)
    fields = [name.removesuffix("_id") for name in MEMBERSHIP_FIELDS]
    tally.add("memberships", len(new), update_rows(Membership, changed, fields))


def write_positions(
    plan: Plan, cadres: dict[str, Cadre], organisations: dict[str, PartyOrganisation], tally: Tally
) -> None:
    """Upserted by (cadre, kind, post, organisation, title) among current posts."""
    existing = {
        (p.cadre_id, p.post_kind, p.party_post, p.organisation_id, p.title): p
        for p in Position.objects.filter(cadre__in=cadres.values(), end_date__isnull=True)
    }
    new, changed = [], []
    for post in plan.posts:
        cadre, organisation = cadres[post.cadre_code], organisations[post.organisation_code]
        key = (cadre.pk, post.post_kind, post.party_post, organisation.pk, post.title)
        values = {"agency_name": post.agency_name, "is_head": post.is_head, "start_date": NEW_STRUCTURE}
        position = existing.get(key)
        if position is None:
            new.append(
                Position(
                    cadre=cadre,
                    post_kind=post.post_kind,
                    party_post=post.party_post,
                    organisation=organisation,
                    title=post.title,
                    **values,
                )
            )
        elif assign_changed(position, values):
            changed.append(position)
    create_rows(Position, new)
    tally.add("positions", len(new), update_rows(Position, changed, ["agency_name", "is_head", "start_date"]))


ROLE_ACCOUNTS = {"bantochuc": Role.ORG_BOARD_STAFF, "mattran": Role.FRONT_OVERSEER, "hdnd": Role.COUNCIL_OVERSEER}


def write_roles(users: dict[str, User], organisations: dict[str, PartyOrganisation], tally: Tally) -> None:
    ward = organisations[DEMO_WARD.code]
    created = 0
    for username, role in ROLE_ACCOUNTS.items():
        current = RoleAssignment.objects.filter(
            user=users[username], role=role, organisation=ward, end_date__isnull=True
        )
        if not current.exists():
            create_rows(
                RoleAssignment,
                [RoleAssignment(user=users[username], role=role, organisation=ward, start_date=NEW_STRUCTURE)],
            )
            created += 1
    tally.add("roles", created, 0)


def _iter_rows(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        if number == 0:
            yield "  ".join("-" * width for width in widths)


def accounts_table(password: str) -> str:
    names = spec_names()
    rows = [(_("Tên đăng nhập"), _("Vai trò"), _("Phạm vi"))]
    rows += [
        (s.username, s.role_label, names[s.scope_code] if s.scope_code else _("Toàn hệ thống")) for s in account_specs()
    ]
    lines = [_("Tài khoản dùng thử:"), *_iter_rows(rows), _("Mật khẩu chung: %(password)s") % {"password": password}]
    lines += [
        _(
            "Các tài khoản sau cần thêm mã xác thực hai bước sau mật khẩu: lệnh “manage.py demo_otp <tên đăng nhập>” "
            "in mã hiện tại; hoặc thêm khóa của tài khoản vào ứng dụng xác thực (loại theo thời gian):"
        ),
        *_iter_rows(
            [
                (_("Tên đăng nhập"), _("Khóa xác thực")),
                *((u, key_text(demo_totp_key(u))) for u in SECOND_FACTOR_ACCOUNTS),
            ]
        ),
        _("Quên mật khẩu: mỗi tài khoản có địa chỉ <tên đăng nhập>@%(domain)s; make run in thư ra màn hình.")
        % {"domain": DEMO_EMAIL_DOMAIN},
    ]
    return "\n".join(lines)
