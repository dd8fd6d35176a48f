"""Mirror of Ray Tune's API that builds W&B sweep configs: `from sweepbridge import tune`.

    cfg = tune.run("train.py", config={"lr": tune.loguniform(1e-4, 1e-1)}, num_samples=20)
    cfg = tune.Tuner("train.py", param_space=..., tune_config=tune.TuneConfig(...)).to_sweep()

Real `ray.tune` domains, searchers and schedulers are accepted wherever ours are.
"""

from . import schedulers, search, suggest
from .domains import (
    choice,
    grid_search,
    lograndint,
    loguniform,
    qlograndint,
    qloguniform,
    qrandint,
    qrandn,
    quniform,
    randint,
    randn,
    sample_from,
    uniform,
)
from .run import run
from .translate import REPEAT_AXIS
from .tuner import RunConfig, TuneConfig, Tuner

__all__ = [
    "REPEAT_AXIS",
    "RunConfig",
    "TuneConfig",
    "Tuner",
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
    "run",
    "sample_from",
    "schedulers",
    "search",
    "suggest",
    "uniform",
]
