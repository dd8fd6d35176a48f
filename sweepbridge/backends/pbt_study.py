"""Ray's PopulationBasedTraining as an Optuna sampler + pruner for W&B's sweep scheduler (text carried into the
generated PBT source, below the marker line; it needs optuna and the standard library, plus `explore` /
`fill` from pbt_explore, which the generated file carries too).

W&B's scheduler (wandb.sdk.sweeps.scheduler.optuna.OptunaImperativeOptimizer) drives the study: every ask runs
`search_space(trial)`, whose returned dict is the new run's config; every poll reports each running run's
metric at its `_step` (the trial runtime logs one row per report at step = training_iteration) with
`trial.report`, then asks the pruner of every running run. So the scheduler sees, per run, the sweep metric
by training_iteration, and nothing else.

- Time: `training_iteration` is each result's `_step` (every result is judged). With `time_attr="time_total_s"`,
  a result is judged at the iterations that kept a checkpoint, its time read from the checkpoint's marker in
  the storage (the runtime records `time_total_s` there), and results are replayed in time order.
- A PBT trial ("pbt_%05d", 0..num_samples-1) is a chain of runs. Its state is Ray's `_PBTTrialState`:
  last_score, last_checkpoint, last_perturbation_time, last_train_time.
- `Population.update(study)` replays the new results of all running runs in time order (step, then trial
  index) through Ray's `on_trial_result` (synch=False) or its synchronous branch (synch=True). A result at
  the stop iteration is not shown (Ray gives a stopping result to no scheduler).
- Exploit: a bottom-quantile trial gets a top-quantile donor (random.choice as Ray), its config explored
  from the donor's; its running run is pruned; its next run (handed out by a later ask) carries `_pbt` with
  donor = the donor's run and iteration = the donor's latest checkpoint at or before its last_train_time
  (found in the checkpoint storage `{storage}/{trial}/{generation:04d}/checkpoint_{iteration:06d}/`).
- Waves: with fewer slots than trials, a trial reaching a perturbation point while another waits is paused
  (pruned; its next run continues from its own checkpoint), and asks pick the waiting trial with the least
  last_train_time (Ray's choose_trial_to_run). A run is paused only when a waiting trial can take its slot.
- Holds: a run waits at each iteration PBT will judge (`hold` in its `_pbt` block) until the scheduler has
  judged it, so it never trains past a perturbation point it may be stopped at (Ray's trial is not running
  while its scheduler decides). The decision is a small JSON file beside the run's checkpoints,
  `{storage}/{trial}/{generation:04d}/decision_{iteration:06d}.json`: `{"action": "continue", "hold": next}`
  or `{"action": "stop", "why": "exploit" | "pause"}`; `release.json` there lets the run train on without
  further holds (the population closed). No holds with a `wandb://` storage.
- W&B's scheduler ends the sweep when an ask gets no run; the sampler's `is_exhausted` says so only when no
  trial waits for a run. When that happens while runs are still going (a trial finished early), the
  population is closed: later results are not exploited (no later run could be started), said in `LOG`.
- Restarts: every judged result and every stop writes the trial's state whole to `continuation.json` beside its
  run's checkpoints (its config, the checkpoint its next run restores, Ray's per-trial state). A restarted
  scheduler (W&B's, or `sweepbridge run --resume`) is told every earlier run (`search_space` with the run's
  fixed params, then its history and state): `Population.adopt` keeps them and the next look rebuilds each
  trial from its latest run — at the stop iteration (without one: finished): done; stopped by PBT: queued with
  its persisted continuation; else interrupted (failed, crashed, killed, or ended short of the stop iteration:
  a SIGTERM'd run exits 0): its results not judged yet are judged, then it is queued to continue from its own
  latest published checkpoint at or before its last told result (else from where that run started); still
  running: judged on from its persisted state — and the population goes on.
"""

# --- carried into the generated scheduler from here on ---
import json
import logging
import math
import os
import random
import re

import optuna

from .pb2_explore import PB2Explorer
from .pbt_explore import explore, fill

CHECKPOINT_NAME = re.compile(r"^checkpoint_(\d+)$")
WANDB_SCHEME = "wandb://"
ARTIFACT_TYPE = "pbt-checkpoint"
WANDB_API = []  # the wandb.Api() listing a wandb:// storage, made on first use
LOGGER = logging.getLogger("optuna.pbt")
"""PBT's decisions, said as Ray says them (W&B's scheduler shows optuna's log records)."""


def run_key(name: str, generation: int) -> str:
    return f"{name}/{generation:04d}"


class PBTTrial:
    """One PBT trial: Ray's per-trial state plus the run it is on."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = f"pbt_{index:05d}"
        self.config = None
        self.generation = -1  # of its current / last run
        self.run = None  # the optuna trial number of its running run
        self.status = "new"  # new | running | queued | done
        self.restore = None  # (donor run, iteration) its next run continues from
        self.source = None  # (donor run, iteration) its current run continued from
        self.seen = 0  # last step of its current run already replayed
        self.waiting = False  # synch: at the sync point, waiting for the others
        self.hold = None  # the time (time_attr units) from which its running run holds for a decision
        self.held_at = None  # the iteration its run holds at now, awaiting a decision
        self.last_step = 0  # the iteration of its last judged result (its checkpoint's)
        self.last_score = None
        self.last_checkpoint = None
        self.last_perturbation_time = 0
        self.last_train_time = 0
        self.why = None  # why its last run was stopped (exploit | pause | interrupted), for its continuation file
        self.ended = False  # its run was interrupted (rebuilt on a restart): queued once its results are judged
        self.records = []  # PB2: its perturbation-point results [time, config, score], for a restart

    @property
    def live(self) -> bool:
        return self.status != "done"


class Population:
    """The population of one PBT sweep (see the module docstring)."""

    def __init__(self, settings: dict, mutations: dict, sample, custom_explore=None, seed=None) -> None:
        self.settings = settings
        self.mutations = mutations
        self.sample = sample  # trial -> a fresh config of the space
        self.custom_explore = custom_explore
        self.rng = random.Random(seed)
        self.sign = 1.0 if settings["mode"] == "max" else -1.0
        self.trials = [PBTTrial(i) for i in range(settings["num_samples"])]
        self.by_run = {}
        self.queue = []  # trials waiting for a run, in the order they started waiting
        self.open_slots = 0  # runs pruned whose slot no waiting trial took yet
        self.to_prune = set()
        self.next_sync = max(settings["perturbation_interval"], settings["burn_in_period"])
        self.closed = False
        self.storage = settings["storage"]
        self.times = {}  # (run key, iteration) -> time_attr value of its checkpoint (timed)
        self.log = []  # what was decided: dicts with "event" (exploit | skip | pause | close)
        self.explorer = PB2Explorer(settings["bounds"]) if settings.get("explorer") == "pb2" else None
        self.adopted = []  # runs a restarted scheduler adopted, not yet rebuilt: (optuna trial number, _pbt, config)

    # --- asks ---------------------------------------------------------------------------------

    def candidates(self) -> list:
        """Trials that may start a run now, in Ray's choose_trial_to_run order (least last_train_time)."""
        out = [t for t in self.trials if t.status in ("new", "queued")]
        if self.settings["synch"]:
            out = [t for t in out if t.last_train_time < self.next_sync]
        return sorted(out, key=lambda t: t.last_train_time)

    def say(self, entry: dict) -> None:
        """Keep a decision in `log` and say it (INFO on the optuna.pbt logger)."""
        self.log.append(entry)
        event = entry["event"]
        if event == "exploit":
            run, iteration = entry["checkpoint"]
            LOGGER.info(f"[PBT] [Exploit] {entry['trial']} (at {entry['at']}) continues from {entry['donor']}'s "
                        f"checkpoint {run} @ {iteration} with {json.dumps(entry['config'], default=str)}")  # fmt: skip
        elif event == "pause":
            if not any(e["event"] == "pause" for e in self.log[:-1]):
                LOGGER.info(f"[PBT] {len(self.trials)} trials on fewer parallel runs: running in waves (a paused "
                            "trial continues from its own checkpoint in a new run)")  # fmt: skip
            LOGGER.info(f"[PBT] [Pause] {entry['trial']} at {entry['at']}, to continue from {entry['checkpoint'][0]}")
        elif event == "rebuild":
            said = "; ".join(f"{name}: {what}" for name, what in entry["trials"].items())
            LOGGER.info(f"[PBT] the scheduler restarted over {entry['runs']} earlier runs; population rebuilt: {said}")
        elif event == "close":
            LOGGER.info(f"[PBT] no trial waits for a run while {', '.join(entry['running'])} still run: W&B's "
                        "scheduler ends its asks, so their later results are not exploited")  # fmt: skip
        else:
            LOGGER.info(f"[PBT] {event}: {json.dumps(entry, default=str)}")

    def exhausted(self, study) -> bool:
        """No trial can take a run now (W&B's scheduler then ends the sweep: close the population)."""
        self.update(study)
        waiting = [t for t in self.trials if t.status in ("new", "queued")]
        if waiting:
            return False
        if not self.closed and any(t.live for t in self.trials):
            self.closed = True
            self.say({"event": "close", "running": [t.name for t in self.trials if t.live]})
            for t in self.trials:  # no later exploit: the held runs train on
                if t.status == "running":
                    t.hold = t.held_at = None
                    self.release(t.name, t.generation)
        return True

    def adopt(self, params: dict, number=None) -> None:
        """A run W&B's scheduler adopts on a restart (its config as it was; `number`: its optuna trial). Kept
        until the next look (`rebuild`), when the study holds the run's history and state."""
        meta = params.get("_pbt") if isinstance(params.get("_pbt"), dict) else {}
        index = self.index_of(meta.get("trial"))
        if index is not None and isinstance(meta.get("generation"), int) and meta["generation"] >= 0:
            config = {k: v for k, v in params.items() if k != "_pbt"}
            self.adopted.append((number, meta, config))

    def index_of(self, name):
        """The index of trial `name` ("pbt_00003"), or None when it is none of this population's."""
        found = [t.index for t in self.trials if t.name == name]
        return found[0] if found else None

    def rebuild(self, study) -> None:
        """Rebuild the trials of the adopted runs (see the module docstring): each from its latest run."""
        adopted, self.adopted = self.adopted, []
        frozen = {ft.number: ft for ft in study.get_trials(deepcopy=False)}
        latest = {}
        for number, meta, config in adopted:
            t = self.trials[self.index_of(meta["trial"])]
            if meta["generation"] >= t.generation and meta["generation"] >= latest.get(t.index, (-1,))[0]:
                latest[t.index] = (meta["generation"], number, meta, config)
        said = {}
        for index, (generation, number, meta, config) in sorted(latest.items()):
            t = self.trials[index]
            if t in self.queue:
                self.queue.remove(t)
            key = run_key(t.name, generation)
            mine = self.read(f"{key}/continuation.json")
            before = self.read(f"{run_key(t.name, generation - 1)}/continuation.json") if generation else None
            state = mine if isinstance(mine, dict) else before if isinstance(before, dict) else {}
            t.generation, t.config, t.run, t.waiting, t.hold, t.held_at = generation, config, None, False, None, None
            started = meta.get("donor") and meta.get("iteration") is not None
            source = (meta["donor"], meta["iteration"]) if started else None
            t.source, t.restore = source, None
            t.last_score = state.get("last_score")
            for field in ("last_train_time", "last_perturbation_time", "last_step"):
                setattr(t, field, state.get(field) or 0)
            t.last_checkpoint = tuple(state["last_checkpoint"]) if state.get("last_checkpoint") else None
            t.records = list(state.get("records") or [])
            if isinstance(state.get("next_sync"), (int, float)):
                self.next_sync = max(self.next_sync, state["next_sync"])
            ft = frozen.get(number)
            steps = list(ft.intermediate_values) if ft is not None else []
            stop = self.settings.get("stop_iteration")
            if ft is not None and ft.state in (optuna.trial.TrialState.RUNNING, optuna.trial.TrialState.WAITING):
                t.status, t.run = "running", number  # still running (W&B's scheduler adopted it live): judged on
                t.seen = max(t.last_step, source[1] if source else 0)
                t.hold = self.next_hold(t, t.seen)
                t.waiting = bool(self.settings["synch"]) and t.last_train_time >= self.next_sync
                self.by_run[number] = t
                said[t.name] = f"runs on ({key})"
                continue
            if isinstance(mine, dict) and mine.get("stopped"):  # stopped by PBT: its persisted continuation
                t.config, t.why = mine.get("config", config), mine.get("why")
                t.restore = tuple(mine["restore"]) if mine.get("restore") else source
            elif ft is not None and (
                (stop is not None and steps and max(steps) >= stop)
                or (stop is None and ft.state == optuna.trial.TrialState.COMPLETE)
            ):  # at the stop iteration; a run ended short of it was stopped (SIGTERM ends a run with exit status 0)
                t.status = "done"
                said[t.name] = f"done ({key})"
                continue
            else:  # interrupted: its results not judged yet are judged first (update), then it is queued (requeue)
                t.status, t.run, t.ended = "running", number, True
                t.seen = max(t.last_step, source[1] if source else 0)
                self.by_run[number] = t
                said[t.name] = f"interrupted ({key}): continues from its latest checkpoint"
                continue
            t.status = "queued"
            self.queue.append(t)
            where = f"{t.restore[0]} @ {t.restore[1]}" if t.restore else "the start (no checkpoint)"
            said[t.name] = f"continues from {where} ({'stopped: ' + str(t.why) if t.why else 'interrupted'})"
        if self.explorer is not None:
            rows = sorted(((r[0], t.index, r[1], r[2]) for t in self.trials for r in t.records), key=lambda r: r[:2])
            for time, index, config, score in rows:
                self.explorer.record(self.trials[index].name, time, config, score)
        self.open_slots = 0
        self.say({"event": "rebuild", "runs": len(adopted), "trials": said})

    def persist(self, t: PBTTrial, stopped: bool = False) -> None:
        """What the trial's next run needs if its current (or last) run ends now — its config, the checkpoint
        it restores (None: its own latest), Ray's per-trial state — written whole beside that run's checkpoints
        (`continuation.json`), so a restarted scheduler rebuilds the trial. None with a wandb:// storage."""
        if t.generation < 0 or self.storage.startswith(WANDB_SCHEME):
            return
        self.write(f"{run_key(t.name, t.generation)}/continuation.json", {
            "trial": t.name, "generation": t.generation, "stopped": stopped or t.status == "queued",
            "why": t.why if stopped or t.status == "queued" else None, "config": t.config,
            "restore": list(t.restore) if t.restore else None, "last_score": t.last_score,
            "last_train_time": t.last_train_time, "last_perturbation_time": t.last_perturbation_time,
            "last_step": t.last_step, "last_checkpoint": list(t.last_checkpoint) if t.last_checkpoint else None,
            "next_sync": self.next_sync, "records": t.records,
        })  # fmt: skip

    def next_run(self, trial) -> dict:
        """The config of the next run (Ray's choose_trial_to_run): a waiting trial's continuation or a new trial."""
        self.update(trial.study)
        chosen = self.candidates() or [t for t in self.trials if t.status in ("new", "queued")]
        if not chosen:
            raise RuntimeError("PBT: no trial is waiting for a run (the sampler said the sweep is exhausted)")
        t = chosen[0]
        if t.status == "new":
            t.config = fill(self.sample(trial), self.mutations, self.rng)
        else:
            self.queue.remove(t)
        t.generation += 1
        t.run, t.status, t.source, t.ended = trial.number, "running", t.restore, False
        # synch: a trial started before the sync it waits for (no other took the slot) keeps waiting for it
        t.waiting = bool(self.settings["synch"]) and t.last_train_time >= self.next_sync
        t.seen = t.restore[1] if t.restore else 0
        t.restore = None
        t.hold, t.held_at = self.next_hold(t, t.seen), None
        self.open_slots = max(self.open_slots - 1, 0)
        self.by_run[trial.number] = t
        meta = {
            "trial": t.name,
            "generation": t.generation,
            "parent": run_key(t.name, t.generation - 1) if t.generation else None,
            "donor": t.source[0] if t.source else None,
            "iteration": t.source[1] if t.source else None,
            "storage": self.storage,
            "hold": t.hold,
            **({"time_attr": self.settings["time_attr"]} if self.timed else {}),
        }
        trial.set_user_attr("_pbt", meta)
        return {**t.config, "_pbt": meta}

    # --- results ------------------------------------------------------------------------------

    def update(self, study) -> None:
        """Replay every running run's new results, in time order, through Ray's PBT."""
        if self.adopted:
            self.rebuild(study)
        frozen = {ft.number: ft for ft in study.get_trials(deepcopy=False)}
        stop = self.settings.get("stop_iteration")
        while True:
            nxt = None
            for t in self.trials:
                ft = frozen.get(t.run) if t.status == "running" else None
                if ft is None or t.waiting:
                    continue
                steps = sorted(s for s in ft.intermediate_values if s > t.seen and (stop is None or s < stop))
                for step in steps:  # its next result (timed: the next iteration with a checkpoint)
                    time = self.time_of(t, step)
                    if time is not None:
                        if nxt is None or (time, t.index) < (nxt[0], nxt[2].index):
                            nxt = (time, step, t, ft.intermediate_values[step])
                        break
            if nxt is None:
                break
            time, step, t, value = nxt
            t.seen = step
            if t.hold is not None and time >= t.hold:
                t.held_at = step
            if not self.closed:
                self.on_result(t, time, value, step)
        for t in self.trials:
            ft = frozen.get(t.run) if t.status == "running" else None
            if ft is not None and t.ended:
                self.requeue(t)
                continue
            if (
                ft is None
                or t.waiting
                or ft.state in (optuna.trial.TrialState.RUNNING, optuna.trial.TrialState.WAITING)
            ):
                continue
            if ft.state != optuna.trial.TrialState.PRUNED:  # finished or failed: the trial is done
                t.status, t.run = "done", None
        waiting = [t for t in self.trials if t.waiting and t.status == "running"]
        if waiting and not self.closed and not any(t.live and t.last_train_time < self.next_sync for t in self.trials):
            # the trials the others waited for finished before the sync point: sync the live ones now (Ray syncs
            # among live trials; its paused trials would otherwise wait for a result that never comes)
            self.say({"event": "sync", "at": max(t.last_train_time for t in waiting), "after": "finished trials"})
            self.sync(max(t.last_train_time for t in waiting))
        for t in self.trials:  # a held run whose result PBT judged (and did not stop) goes on
            if t.status == "running" and not t.waiting and t.held_at is not None:
                held, t.held_at, t.hold = t.held_at, None, self.next_hold(t, t.seen)
                self.decide(t, held, {"action": "continue", "hold": t.hold})

    @property
    def timed(self) -> bool:
        """time_attr is a time (time_total_s), not the iteration."""
        return self.settings.get("time_attr", "training_iteration") != "training_iteration"

    def time_of(self, t: PBTTrial, step: int):
        """The time_attr value of the trial's result at iteration `step`; None when it is not judged (timed: no
        checkpoint, or no time in its marker)."""
        if not self.timed:
            return step
        key = (run_key(t.name, t.generation), step)
        if key not in self.times:
            marker = self.read(f"{key[0]}/checkpoint_{step:06d}/.sweepbridge_checkpoint.json")
            value = (marker or {}).get(self.settings["time_attr"])
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return None  # not (yet) published: looked up again at the next replay
            self.times[key] = value
        return self.times[key]

    def on_result(self, t: PBTTrial, time, value: float, step: int) -> None:
        """Ray's PopulationBasedTraining.on_trial_result for result `value` at `time` (time_attr units), the
        result of iteration `step`."""
        s = self.settings
        if time < s["burn_in_period"] or time - t.last_perturbation_time < s["perturbation_interval"]:
            return
        t.last_score, t.last_train_time, t.last_step = self.sign * value, time, step
        if self.explorer is not None:  # PB2 keeps every perturbation-point result for its GP
            self.explorer.record(t.name, time, t.config, t.last_score)
            t.records.append([time, t.config, t.last_score])
        if not s["synch"]:
            t.last_perturbation_time = time
            lower, upper = self.quantiles()
            self.checkpoint_or_exploit(t, upper, lower)
            if t.status == "running" and self.waiting_for_slot():
                self.pause(t, step)
            if t.status == "running":
                self.persist(t)
            return
        if any(o.live and o is not t and o.last_train_time < self.next_sync for o in self.trials):
            t.waiting = t.last_train_time >= self.next_sync
            if t.waiting and self.waiting_for_slot():
                self.pause(t, step)
            if t.status == "running":
                self.persist(t)
            return
        self.sync(time)

    def sync(self, time) -> None:
        """Ray's synchronous perturbation at `time`: every trial checkpointed or exploited, top quantile first."""
        s = self.settings
        lower, upper = self.quantiles()
        middle = [o for o in self.trials if o not in lower and o not in upper]
        for o in upper + middle + lower:
            o.last_perturbation_time = time
            self.checkpoint_or_exploit(o, upper, lower)
        self.next_sync = max(self.next_sync + s["perturbation_interval"], max(o.last_train_time for o in self.trials))
        for o in self.trials:
            o.waiting = o.status == "running" and o.last_train_time >= self.next_sync
            if o.status in ("running", "queued"):
                self.persist(o)

    def quantiles(self) -> tuple:
        """Ray's _quantiles: (lower, upper) among live trials with a score."""
        scored = [t for t in self.trials if t.last_score is not None and not math.isnan(t.last_score) and t.live]
        scored.sort(key=lambda t: t.last_score)
        if len(scored) <= 1:
            return [], []
        n = int(math.ceil(len(scored) * self.settings["quantile_fraction"]))
        if n > len(scored) / 2:
            n = int(math.floor(len(scored) / 2))
        return scored[:n], scored[len(scored) - n :]

    def checkpoint_or_exploit(self, t: PBTTrial, upper: list, lower: list) -> None:
        t.last_checkpoint = self.checkpoint(t, t.last_step) if t in upper else None
        if t not in lower:
            return
        donor = self.rng.choice(upper)
        at = t.last_train_time
        if donor.last_checkpoint is None:
            self.say({"event": "skip", "trial": t.name, "donor": donor.name, "at": at})
            return
        s = self.settings
        if self.explorer is not None:
            known = len(self.explorer.data)
            t.config = self.explorer.new_config(t.name, donor.name, donor.config, self.custom_explore)
            for _, row in self.explorer.data.iloc[known:].iterrows():  # PB2's row for the new config, kept too
                plain = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                t.records.append([plain["Time"], {k: plain[k] for k in self.explorer.bounds}, plain["Reward"]])
        else:
            t.config = explore(
                donor.config, self.mutations, s["resample_probability"], s["perturbation_factors"],
                self.custom_explore, self.rng,
            )  # fmt: skip
        t.restore = donor.last_checkpoint
        t.last_perturbation_time, t.last_train_time = donor.last_perturbation_time, donor.last_train_time
        t.last_step = donor.last_step
        self.say({
            "event": "exploit", "trial": t.name, "donor": donor.name, "at": at, "checkpoint": list(t.restore),
            "config": t.config,
        })  # fmt: skip
        self.stop_run(t)

    def requeue(self, t: PBTTrial) -> None:
        """An interrupted run (rebuilt on a restart) whose results are judged: the trial waits for a run that
        continues from its latest published checkpoint at or before its last result the scheduler was told (a
        later one's result was lost: its iteration is trained and judged again), else from where the interrupted
        run started."""
        key = run_key(t.name, t.generation)
        own = [i for i in self.checkpoints(key) if i <= t.seen]
        t.restore = (key, max(own)) if own else t.source
        t.run, t.status, t.ended, t.waiting, t.hold, t.held_at = None, "queued", False, False, None, None
        if t not in self.queue:
            self.queue.append(t)
        t.why = "interrupted"
        self.persist(t, stopped=True)
        where = f"{t.restore[0]} @ {t.restore[1]}" if t.restore else "the start (it published no checkpoint)"
        LOGGER.info(f"[PBT] {t.name}, interrupted, continues from {where}")

    def waiting_for_slot(self) -> bool:
        """A trial waits for a run and no pruned run's slot is left for it (Ray: a PENDING or PAUSED trial)."""
        return len(self.candidates()) > self.open_slots

    def pause(self, t: PBTTrial, step: int) -> None:
        """Pause: prune the run; the trial's next run continues from its own latest checkpoint."""
        checkpoint = self.checkpoint(t, step)
        if checkpoint is None:
            self.say({"event": "no-pause", "trial": t.name, "at": t.last_train_time})
            return
        t.restore = checkpoint
        self.say({"event": "pause", "trial": t.name, "at": t.last_train_time, "checkpoint": list(checkpoint)})
        self.stop_run(t, "pause")

    def stop_run(self, t: PBTTrial, why: str = "exploit") -> None:
        t.why = why
        self.persist(t, stopped=True)  # before the decision: a run that ends on it has its continuation kept
        if t.status == "running" and not t.ended:  # (an interrupted run holds no slot)
            self.to_prune.add(t.run)
            self.open_slots += 1
            if t.held_at is not None:  # the held run ends now, without waiting to be stopped
                self.decide(t, t.held_at, {"action": "stop", "why": why})
        t.hold = t.held_at = None
        t.run, t.status, t.ended = None, "queued", False
        if t not in self.queue:
            self.queue.append(t)

    # --- holds --------------------------------------------------------------------------------

    def next_hold(self, t: PBTTrial, after: int):
        """From which time (time_attr units) PBT judges the trial's next result after iteration `after` (Ray's
        on_trial_result checks: burn-in, perturbation interval), or None: no hold (closed, beyond the stop,
        no shared files). The run holds at its first result from then on (timed: with a checkpoint)."""
        s = self.settings
        if self.closed or self.storage.startswith(WANDB_SCHEME):
            return None
        hold = max(s["burn_in_period"], t.last_perturbation_time + s["perturbation_interval"])
        if self.timed:
            return hold
        hold = max(hold, after + 1)
        stop = s.get("stop_iteration")
        return None if stop is not None and hold >= stop else hold

    def decide(self, t: PBTTrial, iteration: int, decision: dict) -> None:
        """Tell the run held at `iteration` what PBT decided (its decision file, written whole)."""
        self.write(f"{run_key(t.name, t.generation)}/decision_{iteration:06d}.json", decision)

    def release(self, name, generation: int) -> None:
        """Let the run `name`/`generation` train on without holds (release.json beside its checkpoints)."""
        if isinstance(name, str) and not self.storage.startswith(WANDB_SCHEME):
            self.write(f"{run_key(name, generation)}/release.json", {"action": "release"})

    def locate(self, relative: str) -> tuple:
        """(pyarrow's filesystem, the path in it) of `relative` under a URI storage, or (None, the local path)."""
        root = self.storage
        if "://" in root and not root.startswith("file://"):
            from pyarrow import fs

            return fs.FileSystem.from_uri(root.rstrip("/") + "/" + relative)
        return None, os.path.join(os.path.expanduser(root.replace("file://", "", 1)), relative)

    def read(self, relative: str):
        """A small JSON file under the storage (a checkpoint's marker), or None."""
        try:
            filesystem, path = self.locate(relative)
            if filesystem is not None:
                with filesystem.open_input_stream(path) as stream:
                    return json.loads(stream.read().decode("utf-8"))
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ImportError, ValueError):
            return None

    def write(self, relative: str, data: dict) -> None:
        """A small JSON file under the storage, never seen half-written (local: renamed into place)."""
        text = json.dumps(data, default=str)
        try:
            filesystem, path = self.locate(relative)
            if filesystem is not None:
                filesystem.create_dir(path.rsplit("/", 1)[0], recursive=True)
                with filesystem.open_output_stream(path) as out:
                    out.write(text.encode())
                return
            os.makedirs(os.path.dirname(path), exist_ok=True)
            partial = f"{path}.partial-{os.getpid()}"
            with open(partial, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(partial, path)
        except (OSError, ImportError) as exc:  # the held run times out and trains on; say why
            LOGGER.warning(f"[PBT] cannot write {relative} in the checkpoint storage {self.storage}: {exc}")

    # --- checkpoints --------------------------------------------------------------------------

    def checkpoint(self, t: PBTTrial, step: int):
        """(run, iteration) of the trial's latest checkpoint at or before iteration `step`, or None (Ray:
        trial.checkpoint)."""
        if t.status == "queued" and t.restore is not None:
            return t.restore
        if t.status == "running":
            found = [i for i in self.checkpoints(run_key(t.name, t.generation)) if i <= step]
            if found:
                return (run_key(t.name, t.generation), max(found))
        return t.source if t.source is not None and t.source[1] <= step else None

    def checkpoints(self, key: str) -> list:
        """Iterations of the checkpoints a run wrote to the storage (local path, pyarrow filesystem URI, or W&B
        artifacts: wandb://ENTITY/PROJECT/...)."""
        root = self.storage
        if root.startswith(WANDB_SCHEME):
            return artifact_checkpoints(root, key)
        try:
            filesystem, base = self.locate(key)
            if filesystem is not None:
                from pyarrow import fs

                names = [info.base_name for info in filesystem.get_file_info(fs.FileSelector(base))]
            else:
                names = os.listdir(base) if os.path.isdir(base) else []
        except (OSError, ImportError):
            return []
        return [int(m.group(1)) for name in names if (m := CHECKPOINT_NAME.match(name))]


def artifact_name(*parts: str) -> str:
    """The W&B artifact name of a run's checkpoints (the same function as sweepbridge.runtime.pbt's): the parts
    joined by '-', every character W&B refuses in a name as '_', at most 128 characters."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", "-".join(p for p in parts if p))
    return name[-128:]


def wandb_storage(storage: str, entity, project) -> str:
    """A wandb:// storage with its entity and project: `wandb:///...` (the sweep's own project) gets the sweep's
    (else WANDB_ENTITY / WANDB_PROJECT); other storages unchanged."""
    if not storage.startswith(WANDB_SCHEME + "/"):
        return storage
    entity = entity or os.environ.get("WANDB_ENTITY")
    project = project or os.environ.get("WANDB_PROJECT")
    if not entity or not project:
        raise ValueError(
            f"PBT: the checkpoint storage {storage} means the sweep's own W&B entity and project, but this scheduler "
            f"does not know them (entity {entity!r}, project {project!r}): set WANDB_ENTITY and WANDB_PROJECT, or give "
            "storage_path='wandb://ENTITY/PROJECT'."
        )
    return f"{WANDB_SCHEME}{entity}/{project}/" + storage[len(WANDB_SCHEME) :].strip("/")


def artifact_checkpoints(root: str, key: str) -> list:
    """Iterations of the `checkpoint_NNNNNN` aliases of a run's artifact versions in a wandb:// storage (W&B's
    public API; [] while the run has none)."""
    import wandb

    entity, project, *prefix = root[len(WANDB_SCHEME) :].strip("/").split("/")
    name = artifact_name(*prefix, *key.split("/"))
    if not WANDB_API:  # one client for the scheduler's life (its credentials are W&B's scheduler's)
        WANDB_API.append(wandb.Api())
    try:
        versions = list(WANDB_API[0].artifacts(ARTIFACT_TYPE, f"{entity}/{project}/{name}"))
    except ValueError:  # no version yet: W&B answers with no collection
        return []
    except wandb.Error as exc:  # said, and read again at the next look
        LOGGER.warning(f"[PBT] cannot list the checkpoint artifact {entity}/{project}/{name}: {exc}")
        return []
    return sorted({int(m.group(1)) for v in versions for a in v.aliases if (m := CHECKPOINT_NAME.match(a))})


class PBTSampler(optuna.samplers.RandomSampler):
    """A RandomSampler (the space of new trials sampled exactly) that says when no trial waits for a run."""

    def __init__(self, population: Population, seed=None) -> None:
        super().__init__(seed=seed)
        self.population = population

    def is_exhausted(self, study) -> bool:
        return self.population.exhausted(study)


class PBTPruner(optuna.pruners.BasePruner):
    """Prunes the runs PBT stops (exploited or paused trials) once every running run's results are replayed."""

    def __init__(self, population: Population) -> None:
        self.population = population

    def prune(self, study, trial) -> bool:
        self.population.update(study)
        if trial.number in self.population.to_prune:
            self.population.to_prune.discard(trial.number)
            return True
        return False


def dumps(log: list) -> str:
    return "\n".join(json.dumps(entry, sort_keys=True, default=str) for entry in log)
