"""Mirror of `ray.tune.suggest.zoopt`."""

from ..search.zoopt import ZOOptSearch

__all__ = ["ZOOptSearch"]
