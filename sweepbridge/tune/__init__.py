"""Mirror of Ray Tune's API that builds W&B sweep configs: `from sweepbridge import tune`.

    cfg = tune.run("train.py", config={"lr": tune.loguniform(1e-4, 1e-1)}, num_samples=20)
    cfg = tune.Tuner("train.py", param_space=..., tune_config=tune.TuneConfig(...)).to_sweep()
    results = tune.Tuner(train_fn, param_space=...).fit()   # runs here; Ray's ResultGrid API
    results = tune.Tuner(train_fn, param_space=...).fit()   # runs here; Ray's ResultGrid API

Real `ray.tune` domains, searchers and schedulers are accepted wherever ours are. A trainable
(function or Trainable class) runs under `sweepbridge trial`, where `tune.report`,
`tune.get_checkpoint` and `tune.get_context` answer from the W&B run.
"""

from __future__ import annotations

import importlib

_SUBMODULES = ("integration", "schedulers", "search", "stopper", "suggest")
_DOMAINS = (
    "choice",
    "grid_search",
    "lograndint",
    "loguniform",
    "qlograndint",
    "qloguniform",
    "qrandint",
    "qrandn",
    "quniform",
    "randint",
    "randn",
    "sample_from",
    "uniform",
)
_LAZY = {
    "Checkpoint": "checkpoint",
    **dict.fromkeys(_DOMAINS, "domains"),
    "run": "run",
    "get_checkpoint": "session",
    "get_context": "session",
    "report": "session",
    "Stopper": "stopper",
    "Trainable": "trainable",
    "REPEAT_AXIS": "translate",
    "Result": "result_grid",
    "ResultGrid": "result_grid",
    "RunConfig": "tuner",
    "TuneConfig": "tuner",
    "Tuner": "tuner",
    "with_parameters": "wrappers",
    "with_resources": "wrappers",
}
"""Public name → the submodule defining it, imported on first use (a trial loads only what it uses)."""

__all__ = sorted([*_LAZY, *_SUBMODULES])


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
