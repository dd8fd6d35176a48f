"""Mirror of `ray.tune.search`: search algorithms translated to W&B methods (see compat rows).

One module per searcher (as in Ray), each the searcher's home: see `searcher.Searcher` and docs/adding-a-searcher.md.
"""

from .ax import AxSearch
from .basic_variant import BasicVariantGenerator
from .bayesopt import BayesOptSearch
from .bohb import TuneBOHB
from .concurrency_limiter import ConcurrencyLimiter
from .hebo import HEBOSearch
from .hyperopt import HyperOptSearch
from .nevergrad import NevergradSearch
from .optuna import OptunaSearch
from .searcher import Searcher
from .skopt import SkOptSearch
from .zoopt import ZOOptSearch

__all__ = [
    "AxSearch",
    "BasicVariantGenerator",
    "BayesOptSearch",
    "ConcurrencyLimiter",
    "HEBOSearch",
    "HyperOptSearch",
    "NevergradSearch",
    "OptunaSearch",
    "Searcher",
    "SkOptSearch",
    "TuneBOHB",
    "ZOOptSearch",
]
