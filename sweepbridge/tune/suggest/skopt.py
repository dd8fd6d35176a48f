"""Mirror of `ray.tune.suggest.skopt`."""

from ..search.algorithms import SkOptSearch

__all__ = ["SkOptSearch"]
