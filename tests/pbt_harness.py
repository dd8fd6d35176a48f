"""Shared by the PBT tests: translate a PBT experiment, load its generated scheduler, drive it through wandb's
make_optimizer with synthetic run histories (no runs, no network)."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from typing import Any

from sweepbridge import tune

TRAINABLE = "tests/runtime_trainables.py:train_with_checkpoints"
"""A trainable by name (the translation only needs a trainable reference; no trial runs here)."""


def sweep(scheduler: Any, *, config: Any = None, num_samples: int = 4, **kwargs: Any) -> Any:
    """The PBT SweepConfig of tune.run(TRAINABLE, scheduler=..., engine="optuna")."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tune.run(TRAINABLE, config=config or {}, scheduler=scheduler, num_samples=num_samples,
                        engine="optuna", **kwargs)  # fmt: skip


def load(cfg: Any, folder: Path, name: str = "pbt_sched") -> tuple[Any, Path]:
    """(the generated module, its path): the scheduler source written to `folder` and imported."""
    path = folder / f"{name}.py"
    path.write_text(cfg.scheduler_source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module, path


class Driver:
    """W&B's optimizer for a generated PBT source (wandb's make_optimizer), fed synthetic histories."""

    def __init__(self, cfg: Any, source: Path, sweep_id: str = "sweep1") -> None:
        from wandb.sdk.sweeps import SweepInfo
        from wandb.sdk.sweeps.scheduler.optimizer import make_optimizer

        config = {**dict(cfg), "scheduler": {**dict(cfg)["scheduler"], "source": str(source)}}
        info = SweepInfo(id=sweep_id, name="pbt", entity="", project="", config=config, controller_run_name="")
        self.optimizer = make_optimizer(info)
        self.metric = config["metric"]["name"]
        self.runs: dict[str, dict[str, Any]] = {}  # optimizer id → {"config", "history", "state"}

    @property
    def population(self) -> Any:
        return self.optimizer.study.sampler.population

    def ask(self, n: int) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for s in self.optimizer.ask_n_runs(n):
            config = s.config.flat_dict()
            self.runs[s.run_id] = {"config": config, "history": [], "state": "running"}
            out.append((s.run_id, config))
        return out

    def report(self, run_id: str, step: int, value: float) -> None:
        self.runs[run_id]["history"].append({"_step": step, self.metric: value})

    def finish(self, run_id: str) -> None:
        self.runs[run_id]["state"] = "finished"

    def _message(self, run: dict[str, Any]) -> Any:
        from wandb.sdk.sweeps import RunState
        from wandb.sdk.sweeps.scheduler.optimizer import RunConfig, RunWithMetrics

        last = run["history"][-1] if run["history"] else {}
        return RunWithMetrics(
            config=RunConfig.from_values(run["config"]), state=RunState(run["state"]), wandb_run_id="",
            summary_metrics={k: v for k, v in last.items() if not k.startswith("_")},
            history_metrics=list(run["history"]),
        )  # fmt: skip

    def poll(self) -> list[str]:
        """One poll as W&B's scheduler makes it: tell every live run, then prune; returns the pruned ids."""
        live = [i for i, r in self.runs.items() if r["state"] in ("running", "finished") and not r.get("told_end")]
        for i in live:
            self.optimizer.tell_run(i, self._message(self.runs[i]))
            if self.runs[i]["state"] != "running":
                self.runs[i]["told_end"] = True
        running = [i for i in live if self.runs[i]["state"] == "running"]
        pruned = list(self.optimizer.prune_runs(running, [self._message(self.runs[i]) for i in running]))
        for i in pruned:
            self.runs[i]["state"] = "pruned"
        return pruned


def checkpoint(storage: Path, run: str, iteration: int, time_total_s: float | None = None) -> Path:
    """A checkpoint as the trial runtime keeps it in a PBT sweep's storage (the contract's layout)."""
    import json

    folder = storage / run / f"checkpoint_{iteration:06d}"
    folder.mkdir(parents=True, exist_ok=True)
    marker = {"training_iteration": iteration, **({} if time_total_s is None else {"time_total_s": time_total_s})}
    (folder / ".sweepbridge_checkpoint.json").write_text(json.dumps(marker))
    return folder
