"""Who may see or do something is decided in the apps' access modules alone, read from the source with `ast`.

The access modules are `<app>.access` and, for programmes, the package's modules (`programmes.access.*`). Outside
them, no code may:

- read `is_superuser` (the user's flag, or the access function of that name): whether an administrator may do
  something is a rule of its own, asked of the access module by its name (`access.acts_on_whole_tree`, ...);
- look up role assignments (`RoleAssignment.objects....`, a `role_assignments` manager): roles become grants in
  access, and only there;
- compare personas or read raw grants (`Persona.X`, `grant.persona`, `personas()`, `grants_for()`,
  `PERMISSIONS`): what a persona may do is the table in programmes.access.holdings.

programmes/grants.py is not an access module: it makes the changes that give rights (a link, with its audit and
notices). The rules of who may give which right are access policy and live in programmes.access.granting, which
grants.py re-exports for the admin.

Writing a role assignment (`RoleAssignment.objects.create`) is a change, not a lookup, and is not flagged.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.test_architecture import LAYERS, ROOT, _write, source_modules

# Attribute names whose reading is a decision about a user's rights.
DECIDING_ATTRIBUTES = frozenset({"is_superuser", "persona", "role_assignments", "PERMISSIONS"})
# Functions whose call reads raw holdings (their answers are grants or personas, not a permission).
DECIDING_CALLS = frozenset({"personas", "grants_for"})
# Writing a role assignment is not a lookup of who holds one.
ROLE_WRITES = frozenset({"create", "bulk_create"})

# True non-decisions, by module and enclosing function (qualified name): each says why it decides nothing.
ALLOWED = {
    # The personas' names, shown on the user's own page: labels, not rights.
    ("programmes.views", "PERSONA_LABELS"): "names each persona for the page",
    # The user's own page lists the posts and roles they hold, each under its name: a description of their rights
    # read from access, deciding nothing (every link on it is checked by access again).
    ("programmes.views", "dashboard"): "lists the user's own grants and whether they are an administrator",
    ("programmes.views", "_role_rows"): "labels each of the user's own grants by its persona",
    # The person's copy of their own data includes the roles they held: a record, not a permission.
    ("programmes.personal_data", "roles_part"): "copies the user's role assignments into their data",
    # The guides linked from a page are those of the roles the person holds: every guide is public, so the choice
    # only saves the reader a search, and grants nothing.
    ("programmes.help", "GUIDES"): "names the roles each public guide is written for",
    ("programmes.help", "guides_for"): "links the public guides of the roles the user holds",
    # The demo seeding checks whether a demo account already has its role before creating it.
    ("demo.people", "write_roles"): "seeding is idempotent: a role is created once",
    # The role being changed is read as it was stored, to tell its previous holder they lost it: a notice.
    ("programmes.admin.roles", "RoleAssignmentAdmin.save_model"): "reads the stored row to notify who lost the role",
    # The admin's has_*_permission wiring answers Django's admin by calling access.is_superuser.
    ("reviews.admin", "RuleSetAdmin.has_module_permission"): "admin wiring that calls access",
    ("reviews.admin", "RuleSetAdmin.has_view_permission"): "admin wiring that calls access",
    ("reviews.admin", "RuleSetAdmin.has_add_permission"): "admin wiring that calls access",
    ("reviews.admin", "RuleSetAdmin.has_change_permission"): "admin wiring that calls access",
    ("reviews.admin", "RuleSetAdmin.has_delete_permission"): "admin wiring that calls access",
}


@dataclass(frozen=True, order=True)
class Finding:
    module: str
    line: int
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} in {self.where or '<module>'}: {self.what}"


def is_access_module(module: str) -> bool:
    _app, _, rest = module.partition(".")
    return rest == "access" or rest.startswith("access.")


def application_modules(root: Path) -> dict[str, Path]:
    """Every module of the apps and config, without migrations and tests."""
    return {
        name: path
        for name, path in source_modules(root, LAYERS).items()
        if ".migrations." not in f".{name}." and ".tests." not in f".{name}." and not name.endswith(".tests")
    }


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _is_role_lookup(node: ast.Attribute) -> bool:
    """`RoleAssignment.objects.<method>` other than a write."""
    inner = node.value
    return (
        isinstance(inner, ast.Attribute)
        and inner.attr == "objects"
        and isinstance(inner.value, ast.Name)
        and inner.value.id == "RoleAssignment"
        and node.attr not in ROLE_WRITES
    )


def _decision(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        if node.attr in DECIDING_ATTRIBUTES:
            return f"reads .{node.attr}"
        if isinstance(node.value, ast.Name) and node.value.id == "Persona":
            return f"compares personas (Persona.{node.attr})"
        if _is_role_lookup(node):
            return f"looks up role assignments (RoleAssignment.objects.{node.attr})"
    if isinstance(node, ast.Call):
        name = _called_name(node)
        if name in DECIDING_CALLS:
            return f"calls {name}()"
        if name == "getattr" and any(
            isinstance(arg, ast.Constant) and arg.value == "is_superuser" for arg in node.args
        ):
            return "reads is_superuser through getattr"
    if isinstance(node, ast.Name) and node.id in ("is_superuser", "PERMISSIONS") and isinstance(node.ctx, ast.Load):
        return f"reads {node.id}"
    return None


def _walk(node: ast.AST, where: str) -> Iterator[tuple[ast.AST, str]]:
    """Every node with the qualified name of the function or class around it (or, at module level, of the name
    assigned); imports are skipped (importing a name decides nothing, using it does)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            continue
        inner = where
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = f"{where}.{child.name}" if where else child.name
        elif not where and isinstance(child, ast.Assign | ast.AnnAssign):
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            inner = ",".join(target.id for target in targets if isinstance(target, ast.Name))
        yield child, inner
        yield from _walk(child, inner)


def decisions_outside_access(root: Path) -> list[Finding]:
    findings = set()
    for module, path in application_modules(root).items():
        if is_access_module(module):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, where in _walk(tree, ""):
            what = _decision(node)
            if what is not None and (module, where) not in ALLOWED:
                findings.add(Finding(module, getattr(node, "lineno", 0), where, what))
    return sorted(findings)


def test_the_walk_reads_every_app_and_skips_only_access_modules():
    # A guard on the checker: were the walk to find nothing, the test below would pass vacuously.
    modules = application_modules(ROOT)
    assert {"programmes.views", "reviews.selectors", "publicity.views", "config.urls", "programmes.grants"} <= set(
        modules
    )
    assert {name for name in modules if is_access_module(name)} >= {
        "programmes.access",
        "programmes.access.holdings",
        "programmes.access.granting",
        "reviews.access",
        "publicity.access",
    }
    assert not any(".migrations." in name for name in modules)


def test_no_code_outside_the_access_modules_decides_who_may_see_or_do_something():
    findings = decisions_outside_access(ROOT)
    assert not findings, "Decisions outside the access modules (ask the access module instead):\n" + "\n".join(
        f"  {finding}" for finding in findings
    )


def test_every_allowed_place_still_exists():
    # An allow-list entry whose function is gone would silently allow a new function of the same name.
    places = set()
    for module, path in application_modules(ROOT).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        places |= {(module, where) for _node, where in _walk(tree, "")}
    assert set(ALLOWED) <= places, set(ALLOWED) - places


# --- The checker itself, on a tiny synthetic project -------------------------------------------------------------


def test_the_checker_finds_planted_decisions_and_spares_access_and_writes(tmp_path):
    _write(
        tmp_path,
        {
            "programmes/__init__.py": "",
            "programmes/access/__init__.py": "def is_superuser(user):\n    return user.is_superuser\n",
            "programmes/access/holdings.py": "def roles(user):\n    return RoleAssignment.objects.filter(user=user)\n",
            "programmes/views.py": (
                "from programmes import access\n"
                "from programmes.access import Persona, personas\n"
                "def page(request):\n"
                "    if request.user.is_superuser:\n"
                "        return 1\n"
                "    return Persona.COMMITTEE_HEAD in personas(request.user)\n"
                "class Work:\n"
                "    def rows(self, user):\n"
                "        return [g for g in access.grants_for(user) if g.persona in access.PERMISSIONS['x']]\n"
            ),
            "programmes/services.py": (
                "def assign(user):\n"
                "    RoleAssignment.objects.create(user=user)\n"
                "    return RoleAssignment.objects.filter(user=user).exists() or getattr(user, 'is_superuser')\n"
            ),
            "programmes/migrations/__init__.py": "",
            "programmes/migrations/0001_initial.py": "def forwards(user):\n    return user.is_superuser\n",
            "reviews/__init__.py": "",
            "reviews/access.py": "def heads(user):\n    return Persona.COMMITTEE_HEAD in personas(user)\n",
            "reviews/views.py": "from reviews import access\ndef page(user):\n    return access.heads(user)\n",
        },
    )

    found = {
        (finding.module, finding.line, finding.where, finding.what) for finding in decisions_outside_access(tmp_path)
    }

    assert found == {
        ("programmes.views", 4, "page", "reads .is_superuser"),
        ("programmes.views", 6, "page", "compares personas (Persona.COMMITTEE_HEAD)"),
        ("programmes.views", 6, "page", "calls personas()"),
        ("programmes.views", 9, "Work.rows", "calls grants_for()"),
        ("programmes.views", 9, "Work.rows", "reads .persona"),
        ("programmes.views", 9, "Work.rows", "reads .PERMISSIONS"),
        ("programmes.services", 3, "assign", "looks up role assignments (RoleAssignment.objects.filter)"),
        ("programmes.services", 3, "assign", "reads is_superuser through getattr"),
    }


def test_the_checker_honours_the_allow_list_by_function(tmp_path):
    _write(
        tmp_path,
        {
            "programmes/__init__.py": "",
            "programmes/views.py": (
                "def dashboard(request):\n    return request.user.is_superuser\n"
                "def other(request):\n    return request.user.is_superuser\n"
            ),
        },
    )
    found = [(finding.module, finding.where) for finding in decisions_outside_access(tmp_path)]
    assert found == [("programmes.views", "other")]
