"""Home of Ray's NevergradSearch: refused by W&B's engines (compat row tune.search.nevergrad)."""

from __future__ import annotations

from .searcher import Refused


class NevergradSearch(Refused):
    """Refused: see compat row tune.search.nevergrad."""

    row = "tune.search.nevergrad"
    names = ("nevergrad",)
    ray_module = "ray.tune.search.nevergrad"
    beta_name = "nevergrad.NevergradSearch"


__all__ = ["NevergradSearch"]
