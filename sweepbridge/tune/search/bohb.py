"""Home of Ray's TuneBOHB (BOHB's KDE model, with HyperBandForBOHB).

W&B: refused (compat row tune.search.bohb). Optuna engine: optuna's TPESampler (seed; warned), over the kinds
Ray's ConfigSpace conversion takes (configspace.check_bohb_space). Compat row optuna.search.bohb; the 2020 beta's
bohb.TuneBOHB.
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError
from .. import configspace
from ..plan import Contribution, Warnings
from .searcher import Searcher, check_options, seed


class TuneBOHB(Searcher):
    """Ray's TuneBOHB: refused by W&B's engine; under engine="optuna" Optuna's TPE (seed), warned."""

    row = "tune.search.bohb"
    names = ("bohb",)
    ray_module = "ray.tune.search.bohb"
    beta_name = "bohb.TuneBOHB"
    defaults = {"bohb_config": None, "points_to_evaluate": None, "seed": None, "max_concurrent": 0}

    def __init__(self, space: Any = None, bohb_config: dict | None = None, metric: str | None = None,
                 mode: str | None = None, **options: Any) -> None:  # fmt: skip
        check_options(type(self), options)
        if configspace.is_configspace(space):  # Ray's other way to give the space: read where exact
            space = configspace.to_tune(space)
        if isinstance(options.get("points_to_evaluate"), list):  # Ray unflattens each point's "a/b" keys
            options["points_to_evaluate"] = [configspace.nest_point(p) for p in options["points_to_evaluate"]]
        super().__init__(space, metric, mode, bohb_config=bohb_config, **options)

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        return cls(  # _space: None, or Ray's ConfigSpace conversion of the space given
            obj._space or None,
            obj._bohb_config,
            obj._metric,
            obj._mode,
            seed=obj._seed,
            points_to_evaluate=obj._points_to_evaluate or None,
        )

    def plan(self) -> Contribution:
        raise compat.refuse(self.row, path="search_alg")

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        if self.options.get("bohb_config"):
            raise SpecError(
                "TuneBOHB(bohb_config=...) sets BOHB's KDE model, which Optuna's TPE does not have; drop it.",
                path="search_alg.bohb_config",
            )
        return SamplerSpec("TPESampler", (("seed", seed(self.options.get("seed"), "seed")),)), [
            ("optuna.search.bohb", "")
        ]

    def runs_first(self, space: Any, points: tuple[Any, ...]) -> tuple[Any, ...]:
        configspace.check_bohb_space(space)
        return points
