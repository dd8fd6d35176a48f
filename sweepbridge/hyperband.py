"""The bands W&B's hyperband stops runs at, computed with the arithmetic of `sweeps.hyperband_stopping`.

One computation, read by `validate` (a setting with no band, or bands that overflow, is a problem),
by the Ray Tune back-end (bands → ASHA rungs) and by the Tune front-end (Ray's rungs → W&B's form).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .errors import SpecError

DEFAULT_ETA = 3
"""W&B's schema default for `eta`."""
MIN_ITER_BANDS = 100
"""How many bands W&B's engine builds from `min_iter` (min_iter·eta^k, k < 100)."""


def bands(et: Mapping[str, Any]) -> list[int]:
    """W&B's bands for a hyperband `early_terminate` (max_iter + s wins over min_iter, as in W&B).

    max_iter form: `band /= eta` s times, stopping below 1, sorted. min_iter form: `band *= eta`
    100 times, each band truncated by int(). SpecError when W&B's arithmetic would overflow.
    """
    eta = et.get("eta", DEFAULT_ETA)
    if "max_iter" in et:
        band, out, s = et["max_iter"], [], et.get("s")
        if not isinstance(s, int) or isinstance(s, bool):  # W&B's engine counts the brackets with range(s)
            raise SpecError(f"early_terminate.s must be an integer (W&B's engine counts with it), got {s!r}.")
        for _ in range(s):
            band /= eta
            if band < 1:
                break
            out.append(int(band))
        return sorted(out)
    if "min_iter" in et:
        band, out = et["min_iter"], []
        for _ in range(MIN_ITER_BANDS):
            if isinstance(band, float) and math.isinf(band):
                raise SpecError(
                    f"with eta {eta!r}, W&B's {MIN_ITER_BANDS} bands min_iter·eta^k overflow a float "
                    "(its engine fails); use a smaller eta.",
                    path="early_terminate",
                )
            out.append(int(band))
            band *= eta
        return out
    raise SpecError("early_terminate hyperband needs max_iter and s, or min_iter.", path="early_terminate")


def _whole(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 1


def problems(et: Any) -> list[str]:
    """Why W&B's engine could not stop runs with `et` ([] when it can, or when the schema's own
    type checks already fail: those report the malformed fields)."""
    if not isinstance(et, Mapping) or et.get("type") != "hyperband":
        return []
    eta = et.get("eta", DEFAULT_ETA)
    typed = isinstance(eta, (int, float)) and not isinstance(eta, bool) and eta > 1
    if not typed or not (_whole(et.get("max_iter")) and _whole(et.get("s")) or _whole(et.get("min_iter"))):
        return []
    try:
        found = bands(et)
    except SpecError as exc:
        return [str(exc)]
    if not found:
        return [
            f"early_terminate: max_iter {et['max_iter']} / eta {eta!r}^i is below 1 for every i ≤ s {et['s']}: "
            "W&B gets no band to stop runs at (its engine fails); raise max_iter, or lower eta."
        ]
    return []
