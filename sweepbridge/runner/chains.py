"""PBT trials as chains of runs: the runs of a Population Based Training sweep grouped by their `_pbt` lineage.

Each run of a PBT sweep carries `config["_pbt"]` (`trial`, `generation`, `donor`, `iteration`; see
docs/pbt-runs.md). A trial is the chain of its runs in generation order; what the runner shows and writes
(DIR/pbt_trials.json, the leaderboard's "PBT trials" table) and what `Tuner.fit()`'s ResultGrid returns
per trial come from here:

- `final`: the metric of the trial's last run (the run of its highest generation), as Ray ranks a trial by
  its last result; `best`: the best of its runs' final metrics (each run's value when it ended or was
  stopped to be continued);
- `final_config`: the last run's config without `_pbt`; `schedule`: the config of each generation and the
  training_iteration it starts after (the donor's, 0 for generation 0): Ray's PBT config schedule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..trial_command import PBT_KEY

CHECKPOINT_MARK = "_pbt_checkpoint"
"""Logged by the trial runtime (sweepbridge.runtime.pbt) in a PBT run's row when that iteration's checkpoint
was published: the generated scheduler names only such iterations as donors."""
HISTORY_KEYS = ("training_iteration", "time_total_s")
"""Besides the metric, what the runner keeps of a PBT run's rows for its scheduler (PBT's time attributes)."""
TRIALS_FILE = "pbt_trials.json"
"""In the results directory of a PBT sweep: one entry per trial (chain), rewritten after each run."""


@dataclass
class Generation:
    """One run of a trial."""

    generation: int
    run: str
    start_iteration: int
    """The training_iteration the run continues after (its donor's checkpoint; 0 at generation 0)."""
    donor: str | None
    config: dict[str, Any]
    state: str
    metric: float | None


@dataclass
class Chain:
    """One PBT trial: its runs in generation order."""

    trial: str
    runs: list[Generation] = field(default_factory=list)

    @property
    def last(self) -> Generation:
        return self.runs[-1]

    @property
    def final(self) -> float | None:
        return self.last.metric

    def best(self, goal: str) -> float | None:
        values = [g.metric for g in self.runs if g.metric is not None and g.state in ("finished", "killed")]
        if not values:
            return None
        return max(values) if goal == "maximize" else min(values)

    @property
    def final_config(self) -> dict[str, Any]:
        return self.last.config

    @property
    def generations(self) -> int:
        return len(self.runs)

    def schedule(self) -> list[tuple[int, dict[str, Any]]]:
        """(training_iteration the config starts after, config) per generation: Ray's PBT config schedule."""
        return [(g.start_iteration, g.config) for g in self.runs]

    def as_record(self, goal: str) -> dict[str, Any]:
        return {
            "trial": self.trial,
            "final": self.final,
            "best": self.best(goal),
            "generations": self.generations,
            "state": self.last.state,
            "final_config": self.final_config,
            "runs": [asdict(g) for g in self.runs],
        }


def pbt_population(sweep: Mapping[str, Any]) -> int | None:
    """The population size of a PBT sweep whose scheduler source sweepbridge generated: `SPEC["pbt"]["num_samples"]`
    (backends/pbt_source.py writes it; the one place the runner reads it). None for any other sweep or source."""
    pbt = _pbt_settings(sweep)
    size = pbt.get("num_samples") if isinstance(pbt, Mapping) else None
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        return None
    return size


def pbt_storage(sweep: Mapping[str, Any]) -> str | None:
    """The checkpoint storage root of a sweepbridge-generated PBT scheduler (`SPEC["pbt"]["storage"]`), else None."""
    pbt = _pbt_settings(sweep)
    storage = pbt.get("storage") if isinstance(pbt, Mapping) else None
    return storage if isinstance(storage, str) else None


def _pbt_settings(sweep: Mapping[str, Any]) -> Any:
    """`SPEC["pbt"]` of the sweep's generated scheduler source (None for any other sweep or source)."""
    scheduler = sweep.get("scheduler") if sweep.get("method") == "custom" else None
    source = scheduler.get("source") if isinstance(scheduler, Mapping) else None
    if not isinstance(source, str):
        return None
    from ..errors import SweepBridgeError
    from ..frontends.scheduler_source import read_spec

    try:
        with open(source, encoding="utf-8") as f:
            spec = read_spec(f.read())
    except (OSError, UnicodeDecodeError, SweepBridgeError):
        return None
    return spec.get("pbt")


def lineage(config: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The `_pbt` block of a run's config (None for a run of another sweep)."""
    block = config.get(PBT_KEY) if isinstance(config, Mapping) else None
    return block if isinstance(block, Mapping) and isinstance(block.get("trial"), str) else None


def without_lineage(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k != PBT_KEY}


def chains(records: Iterable[Any]) -> list[Chain]:
    """The PBT trials among `records` (results.jsonl records, or RunResults: id, config, state, metric), in
    the order of their trial names; [] when no record belongs to a PBT sweep."""
    found: dict[str, Chain] = {}
    for item in records:
        record = item if isinstance(item, Mapping) else vars(item)
        config = record.get("config") or {}
        block = lineage(config)
        if block is None:
            continue
        generation = block.get("generation") if isinstance(block.get("generation"), int) else 0
        iteration = block.get("iteration") if isinstance(block.get("iteration"), int) else 0
        donor = block.get("donor") if isinstance(block.get("donor"), str) else None
        metric = record.get("metric")
        chain = found.setdefault(block["trial"], Chain(block["trial"]))
        chain.runs.append(
            Generation(
                generation,
                str(record.get("id")),
                iteration,
                donor,
                without_lineage(config),
                str(record.get("state")),
                metric if isinstance(metric, (int, float)) else None,
            )  # fmt: skip
        )
    for chain in found.values():
        chain.runs.sort(key=lambda g: g.generation)  # stable: a generation run twice keeps its order of ending
    return [found[name] for name in sorted(found)]


def ranked(found: list[Chain], goal: str) -> list[Chain]:
    """Trials with a final metric, best first (Ray's `last` scope: each trial's last result)."""
    sign = -1.0 if goal == "maximize" else 1.0
    return sorted((c for c in found if c.final is not None), key=lambda c: sign * c.final)  # type: ignore[operator]


def trials_json(found: list[Chain], goal: str) -> str:
    import json
    import math

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): finite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [finite(v) for v in value]
        return value

    return json.dumps([finite(c.as_record(goal)) for c in found], indent=1, default=str) + "\n"
