"""Mirror of `ray.tune.search.ax`."""

from .algorithms import AxSearch

__all__ = ["AxSearch"]
