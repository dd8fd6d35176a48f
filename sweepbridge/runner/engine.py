"""W&B's own scheduling code behind one ask / tell / prune interface.

Native sweeps (random, grid, bayes, hyperband) are driven by wandb's `WandbOptimizer`, its wrapper
around the `sweeps` engine (`sweeps.next_runs` / `sweeps.stop_runs`); `method: custom` sweeps by the
optimizer wandb's `make_optimizer` builds from the `scheduler` block (as `wandb sweep-scheduler`
does). Runs are told back as W&B's server reports them: state, summary metrics and the sampled
history of the metric with `_step`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SweepBridgeError
from ..values import python_value

WANDB_MIN = (0, 31)
"""The first wandb with the client-side scheduler classes (wandb/sdk/sweeps/scheduler) used here."""
WANDB_TESTED = "0.31"
INSTALL_HINT = "pip install 'sweepbridge[run]'"
INTERNALS = (
    ("wandb.sdk.sweeps.scheduler.optimizer", ("make_optimizer", "RunWithMetrics", "RunConfig")),
    ("wandb.sdk.sweeps.scheduler.wandb", ("WandbOptimizer",)),
    ("wandb.sdk.sweeps", ("SweepInfo", "RunState")),
    ("wandb.sdk.launch.sweeps.utils", ("create_sweep_command", "create_sweep_command_args")),
    ("wandb.sdk.lib.config_util", ("save_config_file_from_dict",)),
    ("wandb.sdk.lib.runid", ("generate_id",)),
)
"""wandb's internal modules the runner reuses; checked before anything runs."""


def plain(config: dict[str, Any]) -> dict[str, Any]:
    """A config as the agent receives it from W&B's server: JSON values (numpy scalars → Python)."""
    import json

    return json.loads(json.dumps(config, default=lambda o: _unless_same(python_value(o), o)))


def _numeric(value: Any) -> bool:
    """A metric value W&B's hyperband counts (sweeps' `filter_invalid`: a finite number, not a bool)."""
    from sweeps.run import is_number

    return bool(is_number(value))


def _unless_same(unwrapped: Any, value: Any) -> Any:
    """json.dumps' fallback: the unwrapped numpy scalar, else the value's text."""
    return unwrapped if unwrapped is not value else str(value)


class EngineError(SweepBridgeError):
    """W&B's engine is missing, too old, or refuses the sweep."""


def check_wandb() -> str:
    """The installed wandb version, after checking every internal the runner uses; else EngineError."""
    import importlib
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydantic's V2 config-key notice when `sweeps` loads
            import sweeps  # noqa: F401
            import wandb
    except ImportError as exc:
        raise EngineError(f"sweepbridge run needs wandb and W&B's engine `sweeps`: {INSTALL_HINT} ({exc})") from None
    version = str(getattr(wandb, "__version__", "0"))
    parts = tuple(int(p) if p.isdigit() else 0 for p in version.split(".")[:2])
    missing = []
    for module, names in INTERNALS:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            missing.append(module)
            continue
        missing += [f"{module}.{n}" for n in names if not hasattr(mod, n)]
    if parts < WANDB_MIN or missing:
        need = ", ".join(missing) or "the client-side scheduler classes"
        raise EngineError(
            f"sweepbridge run needs wandb >= {WANDB_MIN[0]}.{WANDB_MIN[1]} (tested with {WANDB_TESTED}); "
            f"the installed wandb {version} lacks {need}. Instead: pip install 'wandb>={WANDB_MIN[0]}.{WANDB_MIN[1]}'."
        )
    return version


@dataclass
class RunReport:
    """What W&B's server would report about one run: state, summary, sampled metric history."""

    config: dict[str, Any]
    state: str = "running"
    summary: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    wandb_run_id: str = ""


def resolve_source(config: Mapping[str, Any], base: Path | None) -> dict[str, Any]:
    """A copy of `config` whose `scheduler.source` exists: as given (relative to the working
    directory, as `wandb sweep-scheduler` reads it), else relative to the sweep file's directory."""
    config = copy.deepcopy(dict(config))
    scheduler = config.get("scheduler")
    if isinstance(scheduler, dict) and isinstance(scheduler.get("source"), str) and base is not None:
        source = Path(scheduler["source"])
        if not source.is_absolute() and not source.exists() and (base / source).exists():
            scheduler["source"] = str(base / source)
    return config


class Engine:
    """One sweep's W&B optimizer: `ask(n)`, `tell(id, report)`, `prune(reports)`."""

    def __init__(self, config: Mapping[str, Any], sweep_id: str, project: str = "", entity: str = "") -> None:
        check_wandb()
        import wandb
        from wandb.sdk.sweeps import SweepInfo
        from wandb.sdk.sweeps.scheduler.optimizer import make_optimizer
        from wandb.sdk.sweeps.scheduler.wandb import WandbOptimizer

        self.config = copy.deepcopy(dict(config))
        self._band_set: frozenset[int] | None = None
        info = SweepInfo(
            id=sweep_id,
            name=str(self.config.get("name") or sweep_id),
            entity=entity,
            project=project,
            config=self.config,
            controller_run_name="",
        )
        try:
            if self.config.get("method") == "custom":
                self.optimizer = make_optimizer(info)
            else:
                self.optimizer = WandbOptimizer(info)
        except (wandb.Error, ValueError, OSError, ImportError) as exc:
            raise EngineError(f"W&B's optimizer refuses this sweep: {exc}") from None

    @property
    def custom(self) -> bool:
        return self.config.get("method") == "custom"

    def reads_running_history(self, jobs: int) -> bool:
        """Whether the optimizer looks at a running run's metric history: early termination (hyperband),
        a custom optimizer (its pruner), or bayes imputing the metric of runs still running (only
        while another run runs, so with jobs > 1)."""
        if self.config.get("early_terminate") or self.custom:
            return True
        metric = self.config.get("metric") if isinstance(self.config.get("metric"), Mapping) else {}
        imputes = metric.get("impute_while_running") not in (None, "false")
        return jobs > 1 and self.config.get("method") == "bayes" and imputes

    def metric_names(self) -> list[str]:
        """The objective metric name(s) the engine reads from runs ([] without a metric)."""
        metrics = self.config.get("metrics")
        if isinstance(metrics, list):
            return [m["name"] for m in metrics if isinstance(m, Mapping) and "name" in m]
        metric = self.config.get("metric")
        return [metric["name"]] if isinstance(metric, Mapping) and "name" in metric else []

    def ask(self, n: int) -> list[tuple[str, dict[str, Any]]] | None:
        """Up to `n` new runs as (optimizer id, flat config); [] when exhausted; None = not now."""
        suggestions = self.optimizer.ask_n_runs(n)
        if suggestions is None:
            return None
        return [(str(s.run_id), plain(s.config.flat_dict())) for s in suggestions]

    def _message(self, report: RunReport) -> Any:
        from wandb.sdk.sweeps import RunState
        from wandb.sdk.sweeps.scheduler.optimizer import RunConfig, RunWithMetrics

        return RunWithMetrics(
            config=RunConfig.from_values(report.config),
            state=RunState(report.state),
            wandb_run_id=report.wandb_run_id,
            summary_metrics=dict(report.summary),
            history_metrics=list(report.history),
        )

    def tell(self, run_id: str, report: RunReport) -> None:
        self.optimizer.tell_run(run_id, self._message(report))

    def tell_existing(self, report: RunReport) -> None:
        """A run the sweep had before this engine existed (a resumed sweep's): told as W&B's scheduler
        tells the runs it finds at start (`tell_existing_finished_run`; `report.state` is terminal)."""
        self.optimizer.tell_existing_finished_run(self._message(report))

    def checkpoints(self, history: Sequence[Mapping[str, Any]], judged: int) -> list[int]:
        """The history lengths at which early termination judges a running run whose history grew from
        `judged` rows to `len(history)`: each band of W&B's hyperband the new rows reach (counted as its
        engine counts them: rows with a numeric metric), then the whole history. W&B's hyperband judges
        a run by the band it has reached, with the band's threshold taken over every run that reached it
        (this one included); rows arrive in batches (wandb-core's log reader reports about once a second),
        so a run judged only by its latest length could pass several bands unseen and set a band's
        threshold alone (never stopped). Judging it at each band reached makes a stop independent of when
        the rows were read. Without `early_terminate`: the whole history only."""
        bands = self._bands()
        rows: list[int] = []
        if bands and len(history) > judged:
            name = self.metric_names()[0]
            valid = sum(1 for row in history[:judged] if _numeric(row.get(name)))
            for k in range(judged, len(history) - 1):
                if _numeric(history[k].get(name)):
                    valid += 1
                    if valid in bands:
                        rows.append(k + 1)
        return [*rows, len(history)]

    def _bands(self) -> frozenset[int]:
        """The band lengths of the sweep's hyperband (empty without early_terminate), as W&B's engine
        computes them (read from its own report on a probe run)."""
        if self._band_set is None:
            bands: frozenset[int] = frozenset()
            if isinstance(self.config.get("early_terminate"), Mapping) and self.metric_names():
                from sweeps import RunState as SweepState
                from sweeps import SweepRun
                from sweeps.hyperband_stopping import hyperband_stop_runs

                probe = SweepRun(name="probe", state=SweepState.running, history=[])
                try:
                    hyperband_stop_runs([probe], self.config)
                    bands = frozenset(int(b) for b in (probe.early_terminate_info or {}).get("bands", ()))
                except (ValueError, KeyError, TypeError):  # the engine refuses it when pruning, too
                    pass
            self._band_set = bands
        return self._band_set

    def prune(self, reports: Mapping[str, RunReport]) -> list[str]:
        """Optimizer ids of the running runs W&B's early termination stops now."""
        ids: Sequence[str] = list(reports)
        if not ids:
            return []
        return [str(i) for i in self.optimizer.prune_runs(ids, [self._message(reports[i]) for i in ids])]

    def should_terminate(self) -> bool:
        return bool(self.optimizer.should_terminate_sweep())
