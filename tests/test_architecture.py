"""The layout is the architecture: stages only import earlier stages; thin layers use the public API.

The flow is ingest → text → privacy → prepare → challenges → statements → (trends | explore) →
report → pipeline → cache → cli. ``contract``, ``errors`` and ``progress`` are shared by every stage. A module may
import its own package, the shared modules and any *earlier* stage, never a later one, and never
a stage of the same rank (trends and explore are siblings).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rsnet_analysis"
NOTEBOOKS = PACKAGE.parent / "notebooks"

#: Rank of every top-level part of the package (lower runs earlier).
STAGES: dict[str, float] = {
    "": 0,  # rsnet_analysis/__init__.py
    "contract": 0,
    "errors": 0,
    "progress": 0,
    "ingest": 1,
    "text": 2,
    "privacy": 3,
    "prepare": 4,
    "challenges": 5,
    "statements": 5.5,
    "trends": 6,
    "explore": 6,
    "report": 7,
    "pipeline": 8,
    "cache": 8.5,
    "cli": 9,
}
SHARED = {"", "contract", "errors", "progress"}


def _stage_of(module: str) -> str:
    """Top-level part of a dotted module name inside the package ('' for the package itself)."""
    parts = module.split(".")
    assert parts[0] == "rsnet_analysis", module
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every rsnet_analysis module imported by ``source`` (anywhere in the file), resolved."""
    found: list[str] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "rsnet_analysis"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] != "rsnet_analysis":
                continue
            found.append(name)
            if name == "rsnet_analysis":  # from rsnet_analysis import challenges
                found += [f"rsnet_analysis.{a.name}" for a in node.names if a.name in STAGES]
    return found


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Imports of ``module`` that go to a later stage or to a sibling stage."""
    own = _stage_of(module)
    bad = []
    for target in imports_of(source, module, is_package=is_package):
        stage = _stage_of(target)
        if stage == own or stage in SHARED:
            continue
        if stage not in STAGES:
            bad.append(f"{module} imports {target} (unknown part of the package)")
        elif STAGES[stage] >= STAGES[own]:
            bad.append(f"{module} (stage {own}) imports {target} (stage {stage})")
    return bad


def _all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_part_of_the_package_has_a_stage() -> None:
    parts = {p.name if p.is_dir() else p.stem for p in PACKAGE.iterdir()}
    parts -= {"__pycache__", "__init__", "resources"}
    assert parts <= set(STAGES), sorted(parts - set(STAGES))


def test_no_stage_imports_a_later_stage() -> None:
    problems: list[str] = []
    for path in _all_modules():
        module = _module_name(path)
        problems += violations(
            path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from rsnet_analysis.report import write_reports", "rsnet_analysis.trends.waves", 1),
        ("from rsnet_analysis import pipeline", "rsnet_analysis.challenges.discover", 1),
        ("import rsnet_analysis.challenges.discover", "rsnet_analysis.text.tokenizer", 1),
        ("from ..trends import waves", "rsnet_analysis.explore.terms", 1),
        ("def f():\n    from rsnet_analysis.cli import main\n", "rsnet_analysis.ingest.reader", 1),
        ("from rsnet_analysis.text import clean_text", "rsnet_analysis.prepare.records", 0),
        ("from rsnet_analysis.contract import MIN_CELL", "rsnet_analysis.ingest.reader", 0),
        ("from .sheets import Sheet", "rsnet_analysis.ingest.roles", 0),
    ],
)
def test_the_checker_catches_later_and_sibling_imports(source: str, module: str, expected: int) -> None:
    assert len(violations(source, module)) == expected


def _public_names(module: str) -> set[str]:
    return set(getattr(importlib.import_module(module), "__all__", []))


def _thin_layer_imports(source: str) -> list[tuple[str, str]]:
    pairs = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rsnet_analysis"):
            pairs += [(node.module or "", a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            pairs += [(a.name, "") for a in node.names if a.name.startswith("rsnet_analysis")]
    return pairs


def _notebook_sources() -> list[tuple[str, str]]:
    """The py:percent twins (paired with the notebooks, see test_notebooks_paired)."""
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))]


def test_cli_and_notebooks_import_only_the_public_api() -> None:
    sources = [("cli.py", (PACKAGE / "cli.py").read_text(encoding="utf-8")), *_notebook_sources()]
    problems = []
    for name, source in sources:
        for module, item in _thin_layer_imports(source):
            parts = module.split(".")
            if len(parts) > 2:
                problems.append(f"{name}: imports the private module {module}")
            elif item and module != "rsnet_analysis" and item not in _public_names(module):
                problems.append(f"{name}: {item} is not in {module}.__all__")
            elif item.startswith("_") and item != "__version__":
                problems.append(f"{name}: imports the private name {item}")
    assert not problems, "\n".join(problems)
