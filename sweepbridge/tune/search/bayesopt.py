"""Mirror of `ray.tune.search.bayesopt`."""

from .algorithms import BayesOptSearch

__all__ = ["BayesOptSearch"]
