"""Home of Ray's BasicVariantGenerator (its default searcher): grid search for grid axes, random sampling else.

W&B: method grid or random (decided by the space, see tune/translate.py). Optuna engine: a RandomSampler
(random_state → seed; grid axes run as a grid). Reverse: a seeded RandomSampler → BasicVariantGenerator(random_state).
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ...backends.calls import Call
from ...backends.optuna_source import SamplerSpec
from ..plan import Warnings, signature_defaults
from .searcher import Searcher, seed


def random_sampler(seed: int | None = None) -> SamplerSpec:
    """optuna's RandomSampler (what random search is under the Optuna engine)."""
    return SamplerSpec("RandomSampler", (("seed", seed),))


class BasicVariantGenerator(Searcher):
    """Ray's default: grid search for grid axes, random sampling for the rest."""

    names = ("variant_generator", "random")
    ray_module = "ray.tune.search.basic_variant"
    beta_name = "basic_variant.BasicVariantGenerator"

    def __init__(
        self,
        points_to_evaluate: list[dict] | None = None,
        max_concurrent: int = 0,
        constant_grid_search: bool = False,
        random_state: Any = None,
    ) -> None:
        # constant_grid_search only matters for grids mixed with sampled domains, which are refused.
        super().__init__(
            points_to_evaluate=points_to_evaluate, max_concurrent=max_concurrent, random_state=random_state
        )
        self.constant_grid_search = constant_grid_search

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        return cls(points_to_evaluate=obj._points_to_evaluate or None, max_concurrent=obj.max_concurrent)

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        if self.options.get("points_to_evaluate"):
            raise compat.refuse("optuna.search.points.variant", path="search_alg.points_to_evaluate")
        return random_sampler(seed(self.options.get("random_state"), "random_state")), []

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        given = (sampler.get("kwargs") or {}).get("seed")
        return None if given is None else Call(cls.__name__, kwargs=(("random_state", given),))


BasicVariantGenerator.defaults = signature_defaults(BasicVariantGenerator.__init__)
