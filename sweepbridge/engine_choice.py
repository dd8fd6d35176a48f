"""Which engine a translation targets: `wandb` (W&B's own engine), `optuna` (W&B's sweep scheduler,
`method: custom` + a generated source), `ax` (the same scheduler with its Ax engine: AxSearch), or `auto` (W&B's
engine where it is exact, else the scheduler: Optuna, or Ax for AxSearch).

`--engine` on `convert` / `run` reaches every tune.run / Tuner / to_sweep the file builds: the
command sets a default while the file runs (`default`), and an engine given on the command line
(`default(..., flag=True)`) also overrides an `engine=` the script writes in its call, saying so in
one line (`for_call`). Without the flag, the script's `engine=` is used. `auto` is the default of
`run` and `Tuner.fit()`; `convert` keeps `wandb` unless asked. Under `auto` the choice is said in one
line on stderr, with the reason when W&B's engine refuses.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .errors import SpecError, UnsupportedFeatureError

ENGINES = ("wandb", "optuna", "ax", "auto")
_default: str | None = None
_flag: str | None = None
"""The engine given on the command line (`--engine`) while a script runs; None when not given."""


@contextlib.contextmanager
def default(engine: str | None, *, flag: bool = False) -> Iterator[None]:
    """While the block runs, translations given no engine use `engine` (None: no change). `flag`: the
    user chose `engine` on the command line, so it also wins over an engine a call names (`for_call`)."""
    global _default, _flag
    if engine is not None and engine not in ENGINES:
        raise SpecError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}.", path="engine")
    previous = _default, _flag
    _default = engine if engine is not None else _default
    if flag and engine is not None:
        _flag = engine
    try:
        yield
    finally:
        _default, _flag = previous


def for_call(engine: str | None, call: str, where: str | None = None) -> str | None:
    """The engine a user's call (`to_sweep`, `Tuner.to_sweep`, `tune.run`, ...) translates with: the
    command line's `--engine` when one was given (said in one line when the call names another one,
    `where` it is, default: the first caller outside sweepbridge), else the call's own (None: `resolve`)."""
    if _flag is None:
        return engine
    if engine is not None and engine != _flag:
        where = where or _caller()
        say(f"--engine {_flag} overrides engine={engine!r} of {call}{f' at {where}' if where else ''}")
    return _flag


def _caller() -> str | None:
    """file:line of the innermost frame outside the sweepbridge package (the user's call)."""
    import os

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(package) and not frame.f_code.co_filename.startswith("<"):
            return f"{os.path.basename(filename)}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def resolve(engine: str | None, fallback: str = "wandb") -> str:
    """The engine to use: the one given, else the active default, else `fallback`."""
    return engine if engine is not None else (_default or fallback)


def build(translate: Callable[[str], Any], engine: str | None, fallback: str = "wandb") -> Any:
    """`translate(engine)` for the resolved engine; under `auto`, W&B's engine unless it refuses the
    experiment, then the sweep scheduler (the choice and its reason printed in one line). The engine is
    decided here: calls `translate` makes with an engine (e.g. a beta document's tune.run) keep it."""
    engine = resolve(engine, fallback)
    if engine != "auto":
        return _decided(translate, engine)
    try:
        sweep = _decided(translate, "wandb")
    except UnsupportedFeatureError as refusal:
        try:
            sweep, which = _decided(translate, "optuna"), "Optuna"
        except UnsupportedFeatureError as optuna_refusal:
            if optuna_refusal.feature != "ax.engine":  # only AxSearch goes on to the Ax engine
                raise refusal from None
            sweep, which = _decided(translate, "ax"), "Ax"
        reason = refusal.message.split(". ")[0].rstrip(".") if refusal.message else refusal.feature
        if refusal.path:
            reason = f"{refusal.path}: {reason}"
        say(f"engine auto: W&B's sweep scheduler (method: custom, a generated {which} source): W&B's engine "
             f"cannot run it exactly ({reason})")  # fmt: skip
        return sweep
    say("engine auto: W&B's own engine (exact for this experiment)")
    return sweep


def _decided(translate: Callable[[str], Any], engine: str) -> Any:
    """`translate(engine)`, the engine chosen: the command line's flag set aside, `engine` the default."""
    global _default, _flag
    previous = _default, _flag
    _default, _flag = engine, None
    try:
        return translate(engine)
    finally:
        _default, _flag = previous


def say(line: str) -> None:
    print(f"sweepbridge: {line}", file=sys.stderr)
