"""Mirror of `ray.tune.search.bohb`."""

from .algorithms import TuneBOHB

__all__ = ["TuneBOHB"]
