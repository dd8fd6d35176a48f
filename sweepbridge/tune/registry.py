"""Every searcher's and scheduler's home, and the tables derived from them (data, not isinstance ladders).

Adding a searcher: write its home (a module in tune/search/) and list it in `SEARCHERS` below; the names Ray
and the 2020 beta use, the real-object reader, each engine's mapping and the reverse mapping all come from the
home (docs/adding-a-searcher.md).
"""

from __future__ import annotations

from typing import Any

from ..errors import SpecError
from .schedulers.async_hyperband import AsyncHyperBandScheduler
from .schedulers.fifo import FIFOScheduler
from .schedulers.hb_bohb import HyperBandForBOHB
from .schedulers.hyperband import HyperBandScheduler
from .schedulers.median_stopping_rule import MedianStoppingRule
from .schedulers.pb2 import PB2
from .schedulers.pbt import PopulationBasedTraining, PopulationBasedTrainingReplay
from .schedulers.trial_scheduler import TrialScheduler
from .search.ax import AxSearch
from .search.basic_variant import BasicVariantGenerator
from .search.bayesopt import BayesOptSearch
from .search.bohb import TuneBOHB
from .search.concurrency_limiter import ConcurrencyLimiter
from .search.hebo import HEBOSearch
from .search.hyperopt import HyperOptSearch
from .search.nevergrad import NevergradSearch
from .search.optuna import OptunaSearch
from .search.searcher import Searcher
from .search.skopt import SkOptSearch
from .search.zoopt import ZOOptSearch

SEARCHERS: tuple[type[Searcher], ...] = (
    BasicVariantGenerator,
    HyperOptSearch,
    BayesOptSearch,
    NevergradSearch,
    SkOptSearch,
    AxSearch,
    TuneBOHB,
    OptunaSearch,
    ZOOptSearch,
    HEBOSearch,
    ConcurrencyLimiter,
)
"""The searcher homes (in the order of Ray's create_searcher names)."""
SCHEDULERS: tuple[type[TrialScheduler], ...] = (
    FIFOScheduler,
    AsyncHyperBandScheduler,
    HyperBandScheduler,
    MedianStoppingRule,
    HyperBandForBOHB,
    PopulationBasedTraining,
    PopulationBasedTrainingReplay,
    PB2,
)
"""The scheduler homes (in the order of Ray's create_scheduler names)."""

DEFAULT_SEARCHER: type[Searcher] = BasicVariantGenerator
DEFAULT_SCHEDULER: type[TrialScheduler] = FIFOScheduler
"""What tune.run uses when given none (as Ray)."""
REVERSE_SEARCHERS: tuple[type[Searcher], ...] = (
    AxSearch,
    HyperOptSearch,
    OptunaSearch,
    BayesOptSearch,
    ZOOptSearch,
    NevergradSearch,
    SkOptSearch,
    BasicVariantGenerator,
)
"""Asked in this order which one a generated study's sampler comes from (the first that answers wins)."""
BAYES: type[Searcher] = HyperOptSearch
"""W&B's method bayes, reversed: HyperOptSearch over the exact hyperopt space."""
EARLY_TERMINATE: type[AsyncHyperBandScheduler] = AsyncHyperBandScheduler
"""W&B's early_terminate hyperband, reversed: ASHA."""

SEARCHER_NAMES: dict[str, type[Searcher]] = {name: cls for cls in SEARCHERS for name in cls.names}
"""Ray's `search_alg="..."` names (ray.tune.search.create_searcher)."""
SCHEDULER_NAMES: dict[str, type[TrialScheduler]] = {name: cls for cls in SCHEDULERS for name in cls.names}
"""Ray's `scheduler="..."` names (ray.tune.schedulers.create_scheduler)."""
BETA_SEARCHERS: dict[str, type[Searcher]] = {cls.beta_name: cls for cls in SEARCHERS if cls.beta_name}
"""The 2020 beta's search_alg names ("module.Class" of ray.tune.suggest)."""
BETA_SCHEDULERS: dict[str, type[TrialScheduler]] = {name: cls for cls in SCHEDULERS for name in cls.beta_names}
"""The 2020 beta's scheduler names (class names)."""
RAY_SEARCHERS: dict[str, type[Searcher]] = {cls.__name__: cls for cls in SEARCHERS if cls.ray_module}
RAY_SCHEDULERS: dict[str, type[TrialScheduler]] = {cls.__name__: cls for cls in SCHEDULERS if cls.ray_module}
"""Class name of a real Ray object → the home that reads it."""
RAY_IMPORTS: dict[str, tuple[str, str, str]] = {
    cls.__name__: (cls.ray_module, cls.__name__, "ray") for cls in (*SEARCHERS, *SCHEDULERS) if cls.ray_module
}
"""Class name → (Ray module, attribute, sweepbridge extra): how rendered Ray source imports it (backends.calls)."""


def is_ray(obj: Any) -> bool:
    return type(obj).__module__.split(".", 1)[0] == "ray"


def _mirror(value: Any, default: type, names: dict[str, Any], ray: dict[str, Any], base: type, what: str) -> Any:
    """The mirror of a searcher/scheduler given as None (Ray's default), a Ray name, a real Ray object or ours."""
    if value is None:
        value = default()
    elif isinstance(value, str):
        cls = names.get(value)
        if cls is None:
            raise SpecError(f"unknown {what} {value!r}; known: {', '.join(names)}.", path=what)
        value = cls()
    elif is_ray(value):
        home = ray.get(type(value).__name__)
        if home is None:
            kind = "search algorithm" if what == "search_alg" else "scheduler"
            raise SpecError(f"unrecognised Ray Tune {kind} {type(value).__name__}.", path=what)
        value = home.from_ray(value)
    if not isinstance(value, base):
        raise SpecError(f"{what} must be a {base.__name__}, got {type(value).__name__}.", path=what)
    return value


def mirror_searcher(search_alg: Any) -> Searcher:
    """The mirrored searcher for tune.run's `search_alg`."""
    return _mirror(search_alg, DEFAULT_SEARCHER, SEARCHER_NAMES, RAY_SEARCHERS, Searcher, "search_alg")


def mirror_scheduler(scheduler: Any) -> TrialScheduler:
    """The mirrored scheduler for tune.run's `scheduler`."""
    return _mirror(scheduler, DEFAULT_SCHEDULER, SCHEDULER_NAMES, RAY_SCHEDULERS, TrialScheduler, "scheduler")


def reverse_searcher(sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
    """The Ray searcher (a calls.Call) a generated study's sampler comes from, or None (Ray's default)."""
    return next((c for home in REVERSE_SEARCHERS if (c := home.reverse(sampler, settings, metric))), None)


def reverse_scheduler(pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
    """The Ray scheduler (a calls.Call) a generated study's pruner comes from, or None (FIFO)."""
    return next((c for home in SCHEDULERS if (c := home.reverse(pruner, settings, metric))), None)
