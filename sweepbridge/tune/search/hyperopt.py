"""Mirror of `ray.tune.search.hyperopt`."""

from .algorithms import HyperOptSearch

__all__ = ["HyperOptSearch"]
