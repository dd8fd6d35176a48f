"""Home of Ray's ZOOptSearch (zoopt's SRacosTune).

W&B: refused (compat row tune.search.zoopt). Optuna engine: a generated `ZOOptSampler` driving zoopt's own
SRacosTune, configured as Ray's ZOOptSearch configures it (`backends.zoopt_source`: Ray's convert_search_space,
budget, parallel_num, points_to_evaluate as zoopt's initial samples); warned (compat row optuna.search.zoopt).
Reverse: a ZOOptSampler → ZOOptSearch.
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ...backends import zoopt_source
from ...backends.calls import Call
from ...backends.optuna_source import SamplerSpec
from ...errors import SpecError
from ..plan import Contribution, Warnings
from .searcher import Searcher, seed

ALGOS = ("asracos", "sracos")
"""Ray's accepted `algo` names (both build SRacosTune)."""


class ZOOptSearch(Searcher):
    """Ray's ZOOptSearch: refused by W&B's engine; under engine="optuna" zoopt's SRacosTune through a generated
    sampler. Ray forwards other keyword arguments to SRacosTune, which reads only parallel_num: they are ignored
    (warned), except `seed`, which seeds the generated sampler's numpy state (Ray's run draws from numpy's global
    state, seeded or not by the script)."""

    row = "tune.search.zoopt"
    names = ("zoopt",)
    ray_module = "ray.tune.search.zoopt"
    defaults = {"algo": "asracos", "budget": None, "dim_dict": None, "points_to_evaluate": None, "parallel_num": 1}

    def __init__(self, algo: str = "asracos", budget: int | None = None, dim_dict: dict | None = None,
                 metric: str | None = None, mode: str | None = None, **options: Any) -> None:  # fmt: skip
        if dim_dict is not None and not isinstance(dim_dict, dict):
            raise SpecError(f"dim_dict must be a dict of Tune domains, got {dim_dict!r}.", path="search_alg.dim_dict")
        if dim_dict and any(_zoopt_form(v) for v in dim_dict.values()):
            raise SpecError(
                "ZOOptSearch(dim_dict=...) in zoopt's own form (ValueType tuples) is not read; give the space as Tune "
                "domains (config= or dim_dict=), which Ray converts to that form itself.",
                path="search_alg.dim_dict",
            )
        super().__init__(dim_dict or None, metric, mode, algo=algo, budget=budget, **options)

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        if getattr(obj, "_dim_dict", None):
            raise SpecError(
                f"a real {type(obj).__name__} keeps only zoopt's converted form of its space; pass the space as "
                "config= instead.",
                path="search_alg",
            )
        return cls(obj._algo, obj._budget, None, obj._metric, obj._mode,
                   points_to_evaluate=obj._points_to_evaluate or None, parallel_num=obj.parallel_num,
                   **obj.kwargs)  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse(self.row, path="search_alg")

    def points(self) -> tuple[Any, ...]:
        """zoopt takes the points itself (its initial samples): nothing is enqueued in the study."""
        return ()

    def sampler(self) -> tuple[SamplerSpec, Warnings]:
        o = self.options
        algo, budget, parallel = o.get("algo"), o.get("budget"), o.get("parallel_num", 1)
        if not isinstance(algo, str) or algo.lower() not in ALGOS:
            raise SpecError(f"algo must be one of {list(ALGOS)} (Ray's ZOOptSearch), got {algo!r}.", path="search_alg")
        if budget is None:
            raise SpecError("ZOOptSearch needs budget= (Ray asserts it; zoopt sizes its initial sample by it).",
                            path="search_alg")  # fmt: skip
        for name, value, low in (("budget", budget, 3), ("parallel_num", parallel, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise SpecError(f"{name} must be an int >= {low}, got {value!r}.", path=f"search_alg.{name}")
        if self.mode is not None and self.mode not in ("min", "max"):
            raise SpecError(f"mode must be 'min' or 'max', got {self.mode!r}.", path="search_alg")
        extra = sorted(set(o) - set(self.defaults) - {"seed", "max_concurrent"})
        points = list(super().points())
        kwargs = (("budget", budget), ("parallel_num", parallel), ("points", points),
                  ("seed", seed(o.get("seed"), "seed")))  # fmt: skip
        details = []
        if o.get("seed") is not None:
            details.append(f"seed={o['seed']!r} is ignored by Ray (SRacosTune reads only parallel_num) and seeds the "
                           "generated sampler's numpy state.")  # fmt: skip
        if extra:
            details.append(f"{', '.join(extra)}: forwarded by Ray to SRacosTune, which ignores them; ignored.")
        return SamplerSpec(zoopt_source.SAMPLER, kwargs), [("optuna.search.zoopt", " ".join(details))]

    def runs_first(self, space: Any, points: tuple[Any, ...]) -> tuple[Any, ...]:
        """Refuse what Ray's converter refuses or distorts in `space`, and points zoopt cannot take (by path);
        nothing to enqueue: zoopt runs the points first itself."""
        from ...distributions import root_fields

        dims = zoopt_source.dims(root_fields(space))
        zoopt_source.check_points(dims, tuple(super().points()))
        return ()

    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if sampler.get("name") != zoopt_source.SAMPLER:
            return None
        kwargs = sampler.get("kwargs") or {}
        args: dict[str, Any] = {"budget": kwargs.get("budget")}
        if kwargs.get("parallel_num", 1) != 1:
            args["parallel_num"] = kwargs["parallel_num"]
        if kwargs.get("points"):
            args["points_to_evaluate"] = kwargs["points"]
        if kwargs.get("seed") is not None:
            args["seed"] = kwargs["seed"]
        return Call(cls.__name__, kwargs=tuple({**metric, **args}.items()))


def _zoopt_form(value: Any) -> bool:
    """A dimension in zoopt's own form: (ValueType, region[, precision or ordered]); ValueType's are ints 0-2."""
    return isinstance(value, tuple) and len(value) in (2, 3) and value[0] in (0, 1, 2) and isinstance(value[1], list)


__all__ = ["ZOOptSearch"]
