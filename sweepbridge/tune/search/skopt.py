"""Home of Ray's SkOptSearch: refused by W&B's engines (compat row tune.search.skopt)."""

from __future__ import annotations

from .searcher import Refused


class SkOptSearch(Refused):
    """Refused: see compat row tune.search.skopt."""

    row = "tune.search.skopt"
    names = ("skopt",)
    ray_module = "ray.tune.search.skopt"
    beta_name = "skopt.SkOptSearch"


__all__ = ["SkOptSearch"]
