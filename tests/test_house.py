"""The house rules of the tree: no import circles, services in packages, small files, demo data apart.

The import graph is read from every module's source with `ast`, imports inside function bodies
included: a late import hides a circle from Python's import machinery, not from this test.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "workflows")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> set[str]:
    """The project modules `name` imports anywhere in its body (parent packages left out)."""
    tree = ast.parse(MODULES[name].read_text(), filename=str(MODULES[name]))
    here = name if _is_package(name) else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                targets.add(submodule if submodule in MODULES else origin)
    return {target for target in targets if target in MODULES and target != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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


def test_the_circle_finder_finds_a_circle_hidden_in_a_function_body() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_relative_and_late_imports() -> None:
    # outbox jobs import the services they run, and the registry by a relative import
    assert "app.services.notifications.registry" in GRAPH["app.jobs.notifications"]
    assert GRAPH["app.jobs.outbox"] >= {"app.jobs.context", "app.outbox", "app.services.notifications.delivery"}


def test_no_module_of_app_or_workflows_imports_itself_back_in_a_circle() -> None:
    circles = _circles(GRAPH)
    assert circles == [], "import circles:\n" + "\n".join(" ↔ ".join(c) for c in circles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name: str) -> None:
    importlib.import_module(name)


def test_the_pathway_engine_imports_nothing_of_the_app() -> None:
    leaks = {name: sorted(t for t in targets if t.split(".")[0] == "app")
             for name, targets in GRAPH.items() if name.startswith("workflows")}
    assert {name: t for name, t in leaks.items() if t} == {}


def test_job_handlers_depend_on_services_and_never_the_reverse() -> None:
    upward = {name: sorted(t for t in targets if t.startswith("app.jobs"))
              for name, targets in GRAPH.items() if name.startswith("app.services")}
    assert {name: t for name, t in upward.items() if t} == {}


# The service packages, lowest first: each imports only those before it. People and roles at the bottom;
# the enrolment and its pathway; sign-offs; what a candidate files (which queues and withdraws
# sign-offs); what people see of an enrolment's progress; the director's side; the notifications at the
# edge, which every other package reaches only through the outbox's named jobs (app/outbox.py).
SERVICE_LAYERS = ("team", "enrollments", "signoffs", "evidence", "progress", "programs", "notifications")


def _service_package(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["app", "services"] else None


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, targets in GRAPH.items():
        if (source := _service_package(name)) is not None:
            graph.setdefault(source, set()).update(
                t for target in targets if (t := _service_package(target)) not in (None, source))
    return graph


def test_the_service_packages_import_each_other_in_no_circle() -> None:
    assert _circles(_package_graph()) == []


def test_each_service_package_imports_only_the_layers_below_it() -> None:
    assert set(_package_graph()) == set(SERVICE_LAYERS), "a service package missing from SERVICE_LAYERS"
    upward = sorted(f"{name} -> {target}" for name, targets in GRAPH.items() for target in targets
                    if (a := _service_package(name)) and (b := _service_package(target))
                    and SERVICE_LAYERS.index(b) > SERVICE_LAYERS.index(a))
    assert upward == []


def test_demo_data_is_imported_by_nothing_in_the_request_path() -> None:
    # The `flask seed-demo` command is the one way in; it is not on any request's path.
    users = {name for name, targets in GRAPH.items()
             if any(t == "app.demo" or t.startswith("app.demo.") for t in targets)
             and not name.startswith("app.demo")}
    assert users <= {"app.cli"}


def test_every_service_module_sits_in_a_package_that_says_what_it_holds() -> None:
    services = ROOT / "app" / "services"
    loose = sorted(p.name for p in services.glob("*.py") if p.name != "__init__.py")
    assert loose == []
    for package in sorted(p for p in services.iterdir() if (p / "__init__.py").exists()):
        docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
        assert docstring, f"{package.name}/__init__.py says nothing about what it holds"


def test_no_file_in_app_is_over_the_house_limit() -> None:
    long = {str(path.relative_to(ROOT)): n for path in (ROOT / "app").rglob("*.py")
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


# Tests about the real clock itself (the system clock, the runtime clock file, a production app that
# refuses a moved clock); every other test takes its day from tests/today.py.
REAL_CLOCK_TESTS = {"tests/today.py", "tests/test_house.py", "tests/app/infrastructure/test_clock.py",
                    "tests/app/enrollments/test_time_moves_the_machine.py"}


def test_tests_take_today_from_the_suites_day_not_the_machines_calendar() -> None:
    """A test that reads the machine's calendar passes on some days and fails on others."""
    pattern = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today)\(")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "tests").rglob("*.py"))
             if str(path.relative_to(ROOT)) not in REAL_CLOCK_TESTS
             for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == [], "use TODAY or now() from tests/today.py"


# Lower-casing a label whole is how "district hr" and "Iip 1 (cpsel 1-3)" reached people: labels go into
# a sentence through workflows/vocabulary.py (`in_sentence`, the `in_sentence` filter), which keeps acronyms.
_RECASED = re.compile(r"\.label\.lower\(\)|\.capitalize\(\)|(?:label|role|_label\)?)\s*\|\s*(?:lower|capitalize)\b"
                      r"|\|\s*capitalize\b|\bitem_label\|lower\b")


def test_no_page_email_or_service_changes_the_case_of_a_label_by_hand() -> None:
    files = [*(ROOT / "app").rglob("*.py"), *(ROOT / "app" / "templates").rglob("*.html"),
             *(ROOT / "app" / "templates").rglob("*.txt")]
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}" for path in sorted(files)
             for n, line in enumerate(path.read_text().splitlines(), 1) if _RECASED.search(line)]
    assert found == [], "put labels in a sentence with in_sentence (workflows/vocabulary.py)"
