"""Mirror of `ray.tune.suggest.hebo`."""

from ..search.algorithms import HEBOSearch

__all__ = ["HEBOSearch"]
