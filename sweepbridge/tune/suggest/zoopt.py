"""Mirror of `ray.tune.suggest.zoopt`."""

from ..search.algorithms import ZOOptSearch

__all__ = ["ZOOptSearch"]
