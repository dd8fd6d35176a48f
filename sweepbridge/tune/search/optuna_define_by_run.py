"""OptunaSearch's define-by-run `space` function → the generated `search_space`, carried as written.

The function's own source is copied into the generated file, and the generated `search_space` calls it the way
Ray's OptunaSearch does (a captor records every `trial.suggest_*` value; a dict the function returns updates them;
"/" in names nests). It is carried only where the copy behaves as the original:

- a plain `def name(trial)` (one parameter, no decorator, its source readable) that uses its trial only as
  `trial.suggest_*(...)` (no report, pruning, attributes or number: the scheduler's trial is not Ray's);
- it reads no closure variable and no global other than an imported module (written as that import), since the
  generated file holds nothing else of the user's script;
- called once on a throwaway study's trial, it returns None or a dict with str keys (what Ray accepts; Ray raises
  TypeError otherwise, wandb's loader needs a mapping, which the generated `search_space` always returns).
Anything else is refused with the reason.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from typing import Any

from ...backends.optuna_source import DefineByRun
from ...errors import SpecError

RESERVED = {"search_space", "optimizer", "SPEC", "POINTS", "TOLD", "optuna", "json", "Any", "_Captor", "_unflatten"}
"""Names the generated file defines itself: the user's function cannot take them."""

WHERE = "search_alg.space"


def _refuse(why: str) -> SpecError:
    return SpecError(
        f"OptunaSearch's define-by-run space {why}; the generated study source copies the function as written, so "
        "it must stand alone: a plain def taking one trial, calling only trial.suggest_* and returning None or a "
        "dict of constants. Otherwise pass the space as Tune domains (config= / param_space=).",
        path=WHERE,
    )


def read(function: Any) -> DefineByRun:
    """The DefineByRun carrying `function` as written (refused with the reason where the copy would differ)."""
    if not isinstance(function, types.FunctionType):
        raise _refuse(f"is a {type(function).__name__}, not a plain function")
    name = function.__name__
    if name in RESERVED or name.startswith("<"):
        raise _refuse(f"is named {name!r}, a name the generated file uses itself (rename it)")
    try:
        text = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        raise _refuse(f"{name} has no readable source (defined interactively or generated)") from None
    tree = ast.parse(text)
    node = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(node, ast.FunctionDef) or node.name != name:
        raise _refuse(f"{name} is not written as a def statement")
    if node.decorator_list:
        raise _refuse(f"{name} is decorated")
    args = node.args
    if len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
        raise _refuse(f"{name} must take exactly one parameter (the trial)")
    trial = args.args[0].arg
    _check_trial_use(node, trial, name)
    if function.__code__.co_freevars:
        raise _refuse(f"{name} reads {', '.join(function.__code__.co_freevars)} from an enclosing function")
    imports = _imports(function, name)
    _check_return(function, name)
    return DefineByRun(name, text, imports)


def _check_trial_use(node: ast.FunctionDef, trial: str, name: str) -> None:
    parents = {child: parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == trial and sub is not node:
            attribute = parents.get(sub)
            ok = (
                isinstance(attribute, ast.Attribute)
                and attribute.attr.startswith("suggest_")
                and isinstance(parents.get(attribute), ast.Call)
                and parents[attribute].func is attribute  # type: ignore[attr-defined]
            )
            if not ok:
                use = ast.unparse(attribute if isinstance(attribute, ast.Attribute) else sub)
                raise _refuse(f"{name} uses its trial other than by trial.suggest_*(...) (line {sub.lineno}: {use})")


def _imports(function: types.FunctionType, name: str) -> tuple[str, ...]:
    """The import lines for the modules the function reads as globals; any other global is refused."""
    used = inspect.getclosurevars(function).globals
    lines = []
    for key, value in used.items():
        if isinstance(value, types.ModuleType):
            module = value.__name__
            lines.append(f"import {module}" if module == key else f"import {module} as {key}")
        elif key != name:  # a recursive reference to itself is in the file too
            raise _refuse(f"{name} reads the global {key!r}, which the generated file does not have (write the "
                          "value inside the function)")  # fmt: skip
    return tuple(lines)


def _check_return(function: types.FunctionType, name: str) -> None:
    """Call the function once, as Ray and wandb's loader do, on a throwaway study's trial; check what it returns."""
    import optuna

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
        returned = function(trial)
    except Exception as exc:
        raise _refuse(f"{name} failed when called on a trial ({type(exc).__name__}: {exc})") from None
    finally:
        optuna.logging.set_verbosity(verbosity)
    if returned is not None and (not isinstance(returned, dict) or not all(isinstance(k, str) for k in returned)):
        raise _refuse(f"{name} returned {type(returned).__name__}, not None or a dict with str keys (Ray's TypeError)")


def is_distributions(space: Any) -> bool:
    """Whether `space` is Ray's other OptunaSearch space form: a dict of Optuna distributions (flat names)."""
    if not isinstance(space, dict) or not space:
        return False
    try:
        from optuna.distributions import BaseDistribution
    except ImportError:
        return False
    return all(isinstance(v, BaseDistribution) for v in space.values())


def from_distributions(space: dict[str, Any]) -> DefineByRun:
    """A dict of Optuna distributions (what Ray's OptunaSearch keeps, given them or after converting Tune domains)
    as a define-by-run function suggesting each in order: Ray asks `study.ask(fixed_distributions=space)`, which
    suggests them in that order, the same calls."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    from ...backends.optuna_source import _str, literal

    lines = [
        "def ray_space(trial: optuna.Trial) -> None:",
        '    """Ray\'s OptunaSearch space: its Optuna distributions, suggested in order as Ray\'s study.ask does."""',
    ]
    for name, dist in space.items():
        where = f"{WHERE}.{name}"
        if not isinstance(name, str):
            raise SpecError(f"OptunaSearch's space names must be strings, got {name!r}.", path=WHERE)
        if isinstance(dist, FloatDistribution | IntDistribution):
            method = "suggest_float" if isinstance(dist, FloatDistribution) else "suggest_int"
            default_step = None if method == "suggest_float" else 1
            more = [f"step={dist.step!r}"] if dist.step != default_step else []
            more += ["log=True"] if dist.log else []
            args = [_str(name), repr(dist.low), repr(dist.high), *more]
        elif isinstance(dist, CategoricalDistribution):
            choices = list(dist.choices)
            if not all(c is None or isinstance(c, (bool, int, float, str)) for c in choices):
                raise SpecError(
                    f"the choices {choices!r} hold objects the generated file cannot write; use None, bools, "
                    "numbers and strings (what a W&B run's config holds).",
                    path=where,
                )
            method, args = "suggest_categorical", [_str(name), literal(choices, 2)]
        else:
            raise SpecError(f"{type(dist).__name__} is not one of Optuna's distributions here.", path=where)
        call = f"    trial.{method}({', '.join(args)})"
        lines.append(
            call if len(call) <= 120 else f"    trial.{method}(\n        " + ",\n        ".join(args) + ",\n    )"
        )
    return DefineByRun("ray_space", "\n".join(lines) + "\n")
