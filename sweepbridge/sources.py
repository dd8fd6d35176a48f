"""SOURCE → a validated SweepConfig: the one loader behind `convert`, `check`, `run` and `run_sweep`.

`load(source)` is the contract (see its docstring). A SOURCE is one of
- `sweep.yaml` / `.yml` / `.json` holding a W&B sweep config (a mapping with `method` or
  `parameters`, or with no key only a tune spec has: see `is_wandb_file`);
- `spec.yaml` / `.yml` / `.json` holding a tune spec (see `sweepbridge.tune_spec`) or a file in the
  2020 W&B beta's `tune:` format (see `sweepbridge.tune_beta`);
- `file.py:NAME`: the Python file is run and its global NAME is converted;
- `file.py`: the Python file is run and one global is picked by `LOOKUP_RULE`;
- an object: a SweepConfig (e.g. what tune.run returns), a Tuner (its `.to_sweep()` is called), a
  W&B sweep config mapping, or a bare search space passed to `to_sweep` (see `convertible_kind`).

A Python file runs with `__name__ == "__sweepbridge__"`, so its `if __name__ == "__main__":` block
does not run; its directory is on sys.path while it runs (sibling imports work).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SpecError, SweepBridgeError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
RUN_NAME = "__sweepbridge__"
SPACE_NAMES = ("space", "search_space", "param_space", "config")
LOOKUP_RULE = (
    "a global named `sweep`; else the only SweepConfig; else the only Tuner (an object with .to_sweep()); "
    f"else a bare space named {', '.join(f'`{n}`' for n in SPACE_NAMES)} (first found)"
)
"""How `file.py` without `:NAME` picks the object to convert (also shown by `convert --help`)."""


class SourceError(SweepBridgeError):
    """SOURCE itself is unusable (missing file or name, the file fails to run)."""


class SourceUsageError(SourceError):
    """SOURCE is not written as the command line expects (a usage error: exit status 2)."""


def _is_tuner(obj: Any) -> bool:
    return not isinstance(obj, type) and callable(getattr(obj, "to_sweep", None))


def is_wandb_config(obj: Any) -> bool:
    """Whether an object is a W&B sweep config as written: a mapping with a string `method` and a
    `parameters` key (a search space may hold a parameter named `method`, but not both keys)."""
    return isinstance(obj, Mapping) and isinstance(obj.get("method"), str) and "parameters" in obj


def is_wandb_file(data: Any) -> bool:
    """Whether a parsed .yaml/.json file is read as a W&B sweep config: a mapping, not a 2020 beta
    file, with a `method` or `parameters` key or none of the keys only a tune spec has (`param_space`,
    `search_alg`, `num_samples`, ...: its schema's keys that W&B's schema lacks). So a broken or
    launch-style sweep file is reported as a sweep file, not as a tune spec."""
    from . import schemas, tune_beta

    if not isinstance(data, Mapping) or tune_beta.is_beta(data):
        return False
    spec_only = set(schemas.load("tune-spec.schema.json")["properties"]) - {"$schema"}
    spec_only -= set(schemas.load("wandb-sweep.schema.json")["properties"])
    return "method" in data or "parameters" in data or not any(k in data for k in spec_only)


def convertible_kind(obj: Any) -> str:
    """'sweep' | 'tuner' | 'wandb' | 'space': how `obj` becomes a SweepConfig."""
    from .sweep_config import SweepConfig

    if isinstance(obj, SweepConfig):
        return "sweep"
    if _is_tuner(obj):
        return "tuner"
    if is_wandb_config(obj):
        return "wandb"
    return "space"


def pick(namespace: Mapping[str, Any], where: str) -> tuple[str, Any]:
    """The (name, object) `LOOKUP_RULE` picks from a module's globals."""
    from .sweep_config import SweepConfig

    public = {k: v for k, v in namespace.items() if not k.startswith("_")}
    if "sweep" in public:
        return "sweep", public["sweep"]
    for label, test in (("SweepConfig", lambda v: isinstance(v, SweepConfig)), ("Tuner", _is_tuner)):
        found = [k for k, v in public.items() if test(v)]
        if len(found) == 1:
            return found[0], public[found[0]]
        if len(found) > 1:
            raise SourceError(
                f"{where} defines {len(found)} {label}s ({', '.join(found)}); pick one with {where}:NAME."
            )
    for name in SPACE_NAMES:
        if name in public:
            return name, public[name]
    raise SourceError(f"{where} defines nothing to convert: name it `sweep` or use {where}:NAME ({LOOKUP_RULE}).")


def run_python(path: Path) -> dict[str, Any]:
    """Run a Python file as sweepbridge runs sources; return its globals.

    What the file prints goes to stderr, so that stdout holds only the converted sweep. It sees
    sys.argv == [path], as under `python path` (not sweepbridge's own arguments).
    """
    import contextlib
    import runpy

    if not path.is_file():
        raise SourceError(f"cannot read {path}: no such file.")
    directory = str(path.resolve().parent)
    sys.path.insert(0, directory)
    argv, sys.argv = sys.argv, [str(path)]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return runpy.run_path(str(path), run_name=RUN_NAME)
    except SystemExit as exc:
        raise SourceError(f"{path} exited (sys.exit({exc.code!r})) instead of defining a sweep.") from None
    except SweepBridgeError:
        raise
    except Warning:
        raise  # an ApproximationWarning turned into an error (--strict)
    except SyntaxError as exc:
        raise SourceError(f"{path} has a syntax error at line {exc.lineno}: {exc.msg}") from exc
    except ImportError as exc:
        raise SourceError(f"{path} failed to import {exc.name or ''}: {exc} (is the extra installed?)") from exc
    except Exception as exc:
        raise SourceError(f"running {path} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.argv = argv
        try:
            sys.path.remove(directory)
        except ValueError:
            pass


def split_source(source: str) -> tuple[Path, str | None]:
    """'file.py:NAME' → (file.py, NAME); 'spec.yaml' → (spec.yaml, None). Unknown kinds → SourceError."""
    path, name = source, None
    head, sep, tail = source.rpartition(":")
    if sep and head.endswith(".py") and tail.isidentifier():
        path, name = head, tail
    suffix = Path(path).suffix.lower()
    if suffix != ".py" and suffix not in SPEC_SUFFIXES:
        raise SourceUsageError(
            "SOURCE must be a Python file (file.py or file.py:NAME) or a tune spec, 2020 beta or W&B sweep file "
            "(.yaml, .yml, .json), "
            f"got {source!r}."
        )
    if name is not None and suffix != ".py":
        raise SourceUsageError(f"only Python sources take :NAME, got {source!r}.")
    return Path(path), name


def to_sweep_config(
    obj: Any,
    where: str,
    *,
    allow_approximate: bool = False,
    space_options: Mapping[str, Any] | None = None,
    engine: str | None = None,
) -> Any:
    """Convert one object found in a source (see `convertible_kind`) into a validated SweepConfig;
    `engine` (wandb / optuna) for a bare space or a Tuner (a ready sweep config already chose its
    engine). `where` names the object in errors; "" for an object given directly (errors keep their
    own parameter path)."""
    from .sweep_config import SweepConfig
    from .tune.tuner import mirror_if_ray_tuner
    from .tune_spec import require_keyword

    obj = mirror_if_ray_tuner(obj)  # a real ray.tune.Tuner reads as sweepbridge's
    kind = convertible_kind(obj)
    what = where or "the given object"
    options = {k: v for k, v in (space_options or {}).items() if v is not None}
    if options and kind != "space":
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in options)
        raise SourceError(f"{flags} apply only to a bare space; {what} is a {kind} config that already sets them.")
    if (
        engine in ("wandb", "optuna")
        and kind in ("sweep", "wandb")
        and (engine == "optuna") != (obj.get("method") == "custom")
    ):
        raise SourceError(f"--engine {engine}: {what} is a finished sweep config; pass engine= where it is built.")
    if kind == "sweep":
        sweep = obj
    elif kind == "wandb":
        sweep = SweepConfig(obj)
    elif kind == "tuner":
        extra = {}
        if allow_approximate:
            require_keyword(obj.to_sweep, "allow_approximate", "--allow-approximate")
            extra["allow_approximate"] = True
        if engine is not None:
            if getattr(obj, "engine", None) not in (None, engine):
                from .engine_choice import say

                say(f"--engine {engine} overrides engine={obj.engine!r} of {where or 'the Tuner'}")
            obj.engine = engine  # sweepbridge's Tuner mirror reads it in to_sweep()
        tuner = where or type(obj).__name__
        try:
            sweep = obj.to_sweep(**extra)
        except (SweepBridgeError, Warning):
            raise
        except Exception as exc:
            raise SourceError(f"{tuner}.to_sweep() failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(sweep, Mapping):
            raise SourceError(f"{tuner}.to_sweep() returned {type(sweep).__name__}, not a sweep config.")
        if not isinstance(sweep, SweepConfig):
            sweep = SweepConfig(sweep)
    else:
        from .api import to_sweep

        if allow_approximate:
            raise SourceError(
                "--allow-approximate does not apply to a bare space: to_sweep translates exactly or refuses."
            )
        try:
            from .engine_choice import build

            sweep = build(lambda chosen: to_sweep(obj, **options, engine=chosen), engine)
        except SweepBridgeError as exc:
            raise exc.at(where) from None  # errors without a parameter path name the source instead
    problems = sweep.problems()
    if problems:
        raise SpecError(f"{where + ' is ' if where else ''}not a valid sweep config: " + "; ".join(problems))
    return sweep


FORMS = {
    "wandb": "a W&B sweep config as written (a sweep file, or a mapping with `method` and `parameters`)",
    "tune-spec": "a tune spec file",
    "beta": "a 2020 W&B beta `tune:` file",
    "sweep": "a SweepConfig object (e.g. what tune.run returns)",
    "tuner": "a Tuner (an object with .to_sweep())",
    "space": "a bare search space (translated by to_sweep)",
    "script": "a Python file: its experiment (tune.run / Tuner.fit, run as written), else its sweep global",
}
"""`Loaded.form`: what the SOURCE was written as."""


@dataclass(frozen=True)
class Loaded:
    """What `load` returns."""

    sweep: Any
    """The validated SweepConfig (`problems()` is empty). For a translated source it is the
    translator's own object, with what the translator records on it (the space, approximations,
    a `method: custom` sweep's generated scheduler source)."""
    form: str
    """What the SOURCE was written as: a key of `FORMS`."""
    where: str
    """The SOURCE as errors name it ("sweep.yaml", "exp.py:sweep"); "" for an object given directly."""
    base: Path | None
    """The directory a file SOURCE is in (relative `program` / `scheduler.source` paths refer to it);
    None for an object given directly."""


def load(
    source: Any,
    *,
    allow_approximate: bool = False,
    space_options: Mapping[str, Any] | None = None,
    engine: str | None = None,
    script: Callable[..., Any] | None = None,
) -> Loaded:
    """SOURCE → `Loaded` (a validated SweepConfig, the form it was written in, where it came from).

    `source`: a str or os.PathLike names a file SOURCE (see the module docstring): `file.py[:NAME]`,
    or a .yaml / .yml / .json file read as a 2020 beta file (a mapping with a `tune` mapping), else a
    W&B sweep config (`is_wandb_file`), else a tune spec. Any other object is converted
    as found in a Python file (`convertible_kind`).
    `allow_approximate`: let a tune spec, beta file or Tuner translate with equivalents
    (ApproximationWarning) where exact is impossible; refused for a bare space.
    `space_options`: to_sweep keywords (method, metric, goal, program, name, run_cap) for a bare
    space; None values are ignored; any other value for another form is refused.
    `engine`: "wandb" or "optuna" for a bare space or a Tuner; for a finished sweep config it must
    agree with it (optuna ⇔ method custom); "optuna" is refused for tune specs and beta files; "ax" (or
    "auto") runs a beta file's ax.AxSearch on W&B's sweep scheduler with its Ax engine.
    `script`: how a `file.py` without `:NAME` is read, `script(path, allow_approximate=, space_options=,
    engine=)` → SweepConfig (the entry points pass `script_run.script_sweep`: the script run as written,
    its experiment captured); None: the file's `sweep` global (or its only SweepConfig / Tuner / space).

    Errors (all SweepBridgeError): SourceUsageError when a file SOURCE has another suffix or a
    spec takes `:NAME`; SourceError when the file is missing, a Python file fails to run or defines
    no such (or no convertible) object, or an option does not apply to the form; SpecError when the
    file is not UTF-8 JSON/YAML, a tune spec breaks its schema, or the result is not a valid sweep
    config; UnsupportedFeatureError (with the parameter path) when the translation is not exact. An
    ApproximationWarning turned into an error (`-W error`, --strict) propagates as the warning.
    """
    import os

    if not isinstance(source, (str, os.PathLike)):
        sweep = to_sweep_config(
            source, "", allow_approximate=allow_approximate, space_options=space_options, engine=engine
        )
        return Loaded(sweep, convertible_kind(source), "", None)
    path, name = split_source(os.fspath(source))
    base = path.resolve().parent
    if path.suffix.lower() in SPEC_SUFFIXES:
        from . import tune_beta, tune_spec
        from .sweep_config import SweepConfig

        if not path.is_file():
            raise SourceError(f"cannot read {path}: no such file.")
        data = tune_beta.read(path)
        if is_wandb_file(data):
            sweep = to_sweep_config(SweepConfig.load(path), str(path), space_options=space_options, engine=engine)
            return Loaded(sweep, "wandb", str(path), base)
        if engine == "optuna":
            raise SourceError("--engine optuna applies to Python sources (a space, tune.Tuner); not to a tune spec.")
        if space_options and any(v is not None for v in space_options.values()):
            raise SourceError("--method/--metric/... apply only to a bare space; a tune spec sets them itself.")
        if tune_beta.is_beta(data):
            sweep = _beta(data, allow_approximate, engine)
            return Loaded(to_sweep_config(sweep, str(path)), "beta", str(path), base)
        sweep = tune_spec.convert(path, allow_approximate=allow_approximate)
        return Loaded(to_sweep_config(sweep, str(path)), "tune-spec", str(path), base)
    if name is None and script is not None:  # the script's experiment (run as written, nothing started)
        sweep = script(path, allow_approximate=allow_approximate, space_options=space_options, engine=engine)
        return Loaded(sweep, "script", str(path), base)
    from . import engine_choice

    with engine_choice.default(engine, flag=True):  # --engine reaches the tune.run / Tuner / to_sweep the file builds
        namespace = run_python(path)
    if name is None:
        name, obj = pick(namespace, str(path))
    elif name not in namespace:
        defined = ", ".join(k for k in namespace if not k.startswith("_")) or "nothing"
        raise SourceError(f"{path} defines no {name!r} (it defines: {defined}).")
    else:
        obj = namespace[name]
    where = f"{path}:{name}"
    sweep = to_sweep_config(obj, where, allow_approximate=allow_approximate, space_options=space_options, engine=engine)
    return Loaded(sweep, convertible_kind(obj), where, base)


def _beta(data: Any, allow_approximate: bool, engine: str | None) -> Any:
    """A 2020 beta file's sweep: W&B's engine, except its `ax.AxSearch`, which runs on the Ax engine under
    --engine ax, or --engine auto (said in one line, as engine_choice says it)."""
    from . import tune_beta
    from .engine_choice import build
    from .errors import UnsupportedFeatureError

    if engine not in ("ax", "auto"):
        return tune_beta.convert(data, allow_approximate=allow_approximate)
    try:
        return tune_beta.convert(data, allow_approximate=allow_approximate)
    except UnsupportedFeatureError as refusal:
        if refusal.feature != "tune.search.ax":
            raise
    return build(lambda chosen: tune_beta.convert(data, allow_approximate=allow_approximate, engine=chosen), engine)


def load_source(
    source: Any,
    *,
    allow_approximate: bool = False,
    space_options: Mapping[str, Any] | None = None,
    engine: str | None = None,
    script: Callable[..., Any] | None = None,
) -> Any:
    """`load(...).sweep`: SOURCE → a validated SweepConfig."""
    return load(
        source, allow_approximate=allow_approximate, space_options=space_options, engine=engine, script=script
    ).sweep
