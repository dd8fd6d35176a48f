"""Mirror of `ray.tune.suggest.optuna`."""

from ..search.optuna import OptunaSearch

__all__ = ["OptunaSearch"]
