"""Mirror of `ray.tune.suggest.bayesopt`."""

from ..search.algorithms import BayesOptSearch

__all__ = ["BayesOptSearch"]
