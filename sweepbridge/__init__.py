"""sweepbridge: exact translation between Ray Tune / hyperopt search spaces and W&B sweeps.

Importing this package is light: heavy modules load on first use of what needs them.
"""

from __future__ import annotations

import importlib

from .errors import ApproximationWarning, SpecError, SweepBridgeError, UnsupportedFeatureError
from .tune import driver as _driver

__version__ = "0.1.0"

_LAZY = {
    "to_sweep": "sweepbridge.api",
    "sweep_from_ir": "sweepbridge.assembly",
    "SweepConfig": "sweepbridge.sweep_config",
    "validate": "sweepbridge.validation",
    "compat_table": "sweepbridge.compat",
    "CompatRow": "sweepbridge.compat",
    "to_hyperopt": "sweepbridge.reverse",
    "to_tune": "sweepbridge.reverse",
    "render_python": "sweepbridge.reverse",
    "run_sweep": "sweepbridge.runner",
}

__all__ = [
    "ApproximationWarning",
    "SpecError",
    "SweepBridgeError",
    "UnsupportedFeatureError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sweepbridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _fit(tuner: object) -> object:
    """`Tuner.fit()` from plain Python: the experiment runs here (the runner; see tune/driver.py)."""
    from .experiment import fit

    return fit(tuner)


_driver.install_fit(_fit)
