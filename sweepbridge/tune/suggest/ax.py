"""Mirror of `ray.tune.suggest.ax`."""

from ..search.ax import AxSearch

__all__ = ["AxSearch"]
