"""Mirror of `ray.tune.suggest.bayesopt`."""

from ..search.bayesopt import BayesOptSearch

__all__ = ["BayesOptSearch"]
