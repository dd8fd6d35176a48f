"""Home of Ray's AxSearch (Ax's Bayesian optimisation).

W&B's own engine: refused (compat row tune.search.ax). W&B's sweep scheduler with its `ax` engine (`engine="ax"`,
or `auto`): the generated source returns an `ax.Client` configured as Ray's AxSearch configures its AxClient — Ray's
`convert_search_space` parameters, the parameter constraints, the objective(s) and their direction, the AxClient's
generation strategy (Ax's legacy dispatcher) and seed (compat rows ax.*). Reverse: such a source → AxSearch.
"""

from __future__ import annotations

from typing import Any

from ... import compat
from ... import distributions as d
from ...backends.ax_source import ClientSpec
from ...backends.calls import Call
from ...errors import SpecError
from ..plan import Contribution, Warnings
from .searcher import Searcher

AX_CLIENT_DEFAULTS: dict[str, Any] = {
    "generation_strategy": None,
    "db_settings": None,
    "enforce_sequential_optimization": True,
    "random_seed": None,
    "torch_device": None,
    "verbose_logging": True,
    "suppress_storage_errors": False,
    "early_stopping_strategy": None,
    "global_stopping_strategy": None,
}
"""The keywords of Ax's AxClient, to which Ray's AxSearch passes `**ax_kwargs` (ax-platform 1.3)."""
CARRIED = ("random_seed", "enforce_sequential_optimization", "verbose_logging")
"""AxClient keywords the generated client carries (verbose_logging only affects logging: W&B routes Ax's logs)."""
LIVE = {
    "ax_client": "a live AxClient (its experiment and state)",
    "generation_strategy": "a live GenerationStrategy object",
    "db_settings": "Ax's SQL storage settings",
    "torch_device": "a torch device for model fitting",
    "suppress_storage_errors": "Ax's SQL storage option",
    "early_stopping_strategy": "a live early-stopping strategy object",
    "global_stopping_strategy": "a live global-stopping strategy object",
    "outcome_constraints": "outcome constraints (W&B's Ax engine reports only the objective metrics to Ax)",
}
"""Options the generated client does not carry (refused by name, compat row ax.options)."""

AX_TYPES = {bool: "bool", int: "int", float: "float", str: "str"}
"""Python type of a choice's / fixed value → Ax's parameter_type (Ax holds no other value type)."""
RANGE_KEYS = {"name", "type", "bounds", "value_type", "log_scale"}
CHOICE_KEYS = {"name", "type", "values", "value_type", "is_ordered"}
FIXED_KEYS = {"name", "type", "value", "value_type"}
"""The keys of Ax's parameter dicts the generated client carries, per type (Ray's converter writes only these)."""


def _refuse_option(name: str, path: str = "search_alg") -> Exception:
    return compat.refuse("ax.options", f"AxSearch({name}=...) holds {LIVE[name]}.", path=f"{path}.{name}")


class AxSearch(Searcher):
    """Ray's AxSearch: refused by W&B's engine; under engine="ax" the `ax.Client` Ray's AxSearch would configure."""

    row = "tune.search.ax"
    names = ("ax",)
    multi_objective = True  # Ray's metric/mode lists: Ax objectives and W&B's `metrics` (engine ax)
    ray_module = "ray.tune.search.ax"
    beta_name = "ax.AxSearch"
    defaults = {"points_to_evaluate": None, "parameter_constraints": None, "outcome_constraints": None,
                "ax_client": None}  # fmt: skip

    def __init__(
        self,
        space: Any = None,
        metric: Any = None,
        mode: Any = None,
        points_to_evaluate: list[dict] | None = None,
        parameter_constraints: list | None = None,
        outcome_constraints: list | None = None,
        ax_client: Any = None,
        **ax_kwargs: Any,
    ) -> None:
        unknown = sorted(set(ax_kwargs) - set(AX_CLIENT_DEFAULTS))
        if unknown:  # Ray passes them on to AxClient, which refuses them so
            raise TypeError(f"AxClient.__init__() got unexpected keyword arguments {unknown}")
        self.objectives = _objectives(metric, mode)
        if self.objectives and len(self.objectives) > 1:  # the first objective is the one Tune ranks by
            metric, mode = self.objectives[0][0], "min" if self.objectives[0][1] else "max"
        super().__init__(
            space,
            metric,
            mode,
            points_to_evaluate=points_to_evaluate,
            parameter_constraints=parameter_constraints,
            outcome_constraints=outcome_constraints,
            ax_client=ax_client,
        )
        self.ax_kwargs = dict(ax_kwargs)

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        """Ray's AxSearch keeps `_space` (its converted Ax parameter list, or the list given), `_metric`, `_mode`,
        `_points_to_evaluate`, `_parameter_constraints`, `_outcome_constraints`, `_ax` and `_ax_kwargs`."""
        return cls(
            obj._space or None, obj._metric, obj._mode, points_to_evaluate=obj._points_to_evaluate or None,
            parameter_constraints=obj._parameter_constraints, outcome_constraints=obj._outcome_constraints,
            ax_client=obj._ax, **(obj._ax_kwargs or {}),
        )  # fmt: skip

    # -- W&B's own engine and the Optuna engine: not Ax ------------------------------------------------------
    def plan(self) -> Contribution:
        raise compat.refuse(self.row, path="search_alg")

    def sampler(self) -> tuple[Any, Warnings]:
        raise compat.refuse("ax.engine", "Got engine 'optuna'.", path="search_alg")

    # -- W&B's sweep scheduler, engine ax --------------------------------------------------------------------
    def client(self, space: d.Node | None, metric: str | None, mode: str | None) -> tuple[ClientSpec, Warnings]:
        """The Ax client Ray's AxSearch configures, for the IR `space` (None: the searcher holds a list of Ax
        parameter dicts) and the plan's metric/mode; refused by name where the client cannot hold it."""
        for name in ("ax_client", "outcome_constraints"):
            if self.options.get(name):
                raise _refuse_option(name)
        for name, value in self.ax_kwargs.items():
            if name not in CARRIED and value != AX_CLIENT_DEFAULTS[name]:
                raise _refuse_option(name)
        objectives = self.objectives or (((metric, mode == "min"),) if metric is not None else None)
        if not objectives or mode is None:
            raise compat.refuse("ax.metric", path="metric")
        if space is None:
            parameters = tuple(_checked(p, i) for i, p in enumerate(_parameter_list(self.space)))
            space = _ir_of(parameters)
        else:
            parameters = convert_search_space(space)
        names = {p["name"] for p in parameters}
        constraints = self.options.get("parameter_constraints") or []
        if not isinstance(constraints, (list, tuple)) or not all(isinstance(c, str) for c in constraints):
            raise SpecError("parameter_constraints must be a list of strings such as 'x1 + x2 <= 1'.",
                            path="search_alg.parameter_constraints")  # fmt: skip
        points = self.points()
        for i, point in enumerate(points):
            if not isinstance(point, dict) or set(point) != names:
                raise SpecError(
                    f"points_to_evaluate[{i}] must name every parameter ({', '.join(sorted(names))}), as Ax's "
                    "attach_trial requires.", path="search_alg.points_to_evaluate",
                )  # fmt: skip
        seed = self.ax_kwargs.get("random_seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise SpecError(f"random_seed must be an int, got {seed!r}.", path="search_alg.random_seed")
        sequential = self.ax_kwargs.get("enforce_sequential_optimization", True)
        spec = ClientSpec(
            parameters=parameters,
            objectives=tuple((str(n), bool(m)) for n, m in objectives),
            parameter_constraints=tuple(constraints),
            random_seed=seed,
            enforce_sequential_optimization=bool(sequential),
            points=tuple(points),
            space=space,
        )
        return spec, [("ax.search.ax", "")]

    # -- the reverse direction -------------------------------------------------------------------------------
    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Call | None:
        if sampler.get("name") != "ax.Client":
            return None
        kwargs = dict(sampler.get("kwargs") or {})
        objectives = settings.get("objectives") or []
        if len(objectives) > 1:
            metric = {"metric": [n for n, _ in objectives], "mode": ["min" if m else "max" for _, m in objectives]}
        given = {"parameter_constraints": kwargs.get("parameter_constraints") or None,
                 "points_to_evaluate": settings.get("points_to_evaluate") or None,
                 "random_seed": kwargs.get("random_seed"),
                 "enforce_sequential_optimization": kwargs.get("enforce_sequential_optimization", True)}  # fmt: skip
        kept = {k: v for k, v in given.items() if v != {**cls.defaults, **AX_CLIENT_DEFAULTS}.get(k)}
        return Call(cls.__name__, kwargs=tuple({**metric, **kept}.items()))


def _objectives(metric: Any, mode: Any) -> tuple[tuple[str, bool], ...] | None:
    """(name, minimize) per objective for a list of metrics and modes (multi-objective), else None."""
    if not isinstance(metric, (list, tuple)) and not isinstance(mode, (list, tuple)):
        return None
    metrics = list(metric) if isinstance(metric, (list, tuple)) else [metric]
    modes = list(mode) if isinstance(mode, (list, tuple)) else [mode]
    if len(metrics) != len(modes) or not metrics:
        raise SpecError(f"metric and mode lists must have the same length, got {metric!r} and {mode!r}.",
                        path="search_alg.metric")  # fmt: skip
    if any(m not in ("min", "max") for m in modes):
        raise SpecError(f"every mode must be 'min' or 'max', got {mode!r}.", path="search_alg.mode")
    if len(set(metrics)) != len(metrics):
        raise SpecError(f"the objectives name a metric twice: {metric!r}.", path="search_alg.metric")
    return tuple((str(n), m == "min") for n, m in zip(metrics, modes, strict=True))


# --- Ray's convert_search_space, over the IR ---------------------------------------------------------------


def _value_type(values: list[Any], path: str) -> str:
    kinds = {type(v) for v in values}
    if len(kinds) != 1 or next(iter(kinds)) not in AX_TYPES:
        got = ", ".join(sorted(t.__name__ for t in kinds))
        raise compat.refuse("ax.choice.type", f"Got {got}.", path=path)
    if len(set(values)) != len(values):
        raise compat.refuse("ax.choice.type", "Its values repeat.", path=path)
    return AX_TYPES[next(iter(kinds))]


def _range(path: str, node: d.Node) -> dict[str, Any]:
    if isinstance(node, (d.Uniform, d.LogUniform)):
        bounds = [float(node.low), float(node.high)]
        return {"name": path, "type": "range", "bounds": bounds, "value_type": "float", "log_scale": node.log}
    if isinstance(node, d.IntUniform) and node.step == 1:  # Ray's randint(low, high): [low, high - 1] here
        return {"name": path, "type": "range", "bounds": [node.low, node.high], "value_type": "int",
                "log_scale": False}  # fmt: skip
    if isinstance(node, d.LogInteger) and node.q == 1:  # Ray's lograndint(low, high): bounds [low, high - 1]
        return {"name": path, "type": "range", "bounds": [node.low, node.high - 1], "value_type": "int",
                "log_scale": True}  # fmt: skip
    raise compat.refuse("ax.space", f"Got {node.kind}.", path=path)


def _parameter(path: str, node: d.Node) -> dict[str, Any]:
    if isinstance(node, d.Constant):
        _value_type([node.value], path)
        return {"name": path, "type": "fixed", "value": node.value}
    if isinstance(node, d.Choice) and not node.is_conditional and node.is_uniform:
        values = [o.value for o in node.options]  # type: ignore[attr-defined]
        _value_type(values, path)
        return {"name": path, "type": "choice", "values": values}
    if isinstance(node, (d.Mapping, d.Sequence)):
        raise compat.refuse("ax.nested", path=path)
    return _range(path, node)


def convert_search_space(space: d.Node) -> tuple[dict[str, Any], ...]:
    """Ray's `AxSearch.convert_search_space` over the IR: constants first (`fixed`), then the domains (`range` /
    `choice`), as the dicts Ray passes to `AxClient.create_experiment`. What Ray's converter drops (quantization)
    or refuses, and what the W&B runs could not receive as Ray's trials do (nested names), is refused by path."""
    fields = d.root_fields(space)
    params = [_parameter(path, node) for path, node in fields]
    for p in params:
        if "/" in p["name"]:
            raise compat.refuse("ax.nested", "Ray would nest the name at '/'.", path=p["name"])
    return tuple(p for p in params if p["type"] == "fixed") + tuple(p for p in params if p["type"] != "fixed")


# --- a space given as Ax's own parameter list (Ray's AxSearch(space=[...])) -------------------------------


def _parameter_list(space: Any) -> list[Any]:
    if not isinstance(space, (list, tuple)) or not space:
        raise SpecError("AxSearch(space=...) must be a dict of Tune domains or a list of Ax parameter dicts.",
                        path="search_alg.space")  # fmt: skip
    return list(space)


def _checked(p: Any, i: int) -> dict[str, Any]:
    """One Ax parameter dict of AxSearch(space=[...]), checked: the keys the generated client carries."""
    where = f"search_alg.space[{i}]"
    if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not p["name"]:
        raise SpecError("an Ax parameter is a dict with a 'name'.", path=where)
    kind = p.get("type")
    allowed = {"range": RANGE_KEYS, "choice": CHOICE_KEYS, "fixed": FIXED_KEYS}.get(kind)
    if allowed is None:
        raise SpecError(f"an Ax parameter's type is 'range', 'choice' or 'fixed', got {kind!r}.", path=where)
    extra = sorted(set(p) - allowed)
    if extra:
        raise compat.refuse("ax.space", f"Got the Ax parameter keys {', '.join(extra)}.", path=p["name"])
    if "/" in p["name"]:
        raise compat.refuse("ax.nested", "Ray would nest the name at '/'.", path=p["name"])
    if kind == "range":
        bounds, value_type = p.get("bounds"), p.get("value_type")
        if not (isinstance(bounds, (list, tuple)) and len(bounds) == 2 and all(_number(b) for b in bounds)):
            raise SpecError("a range parameter's bounds are [low, high] numbers.", path=p["name"])
        if value_type is None:  # AxClient infers it from the bounds' type
            value_type = "int" if all(isinstance(b, int) for b in bounds) else "float"
        if value_type not in ("int", "float") or not bounds[0] < bounds[1]:
            raise SpecError(f"a range parameter needs low < high and value_type int or float, got {p!r}.",
                            path=p["name"])  # fmt: skip
        return {**p, "bounds": list(bounds), "value_type": value_type}
    if kind == "choice":
        values = p.get("values")
        if not isinstance(values, (list, tuple)) or len(values) < 2:
            raise SpecError("a choice parameter lists at least two values.", path=p["name"])
        _value_type(list(values), p["name"])
        return {**p, "values": list(values)}
    if "value" not in p:
        raise SpecError("a fixed parameter has a 'value'.", path=p["name"])
    _value_type([p["value"]], p["name"])
    return dict(p)


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _ir_of(parameters: tuple[dict[str, Any], ...]) -> d.Node:
    """The IR of an Ax parameter list: what a W&B run of it receives (for SPEC and the reverse direction)."""
    fields = []
    for p in parameters:
        if p["type"] == "fixed":
            node: d.Node = d.Constant(p["value"])
        elif p["type"] == "choice":
            node = d.Choice(tuple(d.Constant(v) for v in p["values"]))
        else:
            low, high = p["bounds"]
            if p["value_type"] == "int":
                node = (
                    d.LogInteger(int(low), int(high) + 1) if p.get("log_scale") else d.IntUniform(int(low), int(high))
                )
            else:
                node = (d.LogUniform if p.get("log_scale") else d.Uniform)(float(low), float(high))
        fields.append((p["name"], node))
    return d.Mapping(tuple(fields))


__all__ = ["AxSearch", "convert_search_space"]
