"""Mirror of `ray.tune.search.nevergrad`."""

from .algorithms import NevergradSearch

__all__ = ["NevergradSearch"]
