"""Mirror of `ray.tune.search.hebo`."""

from .algorithms import HEBOSearch

__all__ = ["HEBOSearch"]
