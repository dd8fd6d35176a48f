"""Which engine a translation targets: `wandb` (W&B's own engine), `optuna` (W&B's sweep scheduler,
`method: custom` + a generated source), `ax` (the same scheduler with its Ax engine: AxSearch), or `auto` (W&B's
engine where it is exact, else the scheduler: Optuna, or Ax for AxSearch).

`--engine` on `convert` / `run` reaches every tune.run / Tuner the file builds without an explicit
`engine=`: the command sets a default while the file runs (`default`). `auto` is the default of
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


@contextlib.contextmanager
def default(engine: str | None) -> Iterator[None]:
    """While the block runs, translations given no engine use `engine` (None: no change)."""
    global _default
    if engine is not None and engine not in ENGINES:
        raise SpecError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}.", path="engine")
    previous = _default
    _default = engine if engine is not None else previous
    try:
        yield
    finally:
        _default = previous


def resolve(engine: str | None, fallback: str = "wandb") -> str:
    """The engine to use: the one given, else the active default, else `fallback`."""
    return engine if engine is not None else (_default or fallback)


def build(translate: Callable[[str], Any], engine: str | None, fallback: str = "wandb") -> Any:
    """`translate(engine)` for the resolved engine; under `auto`, W&B's engine unless it refuses the
    experiment, then the sweep scheduler (the choice and its reason printed in one line)."""
    engine = resolve(engine, fallback)
    if engine != "auto":
        return translate(engine)
    try:
        sweep = translate("wandb")
    except UnsupportedFeatureError as refusal:
        try:
            sweep, which = translate("optuna"), "Optuna"
        except UnsupportedFeatureError as optuna_refusal:
            if optuna_refusal.feature != "ax.engine":  # only AxSearch goes on to the Ax engine
                raise refusal from None
            sweep, which = translate("ax"), "Ax"
        reason = refusal.message.split(". ")[0].rstrip(".") if refusal.message else refusal.feature
        if refusal.path:
            reason = f"{refusal.path}: {reason}"
        _say(f"engine auto: W&B's sweep scheduler (method: custom, a generated {which} source): W&B's engine "
             f"cannot run it exactly ({reason})")  # fmt: skip
        return sweep
    _say("engine auto: W&B's own engine (exact for this experiment)")
    return sweep


def _say(line: str) -> None:
    print(f"sweepbridge: {line}", file=sys.stderr)
