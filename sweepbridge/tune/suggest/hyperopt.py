"""Mirror of `ray.tune.suggest.hyperopt`."""

from ..search.algorithms import HyperOptSearch

__all__ = ["HyperOptSearch"]
