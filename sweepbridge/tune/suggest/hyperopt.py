"""Mirror of `ray.tune.suggest.hyperopt`."""

from ..search.hyperopt import HyperOptSearch

__all__ = ["HyperOptSearch"]
