"""Mirror of `ray.tune.suggest.nevergrad`."""

from ..search.algorithms import NevergradSearch

__all__ = ["NevergradSearch"]
