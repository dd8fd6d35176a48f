"""The layering the developers' guide asks for, read from the source: front-ends never import a
back-end and back-ends never a front-end, the translator never imports the runtime or the runner
(they depend on it, not the reverse), imports form no cycle (not even through function-level
imports), `import sweepbridge` loads no heavy library and a trial process loads no translator module."""

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
ENTRY_POINTS = (
    "sweepbridge",
    "sweepbridge.cli",
    "sweepbridge.__main__",
    "sweepbridge.experiment",
    "sweepbridge.script_run",
)
"""Where the layers meet: they may name any layer (lazily)."""
TRANSLATOR = (
    "sweepbridge.api",
    "sweepbridge.assembly",
    "sweepbridge.backends",
    "sweepbridge.frontends",
    "sweepbridge.hyperopt",
    "sweepbridge.validation",
    "sweepbridge.compat",
    "sweepbridge.compat_rows",
    "sweepbridge.distributions",
    "sweepbridge.sweep_config",
    "sweepbridge.reverse",
    "sweepbridge.sources",
    "sweepbridge.check",
    "sweepbridge.tune_beta",
    "sweepbridge.tune_spec",
    "sweepbridge.tune.translate",
    "sweepbridge.tune.search",
    "sweepbridge.tune.schedulers",
    "sweepbridge.tune.suggest",
    "sweepbridge.tune.registry",
    "sweepbridge.tune.plan",
    "sweepbridge.tune.space",
    "sweepbridge.tune.wandb_emitter",
    "sweepbridge.tune.optuna_emitter",
    "sweepbridge.tune.configspace",
    "sweepbridge.tune.domains",
    "sweepbridge.tune.command",
    "sweepbridge.tune.tuner",
    "sweepbridge.tune.run",
)
"""Modules that translate (read a source, write a sweep): a trial process must load none of them."""


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
    assert "sweepbridge.backends.wandb" in GRAPH["sweepbridge.assembly"][0]


def test_front_ends_never_import_a_back_end_or_a_run_layer():
    wrong = [
        f"{m} imports {n}"
        for m, (_, every) in GRAPH.items()
        if _in(m, FRONT_ENDS)
        for n in every
        if _in(n, BACK_ENDS + RUN_LAYERS)
    ]
    assert not wrong, "\n".join(wrong)


def test_back_ends_never_import_a_front_end():
    wrong = [
        f"{m} imports {n}" for m, (_, every) in GRAPH.items() if _in(m, BACK_ENDS) for n in every if _in(n, FRONT_ENDS)
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


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `edges` (module → modules it imports), or None."""
    top = {m: {n for n in deps if n != m and not m.startswith(n + ".")} for m, deps in edges.items()}
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
            return cycle
    return None


def test_module_level_imports_form_no_cycle():
    cycle = _cycle({m: deps for m, (deps, _) in GRAPH.items()})
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_no_cycle_even_through_function_level_imports():
    """Counting imports inside functions too: a lazy import that closes a circle is still a circle."""
    edges = {m: set(every) for m, (_, every) in GRAPH.items()}
    cycle = _cycle(edges)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    """The check above can fail: a lazy circle of three is found."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("module", ["sweepbridge.runtime.trial", "sweepbridge.runtime", "sweepbridge.tune"])
def test_the_trial_runtime_imports_no_translator_module(module):
    """A trial process (and `import sweepbridge.tune`, lazy like the package root) loads no translator module."""
    code = f"import sys, {module}; print(' '.join(sorted(m for m in sys.modules if m.startswith('sweepbridge'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.split()
    assert module in loaded  # the listing is real
    wrong = [m for m in loaded if _in(m, TRANSLATOR)]
    assert not wrong, f"import {module} loaded translator modules: {', '.join(wrong)}"


@pytest.mark.parametrize("module", ["sweepbridge", "sweepbridge.cli"])
def test_importing_loads_no_heavy_library(module):
    code = f"import sys, {module}; print(' '.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"import {module} loaded: {done.stdout.strip()}"
