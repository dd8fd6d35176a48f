"""Turn a `sweepbridge convert` SOURCE into a SweepConfig.

SOURCE is one of
- `spec.yaml` / `spec.yml` / `spec.json`: a tune spec (see `sweepbridge.tune_spec`), or a file in the
  2020 W&B beta's `tune:` format (see `sweepbridge.tune_beta`);
- `file.py:NAME`: the Python file is run and its global NAME is converted;
- `file.py`: the Python file is run and one global is picked by `LOOKUP_RULE`.

A Python file runs with `__name__ == "__sweepbridge__"`, so its `if __name__ == "__main__":` block
does not run; its directory is on sys.path while it runs (sibling imports work).
What a global may hold is decided by `convertible_kind`: a SweepConfig (e.g. what tune.run
returns), a Tuner (its `.to_sweep()` is called), a plain W&B sweep config dict (a mapping with a
`method` string and a `parameters` mapping), or a bare search space passed to `to_sweep`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
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


def _is_wandb_config(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping) and isinstance(obj.get("method"), str) and isinstance(obj.get("parameters"), Mapping)
    )


def convertible_kind(obj: Any) -> str:
    """'sweep' | 'tuner' | 'wandb' | 'space': how `obj` becomes a SweepConfig."""
    from .sweep_config import SweepConfig

    if isinstance(obj, SweepConfig):
        return "sweep"
    if _is_tuner(obj):
        return "tuner"
    if _is_wandb_config(obj):
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
            "SOURCE must be a Python file (file.py or file.py:NAME) or a tune spec (.yaml, .yml, .json), "
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
    """Convert one object found in a source (see `convertible_kind`); `engine` (wandb / optuna) for a
    bare space or a Tuner (a ready sweep config already chose its engine)."""
    from .sweep_config import SweepConfig
    from .tune.tuner import mirror_if_ray_tuner
    from .tune_spec import require_keyword

    obj = mirror_if_ray_tuner(obj)  # a real ray.tune.Tuner reads as sweepbridge's
    kind = convertible_kind(obj)
    options = {k: v for k, v in (space_options or {}).items() if v is not None}
    if options and kind != "space":
        flags = ", ".join(f"--{k.replace('_', '-')}" for k in options)
        raise SourceError(f"{flags} apply only to a bare space; {where} is a {kind} config that already sets them.")
    if (
        engine in ("wandb", "optuna")
        and kind in ("sweep", "wandb")
        and (engine == "optuna") != (obj.get("method") == "custom")
    ):
        raise SourceError(f"--engine {engine}: {where} is a finished sweep config; pass engine= where it is built.")
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
            obj.engine = engine  # sweepbridge's Tuner mirror reads it in to_sweep()
        sweep = obj.to_sweep(**extra)
        if not isinstance(sweep, Mapping):
            raise SourceError(f"{where}.to_sweep() returned {type(sweep).__name__}, not a sweep config.")
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
        raise SpecError(f"{where} is not a valid sweep config: " + "; ".join(problems))
    return sweep


def load_source(
    source: str,
    *,
    allow_approximate: bool = False,
    space_options: Mapping[str, Any] | None = None,
    engine: str | None = None,
) -> Any:
    """SOURCE (see the module docstring) → a validated SweepConfig."""
    path, name = split_source(source)
    if path.suffix.lower() in SPEC_SUFFIXES:
        from . import tune_spec

        if engine == "optuna":
            raise SourceError("--engine optuna applies to Python sources (a space, tune.Tuner); not to a tune spec.")
        if space_options and any(v is not None for v in space_options.values()):
            raise SourceError("--method/--metric/... apply only to a bare space; a tune spec sets them itself.")
        if not path.is_file():
            raise SourceError(f"cannot read {path}: no such file.")
        from . import tune_beta

        if tune_beta.is_beta(tune_beta.read(path)):  # the 2020 W&B beta's `tune:` file
            return to_sweep_config(tune_beta.convert(path, allow_approximate=allow_approximate), str(path))
        return to_sweep_config(tune_spec.convert(path, allow_approximate=allow_approximate), str(path))
    if name is None:  # the script's experiment (run as written, nothing started), else its global
        from .script_run import script_sweep

        return script_sweep(path, allow_approximate=allow_approximate, space_options=space_options, engine=engine)
    from . import engine_choice

    with engine_choice.default(engine):  # --engine reaches the tune.run / Tuner the file builds
        namespace = run_python(path)
    if name not in namespace:
        defined = ", ".join(k for k in namespace if not k.startswith("_")) or "nothing"
        raise SourceError(f"{path} defines no {name!r} (it defines: {defined}).")
    else:
        obj = namespace[name]
    return to_sweep_config(
        obj, f"{path}:{name}", allow_approximate=allow_approximate, space_options=space_options, engine=engine
    )
