"""A restarted PBT scheduler rebuilds its population: nothing of an interrupted PBT sweep is lost.

The generated scheduler is driven through wandb's make_optimizer (tests/pbt_harness.py) with runs holding as the
trial runtime holds, part way; then the sweep is interrupted (its running runs killed), and a NEW optimizer
from the same generated source is told every earlier run as `sweepbridge run --resume` (and W&B's scheduler's
warm start) tells them — `tell_existing_finished_run` with the run's config, state and history — and driven to
the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pbt_harness as h
import pytest
from optional import needs

pytestmark = [needs("optuna", "wandb")]


def _curves(n: int, length: int, seed: int) -> list[list[float]]:
    import random

    rng = random.Random(seed)
    return [[round(rng.random() * (1 + i / 10), 4) for i in range(length)] for _ in range(n)]


class Sweep:
    """Runs of one optimizer on fixed curves, `slots` at a time, holding at the points PBT judges."""

    def __init__(self, driver: h.Driver, storage: Path, curves: list[list[float]], slots: int, done: set) -> None:
        self.driver, self.storage, self.curves, self.slots, self.done = driver, storage, curves, slots, done
        self.at: dict[str, list[int]] = {}  # optimizer id → [trial index, generation, last iteration]
        self.holds: dict = {}
        self.started: list[dict] = []  # the configs asked for, in order

    def latest(self) -> dict[int, dict]:
        """Each trial's latest run: its generation, state, last iteration, start iteration and config."""
        out: dict[int, dict] = {}
        for run_id, run in self.driver.runs.items():
            k, generation, i = self.at[run_id]
            if generation >= out.get(k, {"generation": -1})["generation"]:
                start = run["config"]["_pbt"]["iteration"] or 0
                out[k] = {"generation": generation, "state": run["state"], "iteration": i, "start": start,
                          "config": run["config"]}  # fmt: skip
        return out

    def drive(self, polls: int) -> bool:
        """Up to `polls` polls; True when every trial reached the stop iteration."""
        from sweepbridge.runtime.pbt import Hold, Lineage

        driver, last = self.driver, len(self.curves[0])
        for _ in range(polls):
            live = [i for i, r in driver.runs.items() if r["state"] == "running"]
            for run_id, config in driver.ask(self.slots - len(live)) if len(live) < self.slots else []:
                meta = config["_pbt"]
                self.at[run_id] = [int(meta["trial"][4:]), meta["generation"], meta["iteration"] or 0]
                self.holds[run_id] = Hold(Lineage.from_config(config), timeout=0)
                self.started.append(config)
            for run_id in [i for i, r in driver.runs.items() if r["state"] == "running"]:
                k, generation, i = self.at[run_id]
                if self.holds[run_id].due({"training_iteration": i}, True) and not self.holds[run_id].check()[0]:
                    continue  # held until PBT decides
                i = self.at[run_id][2] = i + 1
                h.checkpoint(self.storage, f"pbt_{k:05d}/{generation:04d}", i)
                driver.report(run_id, i, self.curves[k][i - 1])
                if i == last:
                    driver.finish(run_id)
                    self.done.add(k)
            driver.poll()
            if len(self.done) == len(self.curves):
                return True
        return False


def _part_way(tmp_path: Path, synch: bool) -> tuple:
    """Population 6 on 3 parallel runs (waves: paused trials wait for a slot), driven until a trial stopped by PBT
    waits for a run and a run has trained past its start: (cfg, source, storage, the sweep, each trial's latest
    run, the trials whose run trained past its start, the stopped trials)."""
    from sweepbridge.tune.schedulers import PopulationBasedTraining

    curves, slots, last = _curves(6, 12, 5), 3, 12
    pbt = PopulationBasedTraining(
        time_attr="training_iteration", metric="loss", mode="min", perturbation_interval=3,
        hyperparam_mutations={"lr": [1, 2, 3]}, quantile_fraction=0.34, synch=synch,
    )  # fmt: skip
    cfg = h.sweep(pbt, config={"lr": 2}, num_samples=6, storage_path=str(tmp_path), name="exp",
                  stop={"training_iteration": last})  # fmt: skip
    _, source = h.load(cfg, tmp_path, f"pbt_resume_{int(synch)}")
    storage = tmp_path / "exp" / "sweep1"
    first = Sweep(h.Driver(cfg, source), storage, curves, slots, set())
    for _ in range(40):  # part way: until a stopped trial waits for a run and a run has trained past its start
        assert not first.drive(1)
        latest = first.latest()
        interrupted = {k for k, r in latest.items() if r["state"] == "running" and r["iteration"] > r["start"]}
        stopped = {k: r for k, r in latest.items() if r["state"] == "pruned"}
        if interrupted and stopped and any(e["event"] == "exploit" for e in first.driver.population.log):
            break
    assert interrupted and stopped, latest
    return cfg, source, storage, first, latest, interrupted, stopped


@pytest.mark.parametrize("synch", [False, True])
def test_a_resumed_population_continues_every_trial_from_its_checkpoint_and_exploits_on(tmp_path, synch):
    """Population 6 on 3 parallel runs (waves: paused trials wait for a slot), interrupted after 9 polls: some
    trials exploited or paused whose continuation never started, some runs killed mid-way. Resumed: every trial
    reaches the stop iteration; a stopped trial's continuation is the one persisted when it was stopped; an
    interrupted trial continues from its own latest checkpoint; no continuation names a missing checkpoint, no
    trial with a checkpoint restarts from scratch; PBT exploits after the resume."""
    cfg, source, storage, first, latest, interrupted, stopped = _part_way(tmp_path, synch)
    done, slots, curves = first.done, first.slots, first.curves
    # the interruption: running runs killed (sweepbridge's runner records a run it stopped, pruned ones too, as
    # killed); a resume tells every run as W&B's scheduler's warm start does
    for run in first.driver.runs.values():
        run["state"] = "killed" if run["state"] in ("running", "pruned") else run["state"]
    published = {k for k in range(6) if any((storage / f"pbt_{k:05d}").glob("*/checkpoint_*"))}
    assert interrupted and (stopped or len(latest) < 6), latest

    again = Sweep(h.Driver(cfg, source), storage, curves, slots, set(done))
    for run in first.driver.runs.values():
        again.driver.optimizer.tell_existing_finished_run(again.driver._message(run))
    assert again.drive(400)
    assert again.done == set(range(6))  # every trial reached the stop iteration

    firsts = {}
    for config in again.started:
        meta = config["_pbt"]
        firsts.setdefault(int(meta["trial"][4:]), config)
        if meta["donor"] is not None:  # a continuation names a checkpoint that exists
            assert (storage / meta["donor"] / f"checkpoint_{meta['iteration']:06d}").is_dir(), meta
    for k, config in firsts.items():
        meta = config["_pbt"]
        if k in published and k not in done:  # no trial with a checkpoint restarts from scratch
            assert meta["donor"] is not None and meta["generation"] == latest[k]["generation"] + 1, (k, meta)
        if k in interrupted:  # from its own latest checkpoint, with its own config
            assert (meta["donor"], meta["iteration"]) == (f"pbt_{k:05d}/{latest[k]['generation']:04d}",
                                                          latest[k]["iteration"])  # fmt: skip
            assert config["lr"] == latest[k]["config"]["lr"]
        if k in stopped:  # the continuation persisted when PBT stopped it
            kept = json.loads((storage / f"pbt_{k:05d}/{latest[k]['generation']:04d}/continuation.json").read_text())
            assert kept["stopped"] and [meta["donor"], meta["iteration"]] == kept["restore"]
            assert config["lr"] == kept["config"]["lr"]
    log = again.driver.population.log
    rebuilt = [e for e in log if e["event"] == "rebuild"]
    assert len(rebuilt) == 1 and set(rebuilt[0]["trials"]) == {f"pbt_{k:05d}" for k in latest}
    assert "exploit" in [e["event"] for e in log]  # PBT goes on after the resume


@pytest.mark.slow  # a PBT sweep under `sweepbridge run`, its runner killed, resumed: about 10 trial processes
def test_an_interrupted_pbt_sweep_resumed_brings_every_trial_to_the_stop_iteration(tmp_path, wandb_env):
    """examples/tuner_pbt.py's trainable, population 3 on 2 parallel runs, interrupted (the runner killed) while a
    continuation runs, then `sweepbridge run --resume`: every trial reaches the stop iteration, no run after
    the resume names a missing checkpoint or starts a trial again from scratch."""
    import os
    import subprocess
    import sys
    import time
    import warnings

    from sweepbridge import tune
    from sweepbridge.tune.schedulers import PopulationBasedTraining

    root = Path(__file__).resolve().parent.parent
    storage, last = tmp_path / "storage", 6
    pbt = PopulationBasedTraining(time_attr="training_iteration", perturbation_interval=2,
                                  hyperparam_mutations={"lr": tune.uniform(0.0001, 0.02)})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run(f"{root / 'examples' / 'tuner_pbt.py'}:pbt_function", config={"lr": tune.uniform(0.0001, 0.02)},
                       scheduler=pbt, num_samples=3, metric="mean_accuracy", mode="max",
                       stop={"training_iteration": last}, storage_path=str(storage), engine="optuna")  # fmt: skip
    cfg.save(tmp_path / "sweep.yaml")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env.pop("PYTHONWARNINGS", None)

    def run(*args: str, **kw) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "sweepbridge", "run", *args], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)  # fmt: skip

    results = tmp_path / "out" / "results.jsonl"
    proc = run("sweep.yaml", "--out", "out", "--jobs", "2")
    deadline = time.monotonic() + 120
    journal = tmp_path / "out" / "trials.jsonl"

    def midway() -> str | None:  # a continuation (generation >= 1) runs, and has published a checkpoint
        events = [json.loads(line) for line in journal.read_text().splitlines()] if journal.exists() else []
        metas = {e["id"]: e["config"]["_pbt"] for e in events if e["event"] == "start"}
        ended = {e["id"] for e in events if e["event"] == "end"}
        for e in events:
            meta = metas.get(e["id"]) if e["event"] == "launch" and e["id"] not in ended else None
            if meta and meta["generation"] >= 1:
                run = Path(meta["storage"]) / meta["trial"] / f"{meta['generation']:04d}"
                if any(run.glob("checkpoint_*")):
                    return meta["trial"]
        return None

    while not (caught := midway()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.kill()  # the runner killed (SIGKILL); its trials die with it (SIGTERM from the kernel)
    proc.communicate(timeout=60)
    time.sleep(0.2)
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    started = {e["id"]: e["config"]["_pbt"] for e in events if e["event"] == "start"}
    launched = {e["id"] for e in events if e["event"] == "launch"}  # a run never launched never existed for W&B
    generations = {}  # trial → its highest generation launched before the resume
    for run_id in launched:
        meta = started[run_id]
        generations[meta["trial"]] = max(generations.get(meta["trial"], -1), meta["generation"])
    root_of_sweep = Path(next(iter(started.values()))["storage"])
    published = {name for name in generations if any((root_of_sweep / name).glob("*/checkpoint_*"))}

    proc = run("--resume", "out")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert f"{caught}: interrupted" in err, err  # the killed run's trial continues (its own checkpoint, or exploited)
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    after = [r for r in lines if r["id"] not in started]
    assert after, lines
    trials = {t["trial"]: t for t in json.loads((tmp_path / "out" / "pbt_trials.json").read_text())}
    assert sorted(trials) == ["pbt_00000", "pbt_00001", "pbt_00002"]
    assert all(t["runs"][-1]["state"] == "finished" for t in trials.values()), trials
    for name in trials:  # every chain reached the stop iteration: its last run's rows end there
        *_, final = sorted((r for r in lines if r["config"]["_pbt"]["trial"] == name),
                           key=lambda r: r["config"]["_pbt"]["generation"])  # fmt: skip
        assert (final["config"]["_pbt"]["iteration"] or 0) + final["history_rows"] == last, final
    for r in after:
        meta = r["config"]["_pbt"]
        if meta["donor"] is not None:
            assert (Path(meta["storage"]) / meta["donor"] / f"checkpoint_{meta['iteration']:06d}").is_dir(), meta
        assert meta["generation"] > generations.get(meta["trial"], -1), meta  # continues its chain
        assert meta["donor"] is not None or meta["trial"] not in published, meta  # not from scratch


@pytest.mark.parametrize("synch", [False, True])
def test_a_restarted_wandb_scheduler_adopts_the_running_runs_and_judges_them_on(tmp_path, synch):
    """W&B's scheduler restarted while runs run: it adopts them live (tell_existing_active_run) and the ended ones
    as finished; the rebuilt population judges the live runs on (each held run gets its decision), hands out the
    waiting trials' continuations, exploits on, and every trial reaches the stop iteration."""
    from wandb.sdk.sweeps import RunState
    from wandb.sdk.sweeps.scheduler.optimizer import Run, RunConfig

    cfg, source, storage, first, latest, interrupted, stopped = _part_way(tmp_path, synch)
    again = Sweep(h.Driver(cfg, source), storage, first.curves, first.slots, set(first.done))
    live = {}
    for old, run in first.driver.runs.items():
        if run["state"] == "running":
            message = Run(config=RunConfig.from_values(run["config"]), state=RunState.RUNNING, wandb_run_id=old)
            new = again.driver.optimizer.tell_existing_active_run(message)
            again.driver.runs[new], again.at[new], again.holds[new] = run, first.at[old], first.holds[old]
            live[new] = first.at[old][0]
        else:
            run["state"] = "killed" if run["state"] == "pruned" else run["state"]
            again.driver.optimizer.tell_existing_finished_run(again.driver._message(run))
    assert live
    assert again.drive(400) and again.done == set(range(6))
    for new, k in live.items():  # the adopted runs went on (to the end or until PBT stopped them)
        assert again.driver.runs[new]["state"] in ("finished", "pruned")
        assert len(again.driver.runs[new]["history"]) > latest[k]["iteration"] - latest[k]["start"]
    log = again.driver.population.log
    (rebuilt,) = [e["trials"] for e in log if e["event"] == "rebuild"]
    assert {name for name, what in rebuilt.items() if what.startswith("runs on")} == {
        f"pbt_{k:05d}" for k in live.values()
    }
    assert "exploit" in [e["event"] for e in log]


@needs("numpy", "pandas", "scipy", "sklearn")
def test_a_restarted_pb2_population_rebuilds_its_gp_data(tmp_path):
    """PB2 (population 4): after an exploit, the sweep is interrupted and told to a new optimizer: its GP bandit's
    data (every perturbation-point result, and the row PB2's explore adds for a new config) is the one it had, and
    the population goes on to the stop iteration."""
    from sweepbridge.tune.schedulers import PB2

    pbt = PB2(time_attr="training_iteration", metric="loss", mode="min", perturbation_interval=3,
              hyperparam_bounds={"lr": [0.001, 0.1]}, quantile_fraction=0.34)  # fmt: skip
    cfg = h.sweep(pbt, config={"lr": 0.01}, num_samples=4, storage_path=str(tmp_path), name="exp",
                  stop={"training_iteration": 12})  # fmt: skip
    _, source = h.load(cfg, tmp_path, "pb2_resume")
    storage = tmp_path / "exp" / "sweep1"
    first = Sweep(h.Driver(cfg, source), storage, _curves(4, 12, 3), 4, set())

    def rows(population):  # PB2's data (empty before its first perturbation-point result)
        data = population.explorer.data
        return sorted(map(tuple, data[["Trial", "Time", "lr", "Reward"]].values.tolist())) if len(data) else []

    while not [row for row in rows(first.driver.population) if row[2] != 0.01]:
        assert not first.drive(1)  # until PB2's explore chose a config (and added its row)
    for run in first.driver.runs.values():
        run["state"] = "killed" if run["state"] in ("running", "pruned") else run["state"]
    again = Sweep(h.Driver(cfg, source), storage, first.curves, 4, set(first.done))
    for run in first.driver.runs.values():
        again.driver.optimizer.tell_existing_finished_run(again.driver._message(run))
    again.driver.population.update(again.driver.optimizer.study)
    assert rows(again.driver.population) == rows(first.driver.population)
    assert again.drive(400) and again.done == set(range(4))
