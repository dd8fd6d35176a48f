"""Mirror of `ray.tune.suggest.ax`."""

from ..search.algorithms import AxSearch

__all__ = ["AxSearch"]
