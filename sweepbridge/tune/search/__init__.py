"""Mirror of `ray.tune.search`: search algorithms translated to W&B methods (see compat rows)."""

from .algorithms import (
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
