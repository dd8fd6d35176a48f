"""Home of Ray's HEBOSearch: refused by W&B's engines (compat row tune.search.hebo)."""

from __future__ import annotations

from .searcher import Refused


class HEBOSearch(Refused):
    """Refused: see compat row tune.search.hebo."""

    row = "tune.search.hebo"
    names = ("hebo",)
    ray_module = "ray.tune.search.hebo"


__all__ = ["HEBOSearch"]
