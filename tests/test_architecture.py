"""The code's own rules: operation kinds live in agents/operations/, dependencies point down."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("agents", "graph", "engines", "state", "prompts")
# The grammar turns words into kinds, so it names them; everything else asks the registry.
NAMES_KINDS = ("agents/operations/", "agents/parsing/")


def _files(*packages: str):
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at module level) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno, id(node) in top))
    return found


def test_operation_kinds_are_compared_only_in_their_modules():
    pattern = re.compile(r"OpKind\.[A-Z]")
    offenders = []
    for path in _files("agents", "graph"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(NAMES_KINDS):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == [], "an operation kind belongs in its module in agents/operations/:\n" + "\n".join(offenders)


def test_every_kind_has_an_operation_module():
    from agents.operations import OPERATIONS
    from state.models import OpKind

    missing = [kind.value for kind in OpKind if kind not in OPERATIONS]
    assert missing == [], f"operation kinds without a module in agents/operations/: {missing}"
    for kind, module in OPERATIONS.items():
        assert module.kind == kind


def test_dependencies_point_down():
    rules = {
        "state": ("agents", "graph", "engines", "evals"),
        "engines": ("agents", "graph", "evals"),
        "agents": ("graph", "evals"),
        "prompts": ("agents", "graph", "engines", "state", "evals"),
    }
    offenders = []
    for package, forbidden in rules.items():
        for path in _files(package):
            for module, line, _ in _imports(path):
                if module.split(".")[0] in forbidden:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def test_graph_reaches_engines_only_through_its_services():
    offenders = []
    for path in _files("graph"):
        if path.name == "services.py" and path.parent.name == "graph":
            continue
        for module, line, _ in _imports(path):
            if module.split(".")[0] == "engines":
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == [], "graph/ builds the EngineSet in services.py; the agents make every engine call"


def test_nothing_in_the_product_imports_evals_at_module_level():
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for path in _files(*PRODUCT) for module, line, top in _imports(path)
                 if top and module.split(".")[0] == "evals"]
    assert offenders == []
