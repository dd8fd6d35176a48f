"""Home of Ray's ZOOptSearch: refused by W&B's engines (compat row tune.search.zoopt)."""

from __future__ import annotations

from .searcher import Refused


class ZOOptSearch(Refused):
    """Refused: see compat row tune.search.zoopt."""

    row = "tune.search.zoopt"
    names = ("zoopt",)
    ray_module = "ray.tune.search.zoopt"


__all__ = ["ZOOptSearch"]
