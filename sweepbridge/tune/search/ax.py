"""Home of Ray's AxSearch: refused by W&B's engines (compat row tune.search.ax)."""

from __future__ import annotations

from .searcher import Refused


class AxSearch(Refused):
    """Refused: see compat row tune.search.ax."""

    row = "tune.search.ax"
    names = ("ax",)
    ray_module = "ray.tune.search.ax"
    beta_name = "ax.AxSearch"


__all__ = ["AxSearch"]
