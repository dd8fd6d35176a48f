"""Today's API: `Tuner(trainable, param_space=, tune_config=TuneConfig(...), run_config=RunConfig(...))`."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import SpecError
from ..sweep_config import SweepConfig
from .plan import changed
from .translate import translate


@dataclasses.dataclass
class TuneConfig:
    """Mirror of ray.tune.TuneConfig (same fields and defaults)."""

    mode: str | None = None
    metric: str | None = None
    search_alg: Any = None
    scheduler: Any = None
    num_samples: int = 1
    max_concurrent_trials: int | None = None
    time_budget_s: Any = None
    reuse_actors: bool = False
    trial_name_creator: Any = None
    trial_dirname_creator: Any = None
    chdir_to_trial_dir: Any = "DEPRECATED"


@dataclasses.dataclass
class RunConfig:
    """Mirror of ray.tune.RunConfig (same fields and defaults)."""

    name: str | None = None
    storage_path: str | None = None
    storage_filesystem: Any = None
    failure_config: Any = None
    checkpoint_config: Any = None
    sync_config: Any = None
    verbose: Any = None
    stop: Any = None
    callbacks: Any = None
    progress_reporter: Any = None
    log_to_file: Any = False
    local_dir: str | None = None


TUNE_FIELDS = tuple(f.name for f in dataclasses.fields(TuneConfig))
RUN_FIELDS = tuple(f.name for f in dataclasses.fields(RunConfig))


def _given(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a TuneConfig / RunConfig (ours or Ray's) that differ from its class defaults."""
    if obj is None:
        return {}
    try:
        defaults = type(obj)()
    except TypeError:
        defaults = None
    values = {n: getattr(obj, n) for n in names if hasattr(obj, n)}
    base = {n: getattr(defaults, n, None) for n in values}
    return {n: values[n] for n in changed(values, base)}


class Tuner:
    """Mirror of ray.tune.Tuner: `fit()` runs the experiment here (as a W&B sweep) and returns Ray's
    `ResultGrid`; `to_sweep()` returns the sweep config (what the equivalent `tune.run` returns)."""

    def __init__(
        self,
        trainable: Any = None,
        *,
        param_space: dict[str, Any] | None = None,
        tune_config: Any = None,
        run_config: Any = None,
        allow_approximate: bool = False,
        engine: str | None = None,
    ) -> None:
        self.trainable, self.param_space = trainable, param_space
        self.tune_config, self.run_config = tune_config, run_config
        self.allow_approximate, self.engine = allow_approximate, engine

    @classmethod
    def from_ray(cls, tuner: Any) -> Tuner:
        """The mirror of a real ray.tune.Tuner (its trainable, param_space, TuneConfig and RunConfig)."""
        inner = getattr(tuner, "_local_tuner", None)
        if inner is None:
            raise SpecError("this ray.tune.Tuner runs through Ray Client; build it without a Ray Client connection.")
        return cls(
            getattr(inner, "_trainable", None),
            param_space=getattr(inner, "_param_space", None),
            tune_config=getattr(inner, "_tune_config", None),
            run_config=getattr(inner, "_run_config", None),
        )

    def run_keywords(self) -> dict[str, Any]:
        """The tune.run keywords equivalent to this Tuner."""
        return {
            "config": self.param_space,
            **_given(self.tune_config, TUNE_FIELDS),
            **_given(self.run_config, RUN_FIELDS),
            "allow_approximate": self.allow_approximate,
            "engine": self.engine,
        }

    def to_sweep(self, *, allow_approximate: bool | None = None, engine: str | None = None) -> SweepConfig:
        """The W&B sweep config `tune.run` makes of this Tuner. `allow_approximate` / `engine` override the
        constructor's (`sweepbridge convert --allow-approximate / --engine` pass them); an engine left None is
        the sweepbridge command's `--engine`, else "wandb"; "auto" picks one and says why. An `--engine`
        given on the command line wins over both (said in one line)."""
        from .. import engine_choice

        keywords = self.run_keywords()
        if allow_approximate is not None:
            keywords["allow_approximate"] = allow_approximate
        chosen = engine_choice.resolve(
            engine_choice.for_call(engine if engine is not None else self.engine, "Tuner.to_sweep")
        )
        if chosen != "auto":  # called directly: warnings point at the caller's line
            return translate(self.trainable, **{**keywords, "engine": chosen})
        return engine_choice.build(lambda e: translate(self.trainable, **{**keywords, "engine": e}), chosen)

    def fit(self) -> Any:
        """Run the experiment on this machine and return a ResultGrid (mirror of Ray's).

        The Tuner becomes a W&B sweep (`to_sweep()`), `sweepbridge.run_sweep` runs it (W&B's engine or
        the generated scheduler picks the configs; each trial is one real W&B run, offline unless
        WANDB_MODE / SWEEPBRIDGE_MODE says online or disabled), and every trial's reported results
        come back as Ray's `Result`s (sweepbridge.experiment, reached through tune/driver.py). Under
        `sweepbridge run/convert script.py` the script's driver takes the call. Inside a trial (the
        runtime importing this script) it stops the import there (`session.ExperimentReached`).
        """
        from . import session
        from .driver import current_driver, run_fit

        if session.in_trial():  # the trial runtime imports the user's script: nothing to start
            raise session.ExperimentReached("Tuner.fit")
        driver = current_driver()
        if driver is not None:
            return driver("Tuner.fit", self)
        return run_fit(self)


def mirror_if_ray_tuner(obj: Any) -> Any:
    """A real ray.tune.Tuner as sweepbridge's Tuner (same trainable, space and configs); else `obj`."""
    if type(obj).__name__ == "Tuner" and type(obj).__module__ == "ray.tune.tuner":
        return Tuner.from_ray(obj)
    return obj
