"""Mirror of `ray.tune.schedulers`: trial schedulers translated to W&B's `early_terminate` (or Optuna pruners).

One module per scheduler (as in Ray), each the scheduler's home: see `trial_scheduler.TrialScheduler`.
"""

from .async_hyperband import ASHAScheduler, AsyncHyperBandScheduler
from .fifo import FIFOScheduler
from .hb_bohb import HyperBandForBOHB
from .hyperband import HyperBandScheduler, hyperband_bands, ray_rungs
from .median_stopping_rule import MedianStoppingRule
from .pb2 import PB2
from .pbt import PopulationBasedTraining, PopulationBasedTrainingReplay
from .trial_scheduler import TIME_ATTR, TrialScheduler

__all__ = [
    "ASHAScheduler",
    "AsyncHyperBandScheduler",
    "FIFOScheduler",
    "HyperBandForBOHB",
    "HyperBandScheduler",
    "MedianStoppingRule",
    "PB2",
    "PopulationBasedTraining",
    "PopulationBasedTrainingReplay",
    "TIME_ATTR",
    "TrialScheduler",
    "hyperband_bands",
    "ray_rungs",
]
