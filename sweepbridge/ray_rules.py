"""Ray Tune's rules that both its front-end (reading spaces) and its back-end (writing them) follow.

Kept apart so that neither side imports the other.
"""

from __future__ import annotations

import math

GRID_MARKER = "grid_search"
"""Ray's `tune.grid_search(values)` returns {"grid_search": values}: a dict whose only key is a marker."""
ONE_KEY_MARKERS = frozenset({GRID_MARKER})
"""Keys that make a one-key dict a search-space marker for Ray (not a constant)."""


def is_multiple(x: float, q: float) -> bool:
    """Ray's own test that a bound is a multiple of q (`Float.quantized`); False when x / q
    overflows a float (where Ray's round() raises OverflowError)."""
    scaled = x / q
    return math.isfinite(scaled) and math.isclose(scaled, round(scaled))
