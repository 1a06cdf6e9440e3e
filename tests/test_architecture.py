"""The house rules that keep the code base in layers, checked on the source itself.

- No package under matchmaker/ imports, at any depth, a package that imports it back.
- No import inside a function (the usual way to hide a circle).
- Services never commit; views, API endpoints and commands do.
- Views and API endpoints hold no role or participation rule: they call the domain's access
  getters (`get_programme(actor, id)`), which load and authorise in one step.
"""

import ast
from collections import defaultdict
from pathlib import Path

import matchmaker

ROOT = Path(matchmaker.__file__).parent
# The wiring at the very top may import everything; nothing imports it back.
WIRING = {"matchmaker", "matchmaker.app_setup"}
COMMITTERS = {"views.py", "cli.py", "jobs.py", "loaders.py", "demo.py"}
ROLE_RULES = {"ensure_facilitator", "ensure_admin", "ensure_participant", "is_admin",
              "is_facilitator", "has_role", "Role"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"))


def _unit(module: str) -> str:
    """The node of the graph: a subpackage (matchmaker.cities) or a top-level module."""
    parts = module.split(".")
    return ".".join(parts[:2])


def _imports(tree) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name.startswith("matchmaker")]


def _graph() -> dict[str, set[str]]:
    known = {name for name, _path, _tree in _modules()}
    edges: dict[str, set[str]] = defaultdict(set)
    for name, _path, tree in _modules():
        if name in WIRING:
            continue
        for target in _imports(tree):
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if _unit(target) != _unit(name):
                edges[_unit(name)].add(_unit(target))
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_package_imports_a_package_that_imports_it_back():
    edges = _graph()
    assert _cycle(edges) is None
    assert "matchmaker.app_setup" not in {t for targets in edges.values() for t in targets}


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_the_layers_run_down():
    """The domain order of docs/architecture.md: each package may use only those left of it."""
    order = ["cities", "auth", "programmes", "matching", "notes", "reminders", "reports", "api"]
    edges = _graph()
    for i, package in enumerate(order):
        above = {f"matchmaker.{p}" for p in order[i + 1:]}
        assert not edges.get(f"matchmaker.{package}", set()) & above, package


def test_no_import_hides_inside_a_function():
    offenders = []
    for name, _path, tree in _modules():
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                offenders += [f"{name}.{func.name}" for node in ast.walk(func)
                              if isinstance(node, ast.Import | ast.ImportFrom)]
    assert offenders == []


def _calls(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return names


def test_services_never_commit():
    committing = [name for name, path, tree in _modules()
                  if path.name not in COMMITTERS and "commit" in _calls(tree)
                  and not name.startswith("matchmaker.api")]
    assert committing == []


def test_views_and_api_hold_no_role_or_participation_rule():
    offenders = []
    for name, path, tree in _modules():
        if path.name == "views.py" or name.startswith("matchmaker.api"):
            offenders += [f"{name}: {rule}" for rule in sorted(_calls(tree) & ROLE_RULES)]
            offenders += [f"{name}: .role" for node in ast.walk(tree)
                          if isinstance(node, ast.Attribute) and node.attr == "role"
                          and not (isinstance(node.value, ast.Name) and node.value.id == "form")]
    assert offenders == []
