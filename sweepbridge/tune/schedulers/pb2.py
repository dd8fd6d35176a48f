"""Home of Ray's PB2 (Population Based Bandits): PBT whose explore is a GP bandit.

W&B's own engine: refused (row tune.scheduler.pb2). Optuna engine: the generated PBT scheduler with PB2's
explore carried in (backends/pb2_explore.py, Ray's code; row optuna.scheduler.pb2; docs/pbt.md). Its scheduler
machine needs what Ray's PB2 needs: numpy, pandas, scipy, scikit-learn.

Measured: Ray 2.60's PB2 needs scikit-learn and pandas (its GP is sklearn's), which install beside numpy<2; the
GPy of older Ray PB2s installs beside numpy<2 only as GPy 1.13.2, which pins scipy<=1.12.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ... import compat
from ...errors import SpecError
from .. import flat_keys
from ..plan import Contribution, Plan, signature_defaults
from .pbt import PopulationBasedTraining

NEEDS = ("numpy", "pandas", "scipy", "sklearn")
"""What the generated PB2 scheduler imports besides optuna (checked when it is written)."""


class PB2(PopulationBasedTraining):
    """Ray's PB2: refused by W&B's engine; under engine="optuna" the PBT scheduler with PB2's explore."""

    names = ("pb2",)
    ray_module = "ray.tune.schedulers.pb2"
    beta_names = ()

    def __init__(
        self,
        time_attr: str = "time_total_s",
        metric: str | None = None,
        mode: str | None = None,
        perturbation_interval: float = 60.0,
        hyperparam_bounds: dict | None = None,
        quantile_fraction: float = 0.25,
        log_config: bool = True,
        require_attrs: bool = True,
        synch: bool = False,
        custom_explore_fn: Callable | None = None,
    ) -> None:
        self.hyperparam_bounds = _bounds(hyperparam_bounds or {}, "scheduler.hyperparam_bounds")
        if not self.hyperparam_bounds:
            raise SpecError("PB2 needs hyperparam_bounds (Ray requires them).", path="scheduler.hyperparam_bounds")
        from .. import domains

        uniform = {k: domains.uniform(low, high) for k, (low, high) in self.hyperparam_bounds.items()}
        super().__init__(time_attr, metric, mode, perturbation_interval, 0.0, _unflatten(uniform), quantile_fraction,
                         0.0, (1.2, 0.8), custom_explore_fn, log_config, require_attrs, synch)  # fmt: skip

    @classmethod
    def from_ray(cls, obj: Any) -> PopulationBasedTraining:
        return cls(
            obj._time_attr, obj._metric, obj._mode, obj._perturbation_interval, obj._hyperparam_bounds,
            obj._quantile_fraction, obj._log_config, obj._require_attrs, obj._synch, obj._custom_explore_fn,
        )  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse("tune.scheduler.pb2", path="scheduler")

    def emit(self, plan: Plan) -> Any:
        import importlib.util

        missing = [m for m in NEEDS if importlib.util.find_spec(m) is None]
        if missing:
            raise compat.refuse("optuna.scheduler.pb2", f"Not installed here: {', '.join(missing)}.", path="scheduler")
        cfg, notes = super().emit(plan)
        return cfg, [("optuna.scheduler.pb2", detail, where) for _, detail, where in notes]

    def settings(self, plan: Plan) -> dict[str, Any]:
        bounds = {k: [float(low), float(high)] for k, (low, high) in self.hyperparam_bounds.items()}
        return {**super().settings(plan), "explorer": "pb2", "bounds": bounds}

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
        return None


def _bounds(bounds: Any, path: str, prefix: str = "") -> dict[str, tuple[float, float]]:
    """PB2's hyperparam_bounds, flattened with "/" as Ray flattens them: {"a/b": (low, high)}."""
    if not isinstance(bounds, Mapping):
        raise SpecError("hyperparam_bounds must be a dict.", path=path)
    out: dict[str, tuple[float, float]] = {}
    for key, value in bounds.items():
        if isinstance(value, Mapping):
            out.update(_bounds(value, f"{path}.{key}", f"{prefix}{key}/"))
            continue
        ok = isinstance(value, (list, tuple)) and len(value) == 2
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and value[0] <= value[1]
        if not ok:
            raise SpecError(f"a PB2 bound is [low, high] with low <= high, got {value!r}.", path=f"{path}.{key}")
        out[prefix + key] = (value[0], value[1])
    return out


def _unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """hyperparam_bounds' flat names ("a/b") nested, as Ray's PB2 nests them."""
    try:
        return flat_keys.nest(flat.items())
    except flat_keys.KeyClash as clash:
        message = f"{clash.key!r} clashes with another bound's name."
        raise SpecError(message, path="scheduler.hyperparam_bounds") from None


PB2.defaults = signature_defaults(PB2.__init__, ("self",))
