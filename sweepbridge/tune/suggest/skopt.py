"""Mirror of `ray.tune.suggest.skopt`."""

from ..search.skopt import SkOptSearch

__all__ = ["SkOptSearch"]
