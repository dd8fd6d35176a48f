"""Mirror of `ray.tune.suggest.optuna`."""

from ..search.algorithms import OptunaSearch

__all__ = ["OptunaSearch"]
