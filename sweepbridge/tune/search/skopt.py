"""Mirror of `ray.tune.search.skopt`."""

from .algorithms import SkOptSearch

__all__ = ["SkOptSearch"]
