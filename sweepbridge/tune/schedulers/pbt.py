"""Home of Ray's PopulationBasedTraining (and its replay).

W&B's own engine: refused (row tune.scheduler.pbt). Optuna engine (W&B's sweep scheduler): a `method: custom`
sweep whose generated source runs Ray's PBT over W&B runs (backends/pbt_source.py; row optuna.scheduler.pbt;
docs/pbt.md). Refused there: a script program (no checkpoint protocol), a time_attr other than
training_iteration and time_total_s, a grid, a mutation that cannot travel (a lambda, sample_from), a search algorithm.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ... import compat
from ... import distributions as d
from ...assembly import sweep_from_ir
from ...backends import pbt_source
from ...backends.optuna_source import StudySpec
from ...errors import SpecError, SweepBridgeError
from ...ir_data import to_data
from ...objective import GOAL_OF_MODE
from ...sweep_config import SweepConfig
from ...trial_command import PBT_TIME_ATTRS as TIME_ATTRS
from ...values import plain
from ..plan import Contribution, Plan, signature_defaults
from .trial_scheduler import TIME_ATTR, Refused, TrialScheduler

DEFAULT_STORAGE = "~/sweepbridge_results"
WANDB_SCHEME = "wandb://"
"""A storage_path of W&B artifacts (runtime/pbt.py is_wandb_uri; the translator does not import the runtime)."""
"""Where a PBT sweep keeps its checkpoints when tune.run / RunConfig gives no storage_path (as Ray's
~/ray_results): `{storage_path or DEFAULT_STORAGE}/{name or "pbt"}/{sweep id}`."""


class PopulationBasedTraining(TrialScheduler):
    """Ray's PBT: refused by W&B's engine; under engine="optuna" a generated PBT scheduler."""

    names = ("pbt",)
    ray_module = "ray.tune.schedulers"
    beta_names = ("PopulationBasedTraining",)
    uses_storage = True
    """tune.run's storage_path is read (where the checkpoints handed from run to run live)."""

    def __init__(
        self,
        time_attr: str = "time_total_s",
        metric: str | None = None,
        mode: str | None = None,
        perturbation_interval: float = 60.0,
        burn_in_period: float = 0.0,
        hyperparam_mutations: dict | None = None,
        quantile_fraction: float = 0.25,
        resample_probability: float = 0.25,
        perturbation_factors: tuple[float, float] = (1.2, 0.8),
        custom_explore_fn: Callable | None = None,
        log_config: bool = True,
        require_attrs: bool = True,
        synch: bool = False,
        reward_attr: str | None = None,
    ) -> None:
        super().__init__(time_attr, metric, mode, reward_attr)
        self.hyperparam_mutations = hyperparam_mutations or {}
        if not isinstance(self.hyperparam_mutations, Mapping):
            raise SpecError("hyperparam_mutations must be a dict.", path="scheduler.hyperparam_mutations")
        if not self.hyperparam_mutations and custom_explore_fn is None:
            raise SpecError("PBT needs hyperparam_mutations or custom_explore_fn (Ray requires one).", path="scheduler")
        if not 0 <= _number(quantile_fraction, "quantile_fraction") <= 0.5:
            raise SpecError(
                f"quantile_fraction must be between 0 and 0.5, got {quantile_fraction!r}.", path="scheduler"
            )
        if not _number(perturbation_interval, "perturbation_interval") > 0:
            raise SpecError(f"perturbation_interval must be > 0, got {perturbation_interval!r}.", path="scheduler")
        _number(burn_in_period, "burn_in_period")
        if not 0 <= _number(resample_probability, "resample_probability") <= 1:
            raise SpecError(f"resample_probability must be in [0, 1], got {resample_probability!r}.", path="scheduler")
        factors = tuple(perturbation_factors) if isinstance(perturbation_factors, (list, tuple)) else None
        if not factors or any(_number(f, "perturbation_factors") is None for f in factors):
            raise SpecError(f"perturbation_factors must be a non-empty tuple of numbers, got {perturbation_factors!r}.",
                            path="scheduler")  # fmt: skip
        self.perturbation_interval, self.burn_in_period = perturbation_interval, burn_in_period
        self.quantile_fraction, self.resample_probability = quantile_fraction, resample_probability
        self.perturbation_factors, self.custom_explore_fn = factors, custom_explore_fn
        self.log_config, self.require_attrs, self.synch = log_config, require_attrs, synch

    @classmethod
    def from_ray(cls, obj: Any) -> TrialScheduler:
        return cls(
            obj._time_attr, obj._metric, obj._mode, obj._perturbation_interval, obj._burn_in_period,
            obj._hyperparam_mutations, obj._quantile_fraction, obj._resample_probability, obj._perturbation_factors,
            obj._custom_explore_fn, obj._log_config, obj._require_attrs, obj._synch,
        )  # fmt: skip

    def plan(self) -> Contribution:
        raise compat.refuse("tune.scheduler.pbt", path="scheduler")

    @classmethod
    def reverse(cls, pruner: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
        if pruner.get("name") == "PBTPruner":  # the generated PBT scheduler: not silently reversed to FIFO
            raise compat.refuse("reverse.tune.pbt", path="scheduler")
        return None

    # --- the generated PBT sweep ----------------------------------------------------------------

    def emit(self, plan: Plan) -> tuple[SweepConfig, list[tuple[str, str, str]]]:
        """The `method: custom` sweep running Ray's PBT over W&B runs, and what differs (notes)."""
        if plan.trial is None:
            raise compat.refuse("tune.scheduler.pbt.program", f"Got the program {plan.program!r}.",
                                path="run_or_experiment")  # fmt: skip
        if self.time_attr not in TIME_ATTRS:
            raise compat.refuse("tune.scheduler.pbt.time_attr", f"Got time_attr={self.time_attr!r}.",
                                path="scheduler.time_attr")  # fmt: skip
        if plan.metric is None:
            raise compat.refuse("optuna.metric", path="metric")
        if type(plan.searcher).__name__ != "BasicVariantGenerator" or plan.searcher.space not in (None, {}):
            raise SpecError(f"search algorithms cannot be used with PopulationBasedTraining (Ray refuses "
                            f"{type(plan.searcher).__name__} with it too); pass the space as config.",
                            path="search_alg")  # fmt: skip
        if plan.num_samples < 1:
            raise SpecError("PBT needs a population: num_samples >= 1 (not -1).", path="num_samples")
        space = _space(plan)
        empty = (isinstance(space, d.Mapping) and not space.fields) or (
            isinstance(space, d.Constant) and not space.value
        )
        fields = () if empty else d.root_fields(space)
        if not fields:  # Ray draws every mutated key from its mutation; the sweep's own check needs a parameter
            space = d.Mapping((("_pbt", d.Constant(None)),))
        settings = {**self.settings(plan), "num_samples": plan.num_samples, "metric": plan.metric, "mode": plan.mode}
        if self.time_attr != TIME_ATTR and settings["storage"].startswith(WANDB_SCHEME):
            raise SpecError(
                f"time_attr={self.time_attr!r} with checkpoints as W&B artifacts (storage_path "
                f"{plan.storage!r}): the scheduler reads each checkpoint's time from the checkpoint storage, which "
                "it cannot do over W&B artifacts; use time_attr='training_iteration', or a shared directory / "
                "pyarrow URI as storage_path.",
                path="scheduler.time_attr",
            )
        origin = f"tune.run(scheduler={type(self).__name__}, num_samples={plan.num_samples})"
        study = StudySpec(origin=origin)
        command = {"command": dataclasses.replace(plan.trial, metric=plan.metric).command()}
        cfg = sweep_from_ir(space, engine="optuna", study=study, metric=plan.metric, goal=GOAL_OF_MODE[plan.mode],
                            program=plan.program, name=plan.name, **plan.top, **command)  # type: ignore[index]  # fmt: skip
        cfg.scheduler_source = pbt_source.source(fields, settings, origin)
        unit = "training iterations" if self.time_attr == TIME_ATTR else "s of time_total_s"
        detail = (
            f"population {plan.num_samples}, perturbation every {self.perturbation_interval} {unit}"
            f"{', synchronous' if self.synch else ''}; checkpoints under {settings['storage']}/<sweep id>. Run at "
            f"most {plan.num_samples} runs at once (sweepbridge run --jobs, or agents): an ask beyond the population "
            "gets no run, which ends W&B's sweep scheduler's asking."
        )
        notes = [("optuna.scheduler.pbt", detail, "scheduler")]
        if self.time_attr != TIME_ATTR:
            notes.append(
                ("optuna.scheduler.pbt.time_total_s", f"Got time_attr={self.time_attr!r}.", "scheduler.time_attr")
            )
        return cfg, notes

    def settings(self, plan: Plan) -> dict[str, Any]:
        """The PBT settings the generated scheduler reads (plain data)."""
        stop = (plan.trial.stop or {}).get("criteria", {}) if plan.trial is not None else {}
        stop_iteration = stop.get(TIME_ATTR)
        explore = self.custom_explore_fn
        return {
            "time_attr": self.time_attr,
            "perturbation_interval": self.perturbation_interval,
            "burn_in_period": self.burn_in_period,
            "quantile_fraction": self.quantile_fraction,
            "resample_probability": self.resample_probability,
            "perturbation_factors": list(self.perturbation_factors),
            "synch": bool(self.synch),
            "log_config": bool(self.log_config),
            "mutations": mutation_data(self.hyperparam_mutations, "scheduler.hyperparam_mutations"),
            "custom_explore_fn": _ref(explore, "scheduler.custom_explore_fn") if explore is not None else None,
            "stop_iteration": stop_iteration,
            "storage": storage(plan.storage, plan.name),
        }


def storage(storage_path: Any, name: str | None) -> str:
    """The checkpoint root of a PBT sweep (the generated scheduler appends the sweep id). A `wandb://` root (W&B
    artifacts, docs/pbt-runs.md) passes through as it is: `wandb://ENTITY/PROJECT[/...]`, or `wandb://` alone
    (kept as `wandb:///<name>`: the sweep's own entity and project, filled in by the scheduler)."""
    if storage_path is not None and not isinstance(storage_path, str):
        storage_path = str(storage_path)  # a pathlib.Path
    if storage_path and storage_path.startswith(WANDB_SCHEME):
        parts = storage_path[len(WANDB_SCHEME) :].strip("/").split("/")
        if parts != [""] and (len(parts) < 2 or not all(parts[:2])):
            raise SpecError(
                f"a W&B artifact storage is wandb://ENTITY/PROJECT (artifacts in that project) or wandb:// (the "
                f"sweep's own entity and project), got {storage_path!r}.",
                path="storage_path",
            )
        if parts == [""]:
            return f"{WANDB_SCHEME}/{name or 'pbt'}"
    root = (storage_path or DEFAULT_STORAGE).rstrip("/")
    return f"{root}/{name or 'pbt'}"


def mutation_data(mutations: Mapping[str, Any], path: str) -> dict[str, Any]:
    """hyperparam_mutations as data for the generated explore (pbt_explore): dict / list / domain / function."""
    from ..space import TuneSpaceBuilder

    out: dict[str, Any] = {}
    for key, value in mutations.items():
        where = f"{path}.{key}"
        if isinstance(value, Mapping):
            out[key] = {"dict": mutation_data(value, where)}
        elif isinstance(value, (list, tuple)):
            try:
                out[key] = {"list": [plain(v) for v in value]}
            except SweepBridgeError as exc:
                raise exc.at(where) from None
        elif isinstance(value, d.Node) or _is_domain(value):
            node = TuneSpaceBuilder().node(value, where)
            if isinstance(node, d.Unsupported):
                raise compat.refuse("tune.scheduler.pbt.mutation", "tune.sample_from is refused by Ray's PBT too.",
                                    path=where)  # fmt: skip
            if isinstance(node, (d.GridAxis, d.Beta, d.QBeta, d.InvLogUniform)) or any(
                isinstance(n, (d.GridAxis, d.Unsupported)) for _, n in d.walk(node)
            ):
                raise compat.refuse("tune.scheduler.pbt.mutation", f"Got {node.kind}.", path=where)
            out[key] = {"domain": to_data(node)}
        elif callable(value):
            out[key] = {"function": _ref(value, where)}
        else:
            raise SpecError(f"a mutation is a list, a dict, a tune domain or a function, got {type(value).__name__}.",
                            path=where)  # fmt: skip
    return out


def _is_domain(value: Any) -> bool:
    return type(value).__module__.startswith("ray.") and hasattr(value, "sample") and hasattr(value, "sampler")


def _ref(func: Any, where: str) -> str:
    from ..command import reference

    try:
        program, name = reference(func, f"the function {where}")
    except SweepBridgeError as exc:
        raise compat.refuse("tune.scheduler.pbt.mutation", exc.message, path=where) from None
    return f"{program}:{name}"


def _space(plan: Plan) -> d.Node:
    """The IR of the initial config (Ray's PBT allows none: every mutated key is drawn from its mutation)."""
    from ..space import TuneSpaceBuilder, kinds

    config = plan.config if plan.config not in (None, {}) else {}
    if not isinstance(config, Mapping):
        raise SpecError(f"config must be a dict of parameters, got {type(config).__name__}.", path="config")
    space = TuneSpaceBuilder(plan.allow_approximate).node(config)
    grid, _ = kinds(space)
    if grid is not None:
        raise compat.refuse("tune.scheduler.pbt.grid", path=grid)
    return space


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{what} must be a number, got {value!r}.", path=f"scheduler.{what}")
    return value


PopulationBasedTraining.defaults = signature_defaults(PopulationBasedTraining.__init__, ("self",))


class PopulationBasedTrainingReplay(Refused):
    row = "tune.scheduler.pbt_replay"
    names = ("pbt_replay",)
    ray_module = "ray.tune.schedulers"
