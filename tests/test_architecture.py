"""The layout of DESIGN.md §2, read from the code's own imports (``ast``, nothing is imported).

- Dependencies point one way: workspace → certificates → training → cms; every app may use core,
  accounts and audit below them; accounts may use audit and
  core, audit only core, core none. Nothing imports config (the composition root: settings,
  URLs, Celery, WSGI/ASGI).
- No import cycle between modules, counting imports inside functions too (a deferred import
  hides a cycle, it does not remove it).
- No ``apps.get_model`` across apps outside migrations: another app's rows are reached through
  its selectors and services.
- Small parts: no module over 400 lines, no app with 30 % or more of the apps' Python code
  (tests, migrations and bench are not counted).

Each rule is checked on the project and on a small invented project that breaks it, so a
checker that silently finds nothing fails too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "core",
    "audit",
    "accounts",
    "cms",
    "training",
    "certificates",
    "workspace",
)

# What each app may import besides itself.
ALLOWED = {
    "config": set(APPS),  # the composition root wires everything together
    "core": set(),
    "audit": {"core"},
    "accounts": {"core", "audit"},
    "cms": {"core", "accounts", "audit"},
    "training": {"cms", "core", "accounts", "audit"},
    "certificates": {"training", "cms", "core", "accounts", "audit"},
    "workspace": {"certificates", "training", "cms", "core", "accounts", "audit"},
}

# Modules that start the process may import config: Celery's app module is config's own.
ENTRY_POINTS = {"manage"}


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. "training.services"
    target: str  # imported module, e.g. "cms.selectors"
    line: int


@dataclass(frozen=True)
class GetModel:
    source: str
    app_label: str
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    """Every module of the apps (and manage.py), without migrations."""
    modules = {}
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.relative_to(root).parts:
                continue
            modules[module_name(path, root)] = path
    if (root / "manage.py").exists():
        modules["manage"] = root / "manage.py"
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names: the module itself, or the package it is in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _package(source: str, path: Path) -> str:
    return source if path.name == "__init__.py" else source.rpartition(".")[0]


def read_module(source: str, path: Path, modules: dict[str, Path]):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imports, get_models = [], []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(source, path).split(".")
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            # "from pkg import module" names the module; "from module import name" the module.
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            get_models.append(GetModel(source, node.args[0].value.split(".")[0], node.lineno))
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != source:
                imports.append(Import(source, target, node.lineno))
    return imports, get_models


def read_project(root: Path):
    modules = project_modules(root)
    imports, get_models = [], []
    for source, path in modules.items():
        found, calls = read_module(source, path, modules)
        imports += found
        get_models += calls
    return modules, imports, get_models


def app_of(module: str) -> str:
    return module.split(".")[0]


def wrong_direction(imports: list[Import]) -> list[str]:
    problems = []
    for imp in imports:
        source, target = app_of(imp.source), app_of(imp.target)
        if source == target:
            continue
        if target == "config":
            allowed = imp.source in ENTRY_POINTS
        else:
            allowed = source in ENTRY_POINTS or target in ALLOWED.get(source, set())
        if not allowed:
            problems.append(f"{imp.source}:{imp.line} imports {imp.target} ({source} → {target})")
    return problems


def cycles(imports: list[Import]) -> list[list[str]]:
    """Import cycles between modules (strongly connected components of more than one module,
    or a module importing itself), found with Tarjan's algorithm."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def foreign_get_model(get_models: list[GetModel]) -> list[str]:
    return [
        f"{call.source}:{call.line} looks up a model of {call.app_label!r} by name"
        for call in get_models
        if call.app_label != app_of(call.source)
    ]


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for app in APPS:
        (root / app).mkdir(exist_ok=True)
        (root / app / "__init__.py").touch()
    return root


# --- The project ---------------------------------------------------------------------------


def test_dependencies_point_one_way():
    # given every import of the apps
    _modules, imports, _calls = read_project(ROOT)
    # then none goes against the direction (or into config)
    assert wrong_direction(imports) == []


def test_no_import_cycle_between_modules():
    # given every import, including those inside functions
    _modules, imports, _calls = read_project(ROOT)
    # then no module reaches itself through its imports
    assert cycles(imports) == []


def test_no_model_of_another_app_is_looked_up_by_name():
    # given every apps.get_model call outside migrations
    _modules, _imports, calls = read_project(ROOT)
    # then each names a model of its own app
    assert foreign_get_model(calls) == []


def test_the_reader_sees_the_project():
    # given the project as the checks read it
    modules, imports, _calls = read_project(ROOT)
    # then it found the apps' modules and the imports between them (a broken reader that finds
    # nothing would let every check pass)
    assert {"training.services", "workspace.report", "certificates.selectors"} <= set(modules)
    assert "training.models" in {imp.target for imp in imports if imp.source == "workspace.report"}


MAX_MODULE_LINES = 400
MAX_APP_SHARE = 0.30


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_longer_than_400_lines():
    # given every module of the apps
    modules = project_modules(ROOT)
    # then each fits on a few screens
    assert {
        name: lines_of(path) for name, path in modules.items() if lines_of(path) > MAX_MODULE_LINES
    } == {}


def test_no_app_holds_30_percent_of_the_code():
    # given the Python lines of each app
    sizes = {app: 0 for app in APPS}
    for name, path in project_modules(ROOT).items():
        if name in ENTRY_POINTS:
            continue
        sizes[app_of(name)] += lines_of(path)
    total = sum(sizes.values())
    # then the biggest app holds less than 30 % of them
    assert {
        app: f"{lines / total:.1%}"
        for app, lines in sizes.items()
        if lines / total >= MAX_APP_SHARE
    } == {}


# --- The checks themselves, on invented projects that break the rules ----------------------


def test_an_import_against_the_direction_is_reported(tmp_path):
    # given training importing the workspace and cms importing config
    root = _write(
        tmp_path,
        {
            "workspace/report.py": "X = 1\n",
            "training/services.py": "def f():\n    from workspace.report import X\n",
            "cms/selectors.py": "from config import settings\n",
            "config/settings.py": "DEBUG = False\n",
            "certificates/selectors.py": "from training import services\n",
        },
    )
    # when the project is read
    _modules, imports, _calls = read_project(root)
    # then both are reported, the allowed certificates → training import is not
    assert sorted(wrong_direction(imports)) == [
        "cms.selectors:1 imports config.settings (cms → config)",
        "training.services:2 imports workspace.report (training → workspace)",
    ]


def test_a_cycle_through_a_deferred_import_is_reported(tmp_path):
    # given two modules of one app that import each other, one of them inside a function
    root = _write(
        tmp_path,
        {
            "cms/models.py": "def outline():\n    from cms.selectors import course_outline\n",
            "cms/selectors.py": "from cms.models import outline\n",
            "cms/views.py": "from cms.selectors import outline\n",
        },
    )
    # when the project is read
    _modules, imports, _calls = read_project(root)
    # then the cycle is found (and the module that only uses one of them is not part of it)
    assert cycles(imports) == [["cms.models", "cms.selectors"]]


def test_a_model_of_another_app_looked_up_by_name_is_reported(tmp_path):
    # given a training module looking up the certificate model, and one its own model
    root = _write(
        tmp_path,
        {
            "training/report.py": (
                "from django.apps import apps\n"
                "Certificate = apps.get_model('certificates', 'Certificate')\n"
                "Cohort = apps.get_model('training.Cohort')\n"
            ),
            "training/migrations/0002_x.py": "apps.get_model('cms', 'ModulePage')\n",
        },
    )
    # when the project is read
    _modules, _imports, calls = read_project(root)
    # then the foreign lookup is reported; its own model and migrations are not
    assert foreign_get_model(calls) == [
        "training.report:2 looks up a model of 'certificates' by name"
    ]
