"""PBT's schedule in the generated scheduler against Ray's own PopulationBasedTraining.

Fixed learning curves: trial k reports curve[k][i] at its training_iteration i, whatever its config. Ray's
PopulationBasedTraining object is driven directly through on_trial_add / on_trial_result with Ray Trial objects
(no cluster: the few TuneController methods PBT calls are stood in, as Ray's own scheduler tests do); the
generated scheduler is driven through wandb's make_optimizer (ask_n_runs / tell_run / prune_runs) with the same
results as run histories, checkpoints written to the storage as the trial runtime writes them.
- synch=True: at every perturbation point the set of exploited trials is Ray's, and every donor is in Ray's top
  quantile at that point.
- synch=False: each result's decision (exploit or not, and the donor) is Ray's given the same results so far.
- PB2: the decisions and the GP-bandit's configs are Ray's PB2's.
"""

from __future__ import annotations

import json
import random

import pbt_harness as h
import pytest
from optional import needs

pytestmark = [needs("ray", "optuna", "wandb")]


def _curves(n: int, length: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[round(rng.random() * (1 + i / 10), 4) for i in range(length)] for _ in range(n)]


# --- Ray ------------------------------------------------------------------------------------------


class _Controller:
    """The TuneController methods Ray's PBT calls (no cluster), over `trials`."""

    search_alg = None

    def __init__(self, trials: list) -> None:
        self.trials = trials

    def get_trials(self):
        return self.trials

    def get_live_trials(self):
        from ray.tune.experiment import Trial

        return [t for t in self.trials if t.status != Trial.TERMINATED]

    def _schedule_trial_save(self, trial, result=None):
        return trial.checkpoint

    def pause_trial(self, trial, should_checkpoint=True):
        from ray.tune.experiment import Trial

        trial.set_status(Trial.PAUSED)


def _ray_result(pbt, controller, trials, k, step, loss, exploits, iteration) -> None:
    """Trial k's result at training_iteration `step` handed to Ray's PBT (`loss` None: the stop iteration, which
    Ray shows to no scheduler); an exploited trial continues from its donor's checkpoint."""
    from ray.train._internal.session import _TrainingResult
    from ray.tune import Checkpoint
    from ray.tune.experiment import Trial
    from ray.tune.schedulers import TrialScheduler

    t, seen = trials[k], len(exploits)
    iteration[t] = step
    if loss is None:
        t.set_status(Trial.TERMINATED)
        return
    t.run_metadata.checkpoint_manager._latest_checkpoint_result = _TrainingResult(
        checkpoint=Checkpoint(f"/ck/{k}/{step}"), metrics={})  # fmt: skip
    if pbt.on_trial_result(controller, t, {"training_iteration": step, "loss": loss}) == TrialScheduler.PAUSE:
        t.set_status(Trial.PAUSED)
    for k_other, *_ in exploits[seen:]:  # exploited (now or by a sync): continues from the donor's checkpoint
        restored = trials[k_other].run_metadata.checkpoint_manager._latest_checkpoint_result.checkpoint
        iteration[trials[k_other]] = int(str(restored.path).rsplit("/", 1)[1])


def _ray(curves, interval, synch, quantile, burn_in=0.0, seed=0, pb2=False):
    """Ray's schedule on the curves: [(trial, at, donor, upper quantile at that moment, new config)]."""
    import numpy as np
    from ray.tune.experiment import Trial
    from ray.tune.schedulers import PopulationBasedTraining
    from ray.tune.schedulers.pb2 import PB2

    exploits = []

    class Recording(PB2 if pb2 else PopulationBasedTraining):
        def _exploit(self, tune_controller, trial, trial_to_clone):
            upper = {trials.index(t) for t in self._quantiles()[1]}
            at = self._trial_state[trial].last_train_time
            super()._exploit(tune_controller, trial, trial_to_clone)
            exploits.append((trials.index(trial), at, trials.index(trial_to_clone), upper, dict(trial.config)))

    random.seed(seed)
    np.random.seed(seed)
    common = {"time_attr": "training_iteration", "metric": "loss", "mode": "min", "perturbation_interval": interval,
              "quantile_fraction": quantile, "synch": synch, "log_config": False}  # fmt: skip
    if pb2:
        pbt = Recording(hyperparam_bounds={"lr": [0.001, 0.1]}, **common)
    else:
        pbt = Recording(burn_in_period=burn_in, hyperparam_mutations={"lr": [1, 2, 3]}, **common)
    start = {"lr": 0.01} if pb2 else {"lr": 2}
    trials = [Trial("__fake", config=dict(start), stub=True, trial_id=f"t{k}") for k in range(len(curves))]
    controller = _Controller(trials)
    iteration = {}
    for t in trials:
        pbt.on_trial_add(controller, t)
        t.set_status(Trial.RUNNING)
        iteration[t] = 0
    last = len(curves[0])
    while any(iteration[t] < last for t in trials):
        order = sorted((iteration[t] + 1, k) for k, t in enumerate(trials) if iteration[t] < last)
        for step, k in order:
            t = trials[k]
            if t.status == Trial.PAUSED:
                t.set_status(Trial.RUNNING)
            _ray_result(pbt, controller, trials, k, step, curves[k][step - 1] if step < last else None, exploits,
                        iteration)  # fmt: skip
    return exploits


# --- the generated scheduler ----------------------------------------------------------------------


def _ours(tmp_path, curves, interval, synch, quantile, burn_in=0.0, seed=0, pb2=False, speeds=None):
    """The generated scheduler's schedule on the same curves, through wandb's optimizer. Runs hold at the
    points PBT judges, as the trial runtime does; trial k's run reports every `speeds[k]`-th poll (default 1)."""
    import numpy as np

    from sweepbridge.runtime.pbt import Hold, Lineage
    from sweepbridge.tune.schedulers import PB2, PopulationBasedTraining

    n, last = len(curves), len(curves[0])
    common = {"time_attr": "training_iteration", "metric": "loss", "mode": "min", "perturbation_interval": interval,
              "quantile_fraction": quantile, "synch": synch}  # fmt: skip
    if pb2:
        pbt = PB2(hyperparam_bounds={"lr": [0.001, 0.1]}, **common)
    else:
        pbt = PopulationBasedTraining(burn_in_period=burn_in, hyperparam_mutations={"lr": [1, 2, 3]}, **common)
    cfg = h.sweep(pbt, config={"lr": 0.01 if pb2 else 2}, num_samples=n, storage_path=str(tmp_path), name="exp",
                  stop={"training_iteration": last})  # fmt: skip
    np.random.seed(seed)  # PB2's acquisition optimizer draws its starts from numpy's global generator, as in Ray
    _, source = h.load(cfg, tmp_path, f"pbt_schedule_{int(synch)}_{n}_{int(pb2)}")
    driver = h.Driver(cfg, source)
    storage = tmp_path / "exp" / "sweep1"
    at = {}  # optimizer id → (trial index, generation, last iteration)
    holds = {}  # optimizer id → the run's holds (the trial runtime's)

    def start(count):
        for run_id, config in driver.ask(count):
            meta = config["_pbt"]
            at[run_id] = [int(meta["trial"].split("_")[1]), meta["generation"], meta["iteration"] or 0]
            holds[run_id] = Hold(Lineage.from_config(config), timeout=0)

    start(n)
    polls = 0
    while any(r["state"] == "running" for r in driver.runs.values()):
        moved, polls = False, polls + 1
        for run_id, run in driver.runs.items():
            if run["state"] != "running":
                continue
            k, generation, i = at[run_id]
            if speeds and polls % speeds[k]:
                moved = True
                continue
            hold = holds[run_id]
            if hold.due(
                {"training_iteration": i}, True
            ):  # held at a point PBT judges, as the trial runtime holds: no step before the decision
                decided, why = hold.check()
                assert why is None, f"run {run_id} was told to stop ({why}) but not pruned"
                if not decided:
                    continue
            moved = True
            i += 1
            at[run_id][2] = i
            h.checkpoint(storage, f"pbt_{k:05d}/{generation:04d}", i)
            driver.report(run_id, i, curves[k][i - 1])
            if i == last:
                driver.finish(run_id)
        pruned = driver.poll()
        assert moved or pruned or any(r["state"] == "finished" for r in driver.runs.values()), "held runs deadlock"
        for run_id in pruned:  # a held run that PBT stops is told so (it ends without waiting to be stopped)
            if holds[run_id].due({"training_iteration": at[run_id][2]}, True):
                assert holds[run_id].check()[1] in ("exploit", "pause")
        start(len(pruned))
    population = driver.population
    return population, [e for e in population.log if e["event"] == "exploit"]


# --- time_attr="time_total_s": trials of different speeds, results in the order they happen ----------


def _timed(tmp_path, curves, dts, interval, synch, ray):
    """Ray's PBT (`ray=True`) or the generated scheduler on time_attr="time_total_s": trial k's iterations take
    dts[k] seconds (of the trial's time_total_s and of the wall clock ordering the results); each result is
    handled as it happens (the generated scheduler polled after each, its runs holding as the runtime holds).
    [(trial, at, donor)] of every exploit."""
    import heapq

    from sweepbridge.runtime.pbt import Hold, Lineage

    n, last = len(curves), len(curves[0])
    common = {"time_attr": "time_total_s", "metric": "loss", "mode": "min", "perturbation_interval": interval,
              "quantile_fraction": 0.25, "synch": synch}  # fmt: skip
    state = {k: [0, 0.0] for k in range(n)}  # trial → [iteration, time_total_s]
    events = [(dts[k], k) for k in range(n)]
    heapq.heapify(events)
    exploits = []
    if ray:
        from ray.train._internal.session import _TrainingResult
        from ray.tune import Checkpoint
        from ray.tune.experiment import Trial
        from ray.tune.schedulers import PopulationBasedTraining

        class Recording(PopulationBasedTraining):
            def _exploit(self, tune_controller, trial, trial_to_clone):
                at = self._trial_state[trial].last_train_time
                super()._exploit(tune_controller, trial, trial_to_clone)
                exploits.append((trials.index(trial), at, trials.index(trial_to_clone)))

        random.seed(0)
        pbt = Recording(hyperparam_mutations={"lr": [1, 2, 3]}, log_config=False, **common)
        trials = [Trial("__fake", config={"lr": 2}, stub=True, trial_id=f"t{k}") for k in range(n)]
        controller = _Controller(trials)
        for t in trials:
            pbt.on_trial_add(controller, t)
            t.set_status(Trial.RUNNING)
    else:
        from sweepbridge.tune.schedulers import PopulationBasedTraining

        pbt = PopulationBasedTraining(hyperparam_mutations={"lr": [1, 2, 3]}, **common)
        cfg = h.sweep(pbt, config={"lr": 2}, num_samples=n, storage_path=str(tmp_path), name="exp",
                      stop={"training_iteration": last})  # fmt: skip
        _, source = h.load(cfg, tmp_path, f"pbt_timed_{int(synch)}")
        driver, storage, runs = h.Driver(cfg, source), tmp_path / "exp" / "sweep1", {}
        for run_id, config in driver.ask(n):
            runs[int(config["_pbt"]["trial"][4:])] = (run_id, config["_pbt"], Hold(Lineage.from_config(config), 0))
    parked = set()  # trials that do not run now (Ray: paused at a sync point; ours: held, awaiting the decision)

    def restart(j):  # its next result comes dts[j] after now (wall clock), whatever its time_total_s
        nonlocal events
        events = [(w, i) for w, i in events if i != j] + [(now + dts[j], j)]
        heapq.heapify(events)

    while events:
        now, k = heapq.heappop(events)
        step, time = state[k][0] + 1, state[k][1] + dts[k]
        state[k] = [step, time]
        if step == last and ray:  # the stop iteration: no scheduler sees it
            trials[k].set_status(Trial.TERMINATED)
        elif ray:
            t, seen = trials[k], len(exploits)
            t.set_status(Trial.RUNNING)
            t.run_metadata.checkpoint_manager._latest_checkpoint_result = _TrainingResult(
                checkpoint=Checkpoint(f"/ck/{k}/{step}/{time!r}"), metrics={})  # fmt: skip
            pbt.on_trial_result(controller, t, {"training_iteration": step, "time_total_s": time,
                                                "loss": curves[k][step - 1]})  # fmt: skip
            if synch and pbt._trial_state[t].last_train_time >= pbt._next_perturbation_sync:
                parked.add(k)  # paused until the others reach the sync point
            else:
                heapq.heappush(events, (now + dts[k], k))
            for other, *_ in exploits[seen:]:  # continues from the donor's checkpoint
                restored = str(trials[other].run_metadata.checkpoint_manager._latest_checkpoint_result.checkpoint.path)
                _, _, _, i, when = restored.split("/")
                state[other] = [int(i), float(when)]
            for j in list(parked):
                if pbt._trial_state[trials[j]].last_train_time < pbt._next_perturbation_sync:
                    parked.discard(j)
                    restart(j)
            for other, *_ in exploits[seen:]:
                if other not in parked:
                    restart(other)
        else:
            run_id, meta, hold = runs[k]
            h.checkpoint(storage, f"{meta['trial']}/{meta['generation']:04d}", step, time)
            driver.report(run_id, step, curves[k][step - 1])
            if step == last:  # the run finishes (the runtime never holds at its stop)
                driver.finish(run_id)
            elif hold.due({"training_iteration": step, "time_total_s": time}, True):
                parked.add(k)
            else:
                heapq.heappush(events, (now + dts[k], k))
            pruned = driver.poll()
            for j in list(parked):
                decided, why = runs[j][2].check()
                assert (why is not None) == (runs[j][0] in pruned)  # a stop decision for each pruned held run
                if decided:
                    parked.discard(j)
                    if why is None:
                        restart(j)
            for _ in pruned:  # the continuation starts where its `_pbt` block says
                ((new_id, config),) = driver.ask(1)
                m = config["_pbt"]
                j = int(m["trial"][4:])
                marker = storage / m["donor"] / f"checkpoint_{m['iteration']:06d}" / ".sweepbridge_checkpoint.json"
                state[j] = [m["iteration"], json.loads(marker.read_text())["time_total_s"]]
                runs[j] = (new_id, m, Hold(Lineage.from_config(config), 0))
                restart(j)
    if ray:  # trials still paused: Ray would wait at a sync point for trials that finished before it
        return exploits, sorted(parked)
    assert not parked, "runs held with no decision"
    log = driver.population.log
    return [(int(e["trial"][4:]), e["at"], int(e["donor"][4:])) for e in log if e["event"] == "exploit"]


@pytest.mark.parametrize(("synch", "seed", "last"), [(False, 6, 14), (True, 7, 12)])
def test_time_total_s_decisions_are_rays(tmp_path, synch, seed, last):
    """Ray's default time_attr: four trials of different speeds, perturbation every 3 s of time_total_s
    (judged from the time recorded with each checkpoint): every exploit (trial, time, donor) is Ray's."""
    curves, dts = _curves(4, last, seed), [1.0, 1.5, 0.7, 1.25]
    ray, stuck = _timed(tmp_path / "ray", curves, dts, 3.0, synch, ray=True)
    ours = _timed(tmp_path, curves, dts, 3.0, synch, ray=False)
    assert len(ray) >= 3 and ours == ray and not stuck


def test_a_sync_point_that_finished_trials_never_reach_syncs_the_live_ones(tmp_path):
    """synch=True, trials stopping at one training_iteration but at different times: the trials left behind the
    sync point finish, and Ray's paused trials would wait for them for ever. The live trials sync without them
    (their held runs get a decision); up to then every exploit is Ray's."""
    curves, dts = _curves(4, 14, 9), [1.0, 1.5, 0.7, 1.25]
    ray, stuck = _timed(tmp_path / "ray", curves, dts, 3.0, True, ray=True)
    ours = _timed(tmp_path, curves, dts, 3.0, True, ray=False)  # asserts that no run is left holding
    assert stuck and ours[: len(ray)] == ray and len(ours) > len(ray)


def _by_time(exploits):
    out = {}
    for trial, at, *_ in exploits:
        out.setdefault(at, set()).add(trial)
    return out


@pytest.mark.parametrize("seed", [3, 11])
def test_synchronous_exploits_are_rays(tmp_path, seed):
    curves = _curves(8, 12, seed)
    ray = _ray(curves, interval=3, synch=True, quantile=0.25, seed=seed)
    population, ours = _ours(tmp_path, curves, interval=3, synch=True, quantile=0.25)
    mine = [(int(e["trial"][4:]), e["at"], int(e["donor"][4:])) for e in ours]
    assert ray and _by_time(mine) == _by_time(ray)
    upper = {(trial, at): top for trial, at, _, top, _ in ray}
    assert all(donor in upper[(trial, at)] for trial, at, donor in mine)
    assert not [e for e in population.log if e["event"] in ("skip", "close")]


def test_synchronous_exploits_are_rays_whatever_the_trials_speeds(tmp_path):
    """Trials of unequal speeds: the runs that reach a sync point first hold there (Ray pauses them) until the
    slowest reports, so the exploits are still Ray's."""
    curves = _curves(6, 10, 5)
    ray = _ray(curves, interval=3, synch=True, quantile=0.34)
    population, ours = _ours(tmp_path, curves, interval=3, synch=True, quantile=0.34, speeds=[1, 3, 1, 2, 5, 1])
    mine = [(int(e["trial"][4:]), e["at"], int(e["donor"][4:])) for e in ours]
    assert ray and _by_time(mine) == _by_time(ray)


def test_asynchronous_decisions_are_rays(tmp_path):
    """Population 4, quantile 0.25: one top trial, so each donor is determined and so is the whole schedule."""
    curves = _curves(4, 15, 7)
    ray = _ray(curves, interval=2, synch=False, quantile=0.25, burn_in=3)
    population, ours = _ours(tmp_path, curves, interval=2, synch=False, quantile=0.25, burn_in=3)
    mine = [(int(e["trial"][4:]), e["at"], int(e["donor"][4:])) for e in ours]
    assert len(ray) >= 3 and mine == [(trial, at, donor) for trial, at, donor, *_ in ray]


def test_continuations_name_the_donor_checkpoint(tmp_path):
    """Every exploit's continuation run restores the donor's checkpoint at the point it was judged, and its
    `_pbt` block chains the trial's runs (the contract's keys)."""
    curves = _curves(4, 9, 5)
    population, ours = _ours(tmp_path, curves, interval=3, synch=True, quantile=0.25)
    assert ours
    for e in ours:
        run, iteration = e["checkpoint"]
        assert run.startswith(e["donor"] + "/") and iteration == e["at"]
        assert e["config"]["lr"] in (1, 2, 3)


@pytest.mark.slow  # Gaussian-process fits: ~10 s
@needs("sklearn", "pandas")
def test_pb2_decisions_and_configs_are_rays(tmp_path):
    """PB2 (population 4, one top trial): every decision and every GP-bandit config is Ray's PB2's, numpy's
    generator seeded alike (its acquisition optimizer draws its starting points there)."""
    curves = _curves(4, 13, 2)
    ray = _ray(curves, interval=2, synch=False, quantile=0.25, seed=4, pb2=True)
    _, ours = _ours(tmp_path, curves, interval=2, synch=False, quantile=0.25, seed=4, pb2=True)
    mine = [(int(e["trial"][4:]), e["at"], int(e["donor"][4:]), e["config"]["lr"]) for e in ours]
    theirs = [(trial, at, donor, config["lr"]) for trial, at, donor, _, config in ray]
    assert len(theirs) >= 3 and len({c for *_, c in theirs}) > 2 and mine == theirs


def _ray_waves(curves, interval, quantile, slots, seed=0):
    """Ray's synchronous PBT with `slots` trials at a time (choose_trial_to_run fills a free slot)."""
    from ray.tune.experiment import Trial
    from ray.tune.schedulers import PopulationBasedTraining

    exploits = []

    class Recording(PopulationBasedTraining):
        def _exploit(self, tune_controller, trial, trial_to_clone):
            at = self._trial_state[trial].last_train_time
            super()._exploit(tune_controller, trial, trial_to_clone)
            exploits.append((trials.index(trial), at, trials.index(trial_to_clone)))

    random.seed(seed)
    pbt = Recording(
        time_attr="training_iteration", metric="loss", mode="min", perturbation_interval=interval,
        hyperparam_mutations={"lr": [1, 2, 3]}, quantile_fraction=quantile, synch=True, log_config=False,
    )  # fmt: skip
    trials = [Trial("__fake", config={"lr": 2}, stub=True, trial_id=f"t{k}") for k in range(len(curves))]
    controller, last = _Controller(trials), len(curves[0])
    iteration = {}
    for t in trials:
        pbt.on_trial_add(controller, t)
        iteration[t] = 0

    def fill():
        while sum(t.status == Trial.RUNNING for t in trials) < slots:
            chosen = pbt.choose_trial_to_run(controller)
            if chosen is None:
                return
            chosen.set_status(Trial.RUNNING)

    fill()
    while any(t.status != Trial.TERMINATED for t in trials):
        running = sorted((iteration[t] + 1, k) for k, t in enumerate(trials) if t.status == Trial.RUNNING)
        assert running, "Ray's PBT stalled"
        for step, k in running:
            t = trials[k]
            if t.status != Trial.RUNNING:
                continue
            _ray_result(pbt, controller, trials, k, step, curves[k][step - 1] if step < last else None, exploits,
                        iteration)  # fmt: skip
        fill()
    return exploits


def _waves(tmp_path, curves, slots, interval=3, name="pbt_schedule_waves"):
    """The generated scheduler on `slots` parallel runs (held at the points PBT judges, as the runtime holds):
    (the decision log, the trials that reached the end)."""
    from sweepbridge.runtime.pbt import Hold, Lineage
    from sweepbridge.tune.schedulers import PopulationBasedTraining

    n, last = len(curves), len(curves[0])
    pbt = PopulationBasedTraining(
        time_attr="training_iteration", metric="loss", mode="min", perturbation_interval=interval,
        hyperparam_mutations={"lr": [1, 2, 3]}, quantile_fraction=0.25, synch=True,
    )  # fmt: skip
    cfg = h.sweep(pbt, config={"lr": 2}, num_samples=n, storage_path=str(tmp_path), name="exp",
                  stop={"training_iteration": last})  # fmt: skip
    _, source = h.load(cfg, tmp_path, name)
    driver, at, holds, done = h.Driver(cfg, source), {}, {}, set()
    for _ in range(500):
        live = [i for i, r in driver.runs.items() if r["state"] == "running"]
        for run_id, config in driver.ask(slots - len(live)) if len(live) < slots else []:
            meta = config["_pbt"]
            at[run_id] = [int(meta["trial"][4:]), meta["generation"], meta["iteration"] or 0]
            holds[run_id] = Hold(Lineage.from_config(config), timeout=0)
        for run_id in [i for i, r in driver.runs.items() if r["state"] == "running"]:
            k, generation, i = at[run_id]
            if holds[run_id].due({"training_iteration": i}, True) and not holds[run_id].check()[0]:
                continue  # held until PBT decides
            i = at[run_id][2] = i + 1
            h.checkpoint(tmp_path / "exp" / "sweep1", f"pbt_{k:05d}/{generation:04d}", i)
            driver.report(run_id, i, curves[k][i - 1])
            if i == last:
                driver.finish(run_id)
                done.add(k)
        driver.poll()
        if len(done) == n:
            break
    return driver.population.log, done


def test_synchronous_waves_exploit_as_ray(tmp_path):
    """Population 8 on 3 parallel runs (Ray: 3 trials at a time): the same trials are exploited at every sync
    point, and every trial reaches the end."""
    curves, slots = _curves(8, 10, 21), 3
    ray = _ray_waves(curves, interval=3, quantile=0.25, slots=slots)
    log, done = _waves(tmp_path, curves, slots)
    mine = [(int(e["trial"][4:]), e["at"], int(e["donor"][4:])) for e in log if e["event"] == "exploit"]
    assert len(done) == 8 and ray and _by_time(mine) == _by_time(ray)
    assert "pause" in [e["event"] for e in log]
