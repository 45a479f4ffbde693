"""The portal's layers and its import graph, read from the source with `ast` (nothing is imported).

The apps stand in layers: programmes is the base, reviews builds on it, publicity on both; config (the project
package) wires them together and sits above them all. A module may import from its own layer or below, never
above: the base must not know what is built on it. And no two modules may import each other, directly or round
a loop, at module level or inside a function: a cycle means neither side can be understood, tested or moved
without the other (the services ask for background work by the task's name through programmes.outbox, so that
the task modules import the services and never the reverse).
"""

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first; a module may import from its own layer or an earlier one. `demo` joins if the directory exists.
LAYERS = ("programmes", "reviews", "publicity", "demo", "config")
# Upward imports tolerated for now, by importing module. The demo seeding command builds reviews and feedback too;
# it is being moved out of programmes, and then this set must be emptied.
UPWARD_IMPORT_EXEMPTIONS = frozenset({"programmes.management.commands.seed_demo"})
# What an app may import from config: the Celery application object (outbox and health check ask it for the
# broker) and the type of the task options the apps share. It imports no app module (it finds the tasks by name
# when a worker starts), so no layer is crossed.
CONFIG_MODULES_APPS_MAY_IMPORT = frozenset({"config.celery"})

Graph = dict[str, set[str]]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of the given top-level packages that exist under `root`, by dotted name."""
    found = {}
    for package in packages:
        if (root / package).is_dir():
            for path in sorted((root / package).rglob("*.py")):
                found[module_name(path, root)] = path
    return found


def _imported_modules(tree: ast.AST, name: str, is_package: bool, modules: dict[str, Path]) -> Iterator[str]:
    """The modules of ours that a module's import statements reach, anywhere in it (functions included), relative
    imports resolved: `from a import b` reaches the module a.b if there is one, else the module a (which defines b)."""
    package = name if is_package else name.rpartition(".")[0]
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            yield from filter(None, (_known_module(alias.name, modules) for alias in node.names))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known_module(base, modules)
                if target is not None:
                    yield target


def _statements(node: ast.AST) -> Iterator[ast.AST]:
    """Every statement inside `node`, at any depth (functions, classes, branches, handlers): imports are
    statements, so the expressions, the bulk of a tree, need not be visited."""
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        for child in getattr(node, field, ()):
            if isinstance(child, ast.stmt):
                yield child
            yield from _statements(child)


def _known_module(dotted: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that `dotted` names or lies in (`reviews.models.Review` -> reviews.models), if any."""
    while dotted:
        if dotted in modules:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def import_graph(root: Path, packages: Iterable[str]) -> Graph:
    """Module -> the modules of ours it imports."""
    modules = source_modules(root, packages)
    graph: Graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = set(_imported_modules(tree, name, path.name == "__init__.py", modules)) - {name}
    return graph


def _layer(module: str) -> int:
    return LAYERS.index(module.partition(".")[0])


def upward_imports(graph: Graph) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a module imports from a layer above its own, beyond the exemptions."""
    found = []
    for importer, targets in sorted(graph.items()):
        if importer in UPWARD_IMPORT_EXEMPTIONS:
            continue
        for target in sorted(targets):
            if target in CONFIG_MODULES_APPS_MAY_IMPORT:
                continue
            if _layer(target) > _layer(importer):
                found.append((importer, target))
    return found


def import_cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted: every import cycle."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                lowlink[node] = min(lowlink[node], lowlink[target])
            elif target in on_stack:
                lowlink[node] = min(lowlink[node], index[target])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


@pytest.fixture(scope="module")
def portal_graph() -> Graph:
    return import_graph(ROOT, LAYERS)


def test_the_graph_reads_every_app(portal_graph):
    # A guard on the checker: were the walk to find nothing, both tests below would pass vacuously.
    assert {"programmes.outbox", "reviews.services", "reviews.services.decision", "publicity.feedback"} <= set(
        portal_graph
    )
    assert "programmes.outbox" in portal_graph["reviews.services.confirmation"]


def test_no_module_imports_from_a_layer_above_its_own(portal_graph):
    upward = upward_imports(portal_graph)
    assert not upward, "Upward imports (importer -> imported):\n" + "\n".join(f"  {a} -> {b}" for a, b in upward)


def test_no_import_cycle(portal_graph):
    cycles = import_cycles(portal_graph)
    assert not cycles, "Import cycles:\n" + "\n".join(f"  {cycle}" for cycle in cycles)


# --- The checker itself, on a tiny synthetic project -------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_finds_a_planted_upward_import_and_a_cycle(tmp_path):
    _write(
        tmp_path,
        {
            "programmes/__init__.py": "",
            "programmes/models.py": "",
            # Upward, and hidden in a function as the real ones were.
            "programmes/helpers.py": "def f():\n    from reviews.tasks import work\n    return work\n",
            "programmes/fine.py": "from .models import *\nfrom config.celery import app\n",
            "reviews/__init__.py": "",
            # A relative import closing a loop: tasks -> services -> tasks.
            "reviews/tasks.py": "from reviews import services\nfrom programmes import models\n",
            "reviews/services.py": "def g():\n    from . import tasks\n",
            "config/__init__.py": "",
            "config/celery.py": "",
            "config/urls.py": "import programmes.fine\nimport reviews.services\n",
        },
    )
    graph = import_graph(tmp_path, LAYERS)

    assert graph["programmes.fine"] == {"programmes.models", "config.celery"}
    assert graph["reviews.services"] == {"reviews.tasks"}
    assert upward_imports(graph) == [("programmes.helpers", "reviews.tasks")]
    assert import_cycles(graph) == [["reviews.services", "reviews.tasks"]]


def test_the_checker_allows_downward_imports_and_the_named_exemptions(tmp_path):
    _write(
        tmp_path,
        {
            "programmes/__init__.py": "",
            "programmes/management/commands/seed_demo.py": "import publicity.views\n",
            "programmes/views.py": "from config import celery\n",
            "publicity/__init__.py": "",
            "publicity/views.py": "from programmes import views\n",
            "config/__init__.py": "",
            "config/celery.py": "",
        },
    )
    graph = import_graph(tmp_path, LAYERS)

    assert graph["programmes.views"] == {"config.celery"}
    assert upward_imports(graph) == []
    assert import_cycles(graph) == []


# --- Size: a module is read whole -----------------------------------------------------------------------------

# A module longer than this mixes steps or topics and is split by them (a package whose __init__ re-exports).
MODULE_LINE_LIMIT = 500


def _long_modules(root: Path) -> list[str]:
    """Modules of the apps, config and scripts over the limit; migrations are generated and tests are not code."""
    long = []
    for name, path in sorted(source_modules(root, (*LAYERS, "scripts")).items()):
        if ".migrations." in f".{name}.":
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LINE_LIMIT:
            long.append(f"{name}: {lines} lines")
    return long


def test_no_module_is_longer_than_the_limit():
    assert _long_modules(ROOT) == []


def test_the_size_check_finds_a_planted_long_module(tmp_path):
    too_long = "x = 1\n" * (MODULE_LINE_LIMIT + 1)
    _write(
        tmp_path,
        {
            "programmes/__init__.py": "",
            "programmes/big.py": too_long,
            "programmes/small.py": "x = 1\n" * MODULE_LINE_LIMIT,
            "programmes/migrations/0001_initial.py": too_long,
        },
    )

    assert _long_modules(tmp_path) == [f"programmes.big: {MODULE_LINE_LIMIT + 1} lines"]
