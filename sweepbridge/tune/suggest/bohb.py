"""Mirror of `ray.tune.suggest.bohb`."""

from ..search.algorithms import TuneBOHB

__all__ = ["TuneBOHB"]
