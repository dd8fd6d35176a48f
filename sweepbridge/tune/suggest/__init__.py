"""Mirror of `ray.tune.suggest` (the 2020 path, Ray < 2.0): translated search algorithms."""

from ..search.algorithms import (
    AxSearch,
    BasicVariantGenerator,
    BayesOptSearch,
    ConcurrencyLimiter,
    HEBOSearch,
    HyperOptSearch,
    NevergradSearch,
    OptunaSearch,
    Searcher,
    SkOptSearch,
    TuneBOHB,
    ZOOptSearch,
)

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
