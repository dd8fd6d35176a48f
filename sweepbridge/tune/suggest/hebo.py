"""Mirror of `ray.tune.suggest.hebo`."""

from ..search.hebo import HEBOSearch

__all__ = ["HEBOSearch"]
