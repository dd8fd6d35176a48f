"""Mirror of `ray.tune.search.optuna`."""

from .algorithms import OptunaSearch

__all__ = ["OptunaSearch"]
