"""W&B's own engine (`sweeps`) as the oracle: validation, scheduling and sampling.

Each helper skips the calling test where W&B's engine (or wandb) is not installed: the fast tier runs
with the runtime dependencies alone.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest


def _sweeps() -> Any:
    return pytest.importorskip("sweeps", reason="W&B's engine (sweeps) is not installed")


def to_plain(value: Any) -> Any:
    """A value as the program receives it: numpy scalars unwrapped, then through JSON."""

    def unwrap(v: Any) -> Any:
        if hasattr(v, "item") and type(v).__module__ == "numpy":
            return v.item()
        if isinstance(v, dict):
            return {k: unwrap(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [unwrap(x) for x in v]
        return v

    return json.loads(json.dumps(unwrap(value)))


def unwrap_run(config: dict) -> dict:
    """A sweeps run config {name: {"value": v}} → {name: v} (plain types)."""
    return {k: to_plain(v["value"]) for k, v in config.items()}


def sample(cfg: dict, n: int, seed: int = 0) -> list[dict]:
    """n configs from W&B's random-search path (`sweeps.next_runs`), seeded as `preview` seeds it."""
    sweeps = _sweeps()
    import numpy

    cfg = {**copy.deepcopy(cfg), "method": "random"}
    sweeps.next_runs(cfg, [], n=1)  # warm: the first call imports modules that draw from `random`
    random.seed(seed)
    numpy.random.seed(seed)
    runs = sweeps.next_runs(cfg, [], n=n)
    return [unwrap_run(r.config) for r in runs]


def _finished_runs(cfg: dict, n: int = 4) -> list:
    sweeps = _sweeps()

    metric = cfg["metric"]["name"]
    runs = []
    for i, run in enumerate(sweeps.next_runs({**copy.deepcopy(cfg), "method": "random"}, [], n=n)):
        runs.append(
            sweeps.SweepRun(
                name=f"r{i}",
                state=sweeps.RunState.finished,
                config=run.config,
                history=[{metric: float(i)}],
                summary_metrics={metric: float(i)},
            )
        )
    return runs


_CACHE: dict[str, list[str]] = {}


def scheduler_optimizer(cfg: dict, source: str, folder: str, sweep_id: str = "s") -> Any:
    """W&B's own optimizer for a `method: custom` sweep: `make_optimizer` on `cfg` with its generated
    `source` written into `folder` (as `wandb sweep-scheduler` loads `scheduler.source`), for sweep `sweep_id`."""
    from pathlib import Path

    pytest.importorskip("wandb", reason="wandb (its sweep scheduler) is not installed")
    from wandb.sdk.sweeps.scheduler.optimizer import make_optimizer
    from wandb.sdk.sweeps.sweep_info import SweepInfo

    path = Path(folder) / cfg["scheduler"]["source"]
    path.write_text(source, encoding="utf-8")
    cfg = {**copy.deepcopy(cfg), "scheduler": {**cfg["scheduler"], "source": str(path)}}
    info = SweepInfo(id=sweep_id, name="s", entity="e", project="p", config=cfg, controller_run_name="c")
    return make_optimizer(info)


def _scheduler_problems(cfg: dict, source: str | None) -> list[str]:
    import tempfile

    if source is None:  # e.g. SweepConfig(dict) of a custom sweep: only W&B's validator can judge it
        return []
    from pathlib import Path

    from sweepbridge.runner.chains import pbt_population

    with tempfile.TemporaryDirectory() as folder:
        try:
            runs = scheduler_optimizer(cfg, source, folder).ask_n_runs(2)
        except Exception as exc:  # wandb's own failure is the finding
            return [f"W&B's scheduler failed: {type(exc).__name__}: {exc}"]
        written = {**cfg, "scheduler": {**cfg["scheduler"], "source": str(Path(folder) / cfg["scheduler"]["source"])}}
        wanted = min(2, pbt_population(written) or 2)  # a PBT population of 1 has one run to hand out
    return [] if len(runs) == wanted else [f"W&B's scheduler proposed {len(runs)} runs, not {wanted}"]


def engine_problems(cfg: dict, source: str | None = None) -> list[str]:
    """Why W&B's engine rejects `cfg` or cannot schedule it under its method ([] = fine); for a
    `method: custom` sweep, why W&B's scheduler cannot build its optimizer from `source`."""
    sweeps = _sweeps()

    key = json.dumps([cfg, source], sort_keys=True)
    if key in _CACHE:
        return _CACHE[key]
    problems = list(sweeps.schema_violations_from_proposed_config(copy.deepcopy(cfg)))
    if not problems and cfg.get("method") == "custom":
        problems = _scheduler_problems(cfg, source)
    elif not problems:
        method = cfg["method"]
        random.seed(0)
        try:
            runs = _finished_runs(cfg) if method == "bayes" else []
            run = sweeps.next_run(copy.deepcopy(cfg), runs)
            if run is None:
                problems.append(f"sweeps.next_run scheduled nothing under method {method}")
            if "early_terminate" in cfg:
                sweeps.stop_runs(copy.deepcopy(cfg), runs)
        except Exception as exc:  # the engine's own failure is the finding
            problems.append(f"sweeps.next_run failed under method {method}: {type(exc).__name__}: {exc}")
    _CACHE[key] = problems
    return problems
