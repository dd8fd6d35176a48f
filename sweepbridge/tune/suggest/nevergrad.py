"""Mirror of `ray.tune.suggest.nevergrad`."""

from ..search.nevergrad import NevergradSearch

__all__ = ["NevergradSearch"]
