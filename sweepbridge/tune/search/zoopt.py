"""Mirror of `ray.tune.search.zoopt`."""

from .algorithms import ZOOptSearch

__all__ = ["ZOOptSearch"]
