"""The layering the developers' guide asks for, read from the source: front-ends never import a
back-end, the translator never imports the runtime or the runner (they depend on it, not the
reverse), module-level imports form no cycle, and `import sweepbridge` loads no heavy library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sweepbridge"
HEAVY = ("wandb", "hyperopt", "ray", "numpy", "optuna", "sweeps", "scipy", "torch", "jsonschema")
FRONT_ENDS = ("sweepbridge.frontends", "sweepbridge.hyperopt")
BACK_ENDS = ("sweepbridge.backends",)
RUN_LAYERS = ("sweepbridge.runtime", "sweepbridge.runner")
ENTRY_POINTS = ("sweepbridge", "sweepbridge.cli", "sweepbridge.__main__", "sweepbridge.experiment")
"""Where the layers meet: they may name any layer (lazily)."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(module-level, all) sweepbridge modules `path` imports."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for stmt in ast.walk(tree) if _type_checking(stmt) for n in ast.walk(stmt)}
    top_nodes = {
        id(n) for stmt in tree.body for n in ast.walk(stmt) if not isinstance(stmt, ast.FunctionDef | ast.ClassDef)
    }
    top: set[str] = set()
    every: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        if id(node) in typing_only:
            continue
        found = {_resolve(n) for n in names if n.startswith("sweepbridge")}
        found.discard(None)
        every |= found  # type: ignore[arg-type]
        if id(node) in top_nodes:
            top |= found  # type: ignore[arg-type]
    return top, every


def _type_checking(node: ast.AST) -> bool:
    """An `if TYPE_CHECKING:` block: imports for annotations only, never run."""
    test = getattr(node, "test", None) if isinstance(node, ast.If) else None
    return (
        isinstance(test, ast.Name | ast.Attribute) and getattr(test, "id", getattr(test, "attr", "")) == "TYPE_CHECKING"
    )


def _resolve(name: str) -> str | None:
    """The module a dotted import name refers to (a name inside a module → that module)."""
    parts = name.split(".")
    while parts:
        candidate = PACKAGE.parent.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return None


GRAPH = {_module(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _in(module: str, layers: tuple[str, ...]) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def test_the_graph_was_read():
    """The scan sees the package (so the tests below cannot pass on an empty graph)."""
    assert len(GRAPH) > 50
    assert "sweepbridge.backends.wandb" in GRAPH["sweepbridge.api"][0]


def test_front_ends_never_import_a_back_end_or_a_run_layer():
    wrong = [
        f"{m} imports {n}"
        for m, (_, every) in GRAPH.items()
        if _in(m, FRONT_ENDS)
        for n in every
        if _in(n, BACK_ENDS + RUN_LAYERS)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_translator_never_imports_the_runtime_or_the_runner():
    wrong = [
        f"{m} imports {n}"
        for m, (_, every) in GRAPH.items()
        if not _in(m, RUN_LAYERS) and m not in ENTRY_POINTS
        for n in every
        if _in(n, RUN_LAYERS)
    ]
    assert not wrong, "\n".join(wrong)


def test_module_level_imports_form_no_cycle():
    top = {m: {n for n in deps if n != m and not m.startswith(n + ".")} for m, (deps, _) in GRAPH.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(top.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n) :] + [n]
            if n not in state and (cycle := visit(n)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for module in sorted(top):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " → ".join(cycle))


@pytest.mark.parametrize("module", ["sweepbridge", "sweepbridge.cli"])
def test_importing_loads_no_heavy_library(module):
    code = f"import sys, {module}; print(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"import {module} loaded: {done.stdout.strip()}"
