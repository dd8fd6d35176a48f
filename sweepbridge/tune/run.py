"""`tune.run(...)` → SweepConfig (Ray Tune's signature; see translate.py for the rules)."""

from __future__ import annotations

from typing import Any

from ..sweep_config import SweepConfig
from .translate import translate


def run(
    run_or_experiment: Any,
    *,
    name: str | None = None,
    metric: str | None = None,
    mode: str | None = None,
    stop: Any = None,
    config: dict[str, Any] | None = None,
    num_samples: int = 1,
    search_alg: Any = None,
    scheduler: Any = None,
    allow_approximate: bool = False,
    engine: str | None = None,
    **ray_keywords: Any,
) -> SweepConfig:
    """Translate a Ray Tune experiment into a W&B sweep config.

    `run_or_experiment` is the program a W&B agent launches (a script path). Every other keyword of
    Ray's tune.run (current and 2020 versions) is accepted: the ones with a sweep meaning are
    translated (config, search_alg, scheduler, num_samples → run_cap, metric/mode, name); the
    rest warn ApproximationWarning when set to anything but Ray's default. `stop` is refused (W&B
    has nowhere to carry it). `allow_approximate=True` lets over-large or bayes-sampled
    (q)lograndint domains through W&B's engine as a warned approximation, recorded in
    `cfg.approximations` (engine="optuna" samples them exactly at any size).
    `engine` (default: `--engine` of the sweepbridge command running this file, else "wandb"):
    `engine="optuna"` targets W&B's client-side sweep scheduler instead (`method: custom` + a generated
    source): grid axes mixed with sampled domains, HyperOptSearch / OptunaSearch (TPE), ASHA, HyperBand
    and MedianStoppingRule (Optuna pruners) translate there. `engine="auto"`: W&B's engine where it is
    exact, else the scheduler (the choice is printed on stderr).

    Under `sweepbridge run script.py`, a tune.run called from the script's main block is its
    experiment: it runs here and returns Ray's ExperimentAnalysis API (see sweepbridge.script_run).
    To run an experiment from plain Python, use `Tuner(...).fit()`.
    """
    from . import session
    from .driver import RunCall, current_driver

    driver = current_driver()
    if driver is not None and driver.takes_mirror_run() and not session.in_trial():
        keywords = dict(name=name, metric=metric, mode=mode, stop=stop, config=config, num_samples=num_samples,
                        search_alg=search_alg, scheduler=scheduler, allow_approximate=allow_approximate,
                        engine=engine, **ray_keywords)  # fmt: skip
        return driver("tune.run", RunCall(run_or_experiment, keywords))  # `sweepbridge run script.py`
    from .. import engine_choice

    keywords = dict(name=name, metric=metric, mode=mode, stop=stop, config=config, num_samples=num_samples,
                    search_alg=search_alg, scheduler=scheduler, allow_approximate=allow_approximate,
                    **ray_keywords)  # fmt: skip
    chosen = engine_choice.resolve(engine_choice.for_call(engine, "tune.run"))
    if chosen != "auto":  # called directly: warnings point at the caller's line
        return translate(run_or_experiment, engine=chosen, **keywords)
    return engine_choice.build(lambda e: translate(run_or_experiment, engine=e, **keywords), chosen)
