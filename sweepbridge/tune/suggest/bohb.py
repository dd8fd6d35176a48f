"""Mirror of `ray.tune.suggest.bohb`."""

from ..search.bohb import TuneBOHB

__all__ = ["TuneBOHB"]
