"""Shared by the ask/tell searchers' tests (test_nevergrad_search, test_skopt_search): a space of every kind those
searchers carry, a made-up objective over it, the first suggestions through wandb's own optimizer
(`make_optimizer` + `ask_n_runs` / `tell_run`), and Branin runs against random search."""

from __future__ import annotations

import math
import statistics
import tempfile
import warnings
from collections.abc import Callable
from typing import Any

from engine import scheduler_optimizer

from sweepbridge import ApproximationWarning, tune

CONSTANT = {"k": 7}


def space(t: Any) -> dict[str, Any]:
    """Every Tune domain these searchers carry exactly (t: ray.tune or sweepbridge.tune), nested, with a constant.
    The constant's key comes before the nested dict's: Ray's flat order appends nested names after."""
    return {
        "x": t.uniform(-5, 10),
        "n": {"k": t.randint(1, 10), "lr": t.loguniform(1e-4, 1e-1)},
        "c": t.choice(["a", "b", "c"]),
        "li": t.lograndint(1, 100),
        **CONSTANT,
    }


def objective(c: dict[str, Any]) -> float:
    """A made-up loss over `space` (every parameter matters)."""
    return (
        (c["x"] - 1) ** 2
        + (c["n"]["k"] - 3) ** 2
        + math.log(c["n"]["lr"]) ** 2 / 10
        + {"a": 1, "b": 0, "c": 2}[c["c"]]
        + abs(c["li"] - 20) / 10
    )


def translate(search: Any, config: Any = None, num_samples: int = 10, **run: Any) -> Any:
    """tune.run(config, search_alg=search, engine="optuna"), its ApproximationWarnings (the notes) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        return tune.run("t.py", config=config, num_samples=num_samples, search_alg=search, engine="optuna", **run)


def wandb_suggestions(cfg: Any, loss: Callable[[dict], float], n: int = 10) -> list[dict[str, Any]]:
    """The first `n` configs wandb's own optimizer asks for `cfg`, one at a time, each told its `loss`."""
    from wandb.sdk.sweeps.run_state import RunState
    from wandb.sdk.sweeps.scheduler.optimizer import RunWithMetrics

    out = []
    with tempfile.TemporaryDirectory() as folder:
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        for _ in range(n):
            (run,) = optimizer.ask_n_runs(1)
            config = run.config.flat_dict()
            out.append(config)
            summary = {cfg["metric"]["name"]: loss(config)}
            optimizer.tell_run(run.run_id, RunWithMetrics(run.config, RunState.FINISHED, "r", summary, []))
    return out


def ray_suggestions(
    searcher: Any, loss: Callable[[dict], float], n: int = 10, constants: dict[str, Any] = CONSTANT
) -> list[dict[str, Any]]:
    """The first `n` suggestions of a Ray searcher (`suggest`, then `on_trial_complete` with `loss`), each merged
    with the space's `constants` as Tune merges a suggestion into the trial's config."""
    out = []
    for i in range(n):
        config = {**searcher.suggest(str(i)), **constants}
        out.append(config)
        searcher.on_trial_complete(str(i), {searcher.metric: loss(config)})
    return out


def typed(configs: list[dict[str, Any]]) -> list[Any]:
    """Configs with every value's type beside it (1 == 1.0, but a run must get the same type)."""

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return (type(v).__name__, v)

    return [walk(c) for c in configs]


BRANIN = {"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15)}
BRANIN_MIN = 0.397887


def branin(x: float, y: float, **_: Any) -> float:
    return (
        (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10
    )


def best_on_branin(search: Any, budget: int = 30) -> float:
    """The best Branin value after `budget` runs of `search` through wandb's own optimizer."""
    cfg = translate(search, BRANIN, num_samples=budget, metric="loss", mode="min")
    return min(branin(**c) for c in wandb_suggestions(cfg, lambda c: branin(**c), budget))


def median_best(make: Callable[[int], Any], seeds: range = range(5), budget: int = 30) -> tuple[float, list[float]]:
    values = [best_on_branin(make(seed), budget) for seed in seeds]
    return statistics.median(values), values
