"""Mirror of Ray Tune's API that builds W&B sweep configs: `from sweepbridge import tune`.

    cfg = tune.run("train.py", config={"lr": tune.loguniform(1e-4, 1e-1)}, num_samples=20)
    cfg = tune.Tuner("train.py", param_space=..., tune_config=tune.TuneConfig(...)).to_sweep()
    results = tune.Tuner(train_fn, param_space=...).fit()   # runs here; Ray's ResultGrid API

Real `ray.tune` domains, searchers and schedulers are accepted wherever ours are. A trainable
(function or Trainable class) runs under `sweepbridge trial`, where `tune.report`,
`tune.get_checkpoint` and `tune.get_context` answer from the W&B run.
"""

from . import integration, schedulers, search, stopper, suggest
from .checkpoint import Checkpoint
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
from .result_grid import Result, ResultGrid
from .run import run
from .session import get_checkpoint, get_context, report
from .stopper import Stopper
from .trainable import Trainable
from .translate import REPEAT_AXIS
from .tuner import RunConfig, TuneConfig, Tuner
from .wrappers import with_parameters, with_resources

__all__ = [
    "REPEAT_AXIS",
    "Checkpoint",
    "Stopper",
    "Trainable",
    "get_checkpoint",
    "get_context",
    "integration",
    "report",
    "stopper",
    "Result",
    "ResultGrid",
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
    "with_parameters",
    "with_resources",
]
