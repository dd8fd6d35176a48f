"""An Ax client spec → the `method: custom` sweep for W&B's sweep scheduler with its `ax` engine, and the Python
source its `scheduler.source` names.

W&B's `ax` engine (wandb >= 0.31, `wandb/sdk/sweeps/scheduler/ax.py`) calls `optimizer(sweep)` in the source and
wants an `ax.Client` back; it checks that the client's objectives match the sweep's `metric` / `metrics` (names,
directions, order) and then asks (`get_next_trials`) and tells (`complete_trial`, `mark_trial_failed`) it. The
generated client is configured as Ray's AxSearch configures its AxClient: Ray's parameter dicts, the parameter
constraints, the objective(s) (set by W&B's own `configure_sweep_objective` from the sweep's `metric` / `metrics`,
which keeps any metric name whole where Ax's expression parser would split `a-b-c`), and the AxClient's default
generation strategy (Ax's legacy dispatcher,
`choose_generation_strategy_legacy`, with the seed and `enforce_sequential_optimization`). Ray's
points_to_evaluate are attached first, as Ray's AxSearch attaches them (`attach_trial`).

The sweep config carries `parameters` too — W&B's validator requires them beside a scheduler without a
`search_space` — written so W&B's own default Ax client would build the same parameters from them. The source
embeds the IR and settings as JSON in `SPEC`, which `sweepbridge reverse` reads back without running the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from .. import distributions as d
from ..ir_data import to_data
from ..sweep_config import SweepConfig
from .optuna_source import HEADER, SPEC_FORMAT, _doc, literal

ENGINE = "ax"
SOURCE_NAME = "sweep_scheduler.py"
"""Default `scheduler.source` until `save` names it after the YAML file (`<stem>_scheduler.py`)."""
OPTIMIZER = "optimizer"
SAMPLER_NAME = "ax.Client"
"""SPEC's `sampler.name` for an Ax client (how the reverse direction tells it from an Optuna sampler)."""
REQUIREMENT = "ax-platform >= 1.0"
"""The Ax release that has `ax.Client` (the API W&B's engine drives); the generated file checks it at start."""


@dataclass(frozen=True)
class ClientSpec:
    """What `optimizer(sweep)` builds (plain data): Ray's Ax parameter dicts, objectives, constraints, seed."""

    parameters: tuple[dict[str, Any], ...]
    """As Ray's AxSearch passes them to AxClient.create_experiment (name, type, bounds / values / value, ...)."""
    objectives: tuple[tuple[str, bool], ...]
    """(metric name, minimize) per objective, in order; more than one is a multi-objective sweep."""
    parameter_constraints: tuple[str, ...] = ()
    random_seed: int | None = None
    enforce_sequential_optimization: bool = True
    points: tuple[dict[str, Any], ...] = ()
    """Ray's points_to_evaluate (flat parameter names): attached as the first trials."""
    space: d.Node = field(default_factory=d.Mapping)
    """The IR of the space (SPEC: what `sweepbridge reverse` rebuilds)."""
    origin: str = "AxSearch"
    settings: tuple[tuple[str, Any], ...] = ()
    """The source's run settings reverse restores (e.g. num_samples)."""

    def sweep_metrics(self) -> dict[str, Any]:
        """The sweep's `metric` (one objective) or `metrics` (several), in the client's order and directions."""
        metrics = [{"name": n, "goal": "minimize" if m else "maximize"} for n, m in self.objectives]
        return {"metric": metrics[0]} if len(metrics) == 1 else {"metrics": metrics}


def wandb_parameter(p: dict[str, Any]) -> dict[str, Any]:
    """W&B's spelling of one Ax parameter dict: the spec from which W&B's default Ax client
    (`sweep_parameter_to_parameter`) builds the same name, type, bounds and scale."""
    if p["type"] == "fixed":
        return {"value": p["value"]}
    if p["type"] == "choice":
        return {"values": list(p["values"])}
    low, high = p["bounds"]
    if p["value_type"] == "int":
        if p.get("log_scale"):
            return {"distribution": "q_log_uniform_values", "min": int(low), "max": int(high), "q": 1}
        return {"distribution": "int_uniform", "min": int(low), "max": int(high)}
    kind = "log_uniform_values" if p.get("log_scale") else "uniform"
    return {"distribution": kind, "min": float(low), "max": float(high)}


def ax_sweep(
    spec: ClientSpec,
    *,
    program: str | None = None,
    name: str | None = None,
    run_cap: int | None = None,
    **more: Any,
) -> SweepConfig:
    """The `method: custom` SweepConfig for engine ax, with its generated source attached (`scheduler_source`)."""
    cfg: dict[str, Any] = {
        "program": program,
        "name": name,
        "method": "custom",
        **spec.sweep_metrics(),
        "run_cap": run_cap,
        "parameters": {p["name"]: wandb_parameter(p) for p in spec.parameters},
        "scheduler": {"engine": ENGINE, "source": SOURCE_NAME, "optimizer": OPTIMIZER},
        **more,
    }
    sweep = SweepConfig({k: v for k, v in cfg.items() if v is not None})
    sweep.scheduler_source = source(spec)
    return sweep


def _spec_json(spec: ClientSpec) -> str:
    data = {
        "format": SPEC_FORMAT,
        "sweepbridge": __version__,
        "origin": spec.origin,
        "engine": ENGINE,
        "space": to_data(spec.space),
        "sampler": {
            "name": SAMPLER_NAME,
            "kwargs": {
                "parameter_constraints": list(spec.parameter_constraints),
                "random_seed": spec.random_seed,
                "enforce_sequential_optimization": spec.enforce_sequential_optimization,
            },
        },
        "pruner": {},
        "settings": {
            **dict(spec.settings),
            "objectives": [[n, m] for n, m in spec.objectives],
            **({"points_to_evaluate": list(spec.points)} if spec.points else {}),
        },
    }
    return json.dumps(data, indent=1, ensure_ascii=True, allow_nan=False)


_BODY = '''
def _parameter(p: dict[str, Any]) -> Any:
    """One of Ray's Ax parameter dicts as the Client's config; types and orderedness as AxClient infers them."""
    if p["type"] == "range":
        scaling = "log" if p.get("log_scale") else None
        bounds = tuple(p["bounds"])
        return RangeParameterConfig(p["name"], bounds, p["value_type"], scaling=scaling)
    values = [p["value"]] if p["type"] == "fixed" else list(p["values"])
    kind = type(values[0]).__name__  # bool, int, float or str: Ax's parameter_type names
    return ChoiceParameterConfig(p["name"], values, kind, is_ordered=p.get("is_ordered"))


class PointsFirstClient(ax.Client):
    """An `ax.Client` that first hands out Ray's points_to_evaluate, attached as Ray's AxSearch attaches them."""

    def __init__(self, points: list[dict[str, Any]], random_seed: int | None) -> None:
        super().__init__(random_seed=random_seed)
        self._points = [dict(p) for p in points]

    def get_next_trials(self, max_trials: int, fixed_parameters: Any = None) -> dict[int, Any]:
        trials = {}
        while self._points and len(trials) < max_trials:
            params = self._points.pop(0)
            trials[self.attach_trial(parameters=params)] = params
        if len(trials) == max_trials:
            return trials
        try:
            more = super().get_next_trials(max_trials=max_trials - len(trials), fixed_parameters=fixed_parameters)
        except (DataRequiredError, MaxParallelismReachedException, OptimizationComplete):
            if trials:  # the points now; the strategy's answer on the next ask
                return trials
            raise
        return {**trials, **more}


def optimizer(sweep: Any) -> ax.Client:
    """The Ax client W&B's scheduler asks, configured as Ray's AxSearch configures its AxClient."""
    client = PointsFirstClient(POINTS, random_seed=RANDOM_SEED)
    client.configure_experiment(
        parameters=[_parameter(p) for p in PARAMETERS],
        parameter_constraints=PARAMETER_CONSTRAINTS,
    )
    configure_sweep_objective(client, sweep.config)  # W&B's own: the sweep's metric(s), each name kept whole
    experiment = client._experiment  # the Client has no public accessor (W&B's AxOptimizer reads it too)
    client.set_generation_strategy(
        choose_generation_strategy_legacy(  # what Ray's AxClient chooses in create_experiment
            search_space=experiment.search_space,
            optimization_config=experiment.optimization_config,
            enforce_sequential_optimization=ENFORCE_SEQUENTIAL_OPTIMIZATION,
            random_seed=RANDOM_SEED,
            experiment=experiment,
        )
    )
    return client
'''


def source(spec: ClientSpec) -> str:
    """The generated Python file for `spec`."""
    head = (
        f"{HEADER} {__version__}; do not edit (regenerate it from its source).\n"
        f'"""Ax client for W&B\'s sweep scheduler (`wandb sweep-scheduler`, engine ax).\n\n'
        f"Source: {_doc(spec.origin, 100)}.\n"
        f"Needs {REQUIREMENT} and wandb >= 0.31 (pip install 'wandb[ax]>=0.31'), which runs it.\n\n"
        "`optimizer(sweep)` returns the `ax.Client` configured as Ray's AxSearch configures its AxClient: Ray's\n"
        "parameters, the parameter constraints, the objective(s), AxClient's generation strategy and seed.\n"
        "SPEC holds the space and settings as JSON: `sweepbridge reverse` reads it back without running this file.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "import json\n"
        "from typing import Any\n\n"
        "import ax\n\n"
        'if not hasattr(ax, "Client"):  # checked when the scheduler loads this file\n'
        f"    raise ImportError(\"this sweep needs {REQUIREMENT} (its ax.Client API): pip install 'wandb[ax]'\")\n\n"
        "from ax.api.configs import ChoiceParameterConfig, RangeParameterConfig  # noqa: E402\n"
        "from ax.exceptions.core import DataRequiredError, OptimizationComplete  # noqa: E402\n"
        "from ax.exceptions.generation_strategy import MaxParallelismReachedException  # noqa: E402\n"
        "from ax.generation_strategy.dispatch_utils import choose_generation_strategy_legacy  # noqa: E402\n"
        "from wandb.sdk.sweeps.scheduler.ax import configure_sweep_objective  # noqa: E402\n\n"
        f'SPEC = json.loads(\n    r"""\n{_spec_json(spec)}\n"""\n)\n'
    )
    constants = [
        f'PARAMETERS = {literal(list(spec.parameters))}\n"""Ray\'s AxSearch parameters, as Ray passes them to '
        'AxClient.create_experiment."""\n',
        f"PARAMETER_CONSTRAINTS = {literal(list(spec.parameter_constraints))}\n",
        f"RANDOM_SEED = {spec.random_seed!r}\n",
        f"ENFORCE_SEQUENTIAL_OPTIMIZATION = {spec.enforce_sequential_optimization!r}\n",
        f'POINTS = {literal(list(spec.points))}\n"""Ray\'s points_to_evaluate: the first trials."""\n',
    ]
    body = _BODY.lstrip("\n")
    parts = [head, *constants, body]
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)


__all__ = ["ClientSpec", "ax_sweep", "source", "wandb_parameter"]
