"""Home of Ray's OptunaSearch.

W&B: refused (compat row tune.search.optuna). Optuna engine: its own default sampler, TPESampler (seed; warned,
row optuna.search.optuna). Reverse: a plain TPESampler → OptunaSearch(seed).
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ...backends.calls import Call
from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError
from ..plan import Contribution, Warnings
from .searcher import Searcher, check_options, seed


class OptunaSearch(Searcher):
    """Ray's OptunaSearch: refused by W&B's engine; under engine="optuna" its own sampler (TPE, seed)."""

    row = "tune.search.optuna"
    names = ("optuna",)
    ray_module = "ray.tune.search.optuna"
    defaults = {"points_to_evaluate": None, "sampler": None, "study_name": None, "storage": None, "seed": None,
                "evaluated_rewards": None}  # fmt: skip

    def __init__(self, space: Any = None, metric: str | None = None, mode: str | None = None, **options: Any):
        check_options(type(self), options)
        super().__init__(space, metric, mode, **options)

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        if getattr(obj, "_space", None):
            raise SpecError(
                f"a real {type(obj).__name__} keeps only a converted form of its space; pass the space as config= "
                "instead.",
                path="search_alg",
            )
        return cls(
            None, obj._metric, obj._mode, sampler=obj._sampler, seed=obj._seed,
            points_to_evaluate=obj._points_to_evaluate or None,
        )  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse(self.row, path="search_alg")

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        if self.options.get("sampler") is not None:
            raise SpecError(
                "OptunaSearch(sampler=...) holds a live sampler object the generated source cannot rebuild; "
                "pass seed= (Ray's default TPESampler) instead.",
                path="search_alg",
            )
        return SamplerSpec("TPESampler", (("seed", seed(self.options.get("seed"), "seed")),)), [
            ("optuna.search.optuna", "")
        ]

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if sampler.get("name") != "TPESampler":
            return None
        points = {"points_to_evaluate": settings["points_to_evaluate"]} if settings.get("points_to_evaluate") else {}
        given = (sampler.get("kwargs") or {}).get("seed")
        return Call(cls.__name__, kwargs=tuple({**metric, "seed": given, **points}.items()))
