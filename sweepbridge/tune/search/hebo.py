"""Home of Ray's HEBOSearch: refused by W&B's engines (compat row tune.search.hebo).

W&B's own engine has no HEBO optimiser, and a sweep-scheduler sampler driving HEBO itself would need HEBO on the
scheduler's machine, which cannot be installed beside sweepbridge's pins (measured; the row says why).
"""

from __future__ import annotations

from .searcher import Refused


class HEBOSearch(Refused):
    """Refused: see compat row tune.search.hebo."""

    row = "tune.search.hebo"
    names = ("hebo",)
    ray_module = "ray.tune.search.hebo"


__all__ = ["HEBOSearch"]
