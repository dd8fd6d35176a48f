"""A Ray Tune script run as written: `sweepbridge run exp.py` runs its experiment here, `convert` reads it.

The script runs unchanged, with sweepbridge's mirror or the real `ray.tune`. Its experiment is the
first `Tuner(...).fit()`, `tune.run(...)` or `tune.run_experiments(...)` it calls:

1. The file runs as `__sweepbridge__` (its `if __name__ == "__main__":` block skipped), as `convert`
   always ran it. An experiment started at module level is the experiment.
2. Else a global picked by `sources.LOOKUP_RULE` (`sweep`, the only SweepConfig or Tuner) is, as before.
3. Else, when the file's text calls a `fit`, `run` or `run_experiments`, the file runs again as
   `__main__` (its main block too): the first experiment call is the experiment.
4. Else a bare space global (`space`, `config`, ...), as before; else an error saying what was looked for.

`run`: the experiment becomes a W&B sweep and runs here (no Ray cluster: `ray.init` / `ray.shutdown`
do nothing while the script runs), and the call returns a ResultGrid (`Tuner.fit`, Ray's `tune.run`)
so what follows in the script works; a second experiment is refused, naming both. The mirror's
`tune.run` keeps its contract (it returns the sweep config) at module level, and runs the experiment
when called from the main block. `convert`: the experiment's sweep config is taken and nothing runs:
the call returns a grid of no trials and the script goes on, so a second experiment is refused as
under `run`; an error the rest of the script raises on the empty results ends it quietly (said in one
line when the text calls fit / run / run_experiments after the experiment, which were then not
checked). Trials import the file without running its main block (the trial runtime).
"""

from __future__ import annotations

import contextlib
import inspect
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engine_choice, experiment
from .errors import SweepBridgeError
from .sources import RUN_NAME, SPACE_NAMES, SourceError, convertible_kind, pick, to_sweep_config
from .tune.tuner import mirror_if_ray_tuner

MAIN = "__main__"


class SecondExperiment(SourceError):
    """The script started a second experiment (refused by name, under `run` and `convert`)."""


@dataclass
class Driver:
    """While a script runs: what its experiment call does (see the module docstring)."""

    script: Path
    run: bool
    options: experiment.RunOptions = field(default_factory=experiment.RunOptions)
    engine: str | None = None
    flag: bool = False
    """`engine` was given on the command line: it overrides an engine= the script's call names."""
    allow_approximate: bool = False
    main: bool = False
    """The script runs as __main__ (the mirror's tune.run is then an experiment too)."""
    first: tuple[str, str] | None = None
    grid: Any = None
    sweep: Any = None
    stopped: str | None = None
    """convert: why the rest of the script stopped after its experiment (an error it raised), if it did."""

    def takes_mirror_run(self) -> bool:
        return self.main

    def __call__(self, call: str, subject: Any) -> Any:
        where = self._where()
        if self.first is not None:
            raise SecondExperiment(
                f"{self.script} starts a second experiment ({call} at {where}) after its first ({self.first[0]} at "
                f"{self.first[1]}): sweepbridge runs one experiment per script. Put each in its own script (or "
                "pick one with a command-line switch of your script)."
            )
        self.first = (call, where)
        written = getattr(subject, "engine", None)
        subject.engine = engine_choice.for_call(written, call, where) or self.engine  # flag, script, default
        if self.allow_approximate:
            subject.allow_approximate = True
        sweep = subject.to_sweep()
        self.sweep = sweep
        if not self.run:  # convert: nothing runs; the script goes on with a grid of no trials
            self.grid = experiment.unrun_grid(subject)
        else:
            self.grid = experiment.run_experiment(subject, sweep, self.options)
        return self.grid

    def _where(self) -> str:
        target = str(self.script.resolve())
        for frame in inspect.stack()[2:]:
            if str(Path(frame.filename).resolve()) == target:
                return f"{self.script.name}:{frame.lineno}"
        return str(self.script.name)


@contextlib.contextmanager
def _running(path: Path, run_name: str, to_stderr: bool) -> Iterator[None]:
    directory = str(path.resolve().parent)
    sys.path.insert(0, directory)
    argv, sys.argv = sys.argv, [str(path)]
    try:
        with contextlib.redirect_stdout(sys.stderr) if to_stderr else contextlib.nullcontext():
            yield
    finally:
        sys.argv = argv
        with contextlib.suppress(ValueError):
            sys.path.remove(directory)


def _execute(path: Path, run_name: str, driver: Driver, to_stderr: bool) -> dict[str, Any]:
    """Run the script with the driver active; its globals. Failures become SourceErrors."""
    if not path.is_file():
        raise SourceError(f"cannot read {path}: no such file.")
    with (
        _running(path, run_name, to_stderr),
        experiment.driving(driver),
        _ray_patched(driver),
        engine_choice.default(driver.engine, flag=driver.flag),
    ):
        try:
            return runpy.run_path(str(path), run_name=run_name)
        except (SecondExperiment, KeyboardInterrupt):
            raise
        except BaseException as exc:
            ended = isinstance(exc, SystemExit) and exc.code in (None, 0)
            if driver.first is not None and ended:
                return {}
            if not driver.run and driver.sweep is not None and not isinstance(exc, Warning):
                driver.stopped = _stop_reason(path, exc)  # convert: the experiment is read; nothing more to see
                return {}
            failure = _failure(path, driver, exc)
            if failure is exc:
                raise
            raise failure from (None if isinstance(exc, SystemExit) else exc)


def _failure(path: Path, driver: Driver, exc: BaseException) -> BaseException:
    """What a script's failure is raised as: SweepBridgeErrors and warnings as they are, the rest as SourceErrors."""
    if isinstance(exc, (SweepBridgeError, Warning)) or not isinstance(exc, (Exception, SystemExit)):
        return exc
    if isinstance(exc, SystemExit):
        what = "after its experiment ran" if driver.first is not None else "instead of defining a sweep"
        return SourceError(f"{path} exited (sys.exit({exc.code!r})) {what}.")
    if isinstance(exc, SyntaxError):
        return SourceError(f"{path} has a syntax error at line {exc.lineno}: {exc.msg}")
    if isinstance(exc, ImportError):
        return SourceError(f"{path} failed to import {exc.name or ''}: {exc} (is the extra installed?)")
    after = " after its experiment ran" if driver.grid is not None else ""
    return SourceError(f"running {path} failed{after}: {type(exc).__name__}: {exc}")


def _stop_reason(path: Path, exc: BaseException) -> str:
    """convert: where and why the rest of the script stopped (its experiment's results are empty)."""
    import traceback

    target = str(path.resolve())
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if str(Path(f.filename).resolve()) == target]
    where = f"{path.name}:{lines[-1]}" if lines else path.name
    if isinstance(exc, SystemExit):
        return f"{where} exited (sys.exit({exc.code!r}))"
    return f"{where} raised {type(exc).__name__}: {exc}"


EXPERIMENT_CALLS = ("fit", "run", "run_experiments")


def _calls_an_experiment(path: Path) -> bool:
    """Whether the script's text calls something named fit / run / run_experiments (then its main block
    may start the experiment); a script without such a call is never run as __main__."""
    return bool(_experiment_calls(path))


def _experiment_calls(path: Path) -> list[tuple[int, str]]:
    """(line, name) of each call in the script's text named fit / run / run_experiments."""
    import ast

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in EXPERIMENT_CALLS:
                found.append((node.lineno, name))
    return sorted(found)


def _say_unchecked(path: Path, driver: Driver) -> None:
    """convert: the rest of the script stopped early (its experiment's results are empty, nothing ran);
    say so when the script's text calls fit / run / run_experiments after the experiment's line."""
    first_line = int(driver.first[1].rpartition(":")[2]) if driver.first and ":" in driver.first[1] else 0
    later = [f"{name} at {path.name}:{line}" for line, name in _experiment_calls(path) if line > first_line]
    if later:
        print(
            f"sweepbridge: convert: after its experiment, {driver.stopped} (nothing ran, so its results are "
            f"empty); not checked for a second experiment: {', '.join(later)}.",
            file=sys.stderr,
        )


def _strong_pick(namespace: Mapping[str, Any], where: str) -> tuple[str, Any] | None:
    """The global LOOKUP_RULE picks, unless it is only a bare space (that waits for the main block)."""
    namespace = {k: mirror_if_ray_tuner(v) for k, v in namespace.items()}
    try:
        name, obj = pick(namespace, where)
    except SourceError as exc:
        if "defines nothing to convert" in str(exc):
            return None
        raise
    if name in SPACE_NAMES and name != "sweep" and convertible_kind(obj) == "space":
        return None
    return name, obj


def _space_pick(namespace: Mapping[str, Any], where: str) -> tuple[str, Any] | None:
    for name in SPACE_NAMES:
        if name in namespace:
            return name, namespace[name]
    return None


@dataclass
class Found:
    """What a script holds: an experiment that ran (grid), an experiment's sweep, or a global to convert."""

    grid: Any = None
    sweep: Any = None
    name: str | None = None
    obj: Any = None


def _find(path: Path, driver: Driver, to_stderr: bool) -> Found:
    where = str(path)
    namespace = _execute(path, RUN_NAME, driver, to_stderr=to_stderr)
    if driver.first is not None:
        return Found(grid=driver.grid, sweep=driver.sweep)
    strong = _strong_pick(namespace, where)
    if strong is not None:
        return Found(name=strong[0], obj=strong[1])
    if not _calls_an_experiment(path):  # no main block to look into: the lookup decides, as it always did
        name, obj = pick(namespace, where)
        return Found(name=name, obj=obj)
    driver.main = True
    _execute(path, MAIN, driver, to_stderr=to_stderr)
    if driver.first is not None:
        return Found(grid=driver.grid, sweep=driver.sweep)
    space = _space_pick(namespace, where)
    if space is not None:
        return Found(name=space[0], obj=space[1])
    pick(namespace, where)  # raises the lookup's own error
    raise SourceError(f"{where} started no experiment and defines nothing to convert.")


def script_sweep(
    path: Path,
    *,
    allow_approximate: bool = False,
    space_options: Mapping[str, Any] | None = None,
    engine: str | None = None,
) -> Any:
    """`convert file.py`: the sweep config of the script's experiment (nothing runs), or of its global."""
    driver = Driver(path, run=False, engine=engine, flag=engine is not None, allow_approximate=allow_approximate)
    found = _find(path, driver, to_stderr=True)
    if driver.stopped is not None:
        _say_unchecked(path, driver)
    if found.sweep is not None:
        if space_options and any(v is not None for v in space_options.values()):
            raise SourceError("--method/--metric/... apply only to a bare space; the script's experiment sets them.")
        return to_sweep_config(found.sweep, f"{path} ({driver.first[0] if driver.first else 'experiment'})")
    return to_sweep_config(
        found.obj,
        f"{path}:{found.name}",
        allow_approximate=allow_approximate,
        space_options=space_options,
        engine=engine,
    )


def run_script(
    path: Path,
    options: experiment.RunOptions,
    *,
    engine: str | None = None,
    allow_approximate: bool = False,
) -> Any:
    """`sweepbridge run file.py`: the SweepOutcome of the experiment the script ran, or of the sweep of
    the global it defines (run after the script ended)."""
    flag = engine is not None  # given on the command line
    engine = engine or "auto"  # `run` takes W&B's engine where exact, else the scheduler
    driver = Driver(path, run=True, options=options, engine=engine, flag=flag, allow_approximate=allow_approximate)
    found = _find(path, driver, to_stderr=False)
    if found.grid is not None:
        return found.grid.sweep
    with engine_choice.default(engine):  # a global's Tuner / space: the flag wins, else its engine=, else auto
        where = f"{path}:{found.name}"
        sweep = to_sweep_config(found.obj, where, allow_approximate=allow_approximate, engine=engine if flag else None)
    return experiment.run_sweep_config(sweep, options)


# --- real Ray Tune ------------------------------------------------------------------------------


def _ray_tune_run(driver: Driver) -> Callable[..., Any]:
    def run(run_or_experiment: Any, *args: Any, **keywords: Any) -> Any:
        if args:
            raise SourceError("pass tune.run's arguments after the trainable by keyword, as Ray's documentation does.")
        return driver("tune.run", experiment.RunCall(run_or_experiment, keywords, analysis=True))

    return run


def _ray_run_experiments(driver: Driver) -> Callable[..., Any]:
    def run_experiments(experiments: Any, **keywords: Any) -> Any:
        specs = experiment.experiment_specs(experiments)
        if len(specs) != 1:
            raise SourceError(
                f"tune.run_experiments got {len(specs)} experiments ({', '.join(specs)}): sweepbridge runs one "
                "experiment per script; pass one."
            )
        ((name, spec),) = specs.items()
        run_or_experiment = spec.pop("run", None)
        extra = {k: v for k, v in keywords.items() if k in ("search_alg", "scheduler", "callbacks", "verbose")}
        call = experiment.RunCall(run_or_experiment, {"name": name, **spec, **extra}, analysis=False)
        return [driver("tune.run_experiments", call)]

    return run_experiments


def _ray_patched(driver: Driver) -> contextlib.AbstractContextManager[None]:
    """While the script runs: Ray's Tuner.fit / tune.run / run_experiments run here, ray.init / ray.shutdown
    do nothing."""
    from .ray_entry_points import replaced

    def fit(self: Any) -> Any:
        return driver("Tuner.fit", mirror_if_ray_tuner(self))

    calls = {"Tuner.fit": fit, "tune.run": _ray_tune_run(driver), "tune.run_experiments": _ray_run_experiments(driver)}
    return replaced(calls.__getitem__, no_op=("init", "shutdown"))
