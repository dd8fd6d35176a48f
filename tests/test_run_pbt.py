"""`sweepbridge run` on a PBT sweep's runs: trials (chains of runs) in the leaderboard, pbt_trials.json and
the ResultGrid, the waves note when the population exceeds --jobs, and what the scheduler is told.

The runs come from a `method: custom` sweep whose Optuna-engine source (wandb's define-by-run path, as the
generated PBT scheduler uses it) hands out a prepared sequence of configs with `_pbt` blocks: two trials,
then trial pbt_00000 continuing from pbt_00001's checkpoint of iteration 2 with an explored lr.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

import pytest

from sweepbridge import tune
from sweepbridge.runner.chains import pbt_population
from sweepbridge.runner.history import RunLog

HERE = Path(__file__).resolve().parent

SOURCE = """
import optuna

STORAGE = {storage!r}
PLAN = [
    {{"lr": 1.0, "steps": 3, "_pbt": {{"trial": "pbt_00000", "generation": 0, "parent": None, "donor": None,
                                      "iteration": None, "storage": STORAGE}}}},
    {{"lr": 2.0, "steps": 3, "_pbt": {{"trial": "pbt_00001", "generation": 0, "parent": None, "donor": None,
                                      "iteration": None, "storage": STORAGE}}}},
    {{"lr": 20.0, "steps": 2, "_pbt": {{"trial": "pbt_00000", "generation": 1, "parent": "pbt_00000/0000",
                                       "donor": "pbt_00001/0000", "iteration": 2, "storage": STORAGE}}}},
]


def optimizer(sweep):
    return optuna.create_study(direction="maximize")


def search_space(trial):
    return PLAN[trial.number]
"""


def test_a_pbt_run_log_keeps_the_checkpoint_marks_and_time_attributes_for_the_scheduler():
    log = RunLog(["w"], ("training_iteration", "time_total_s"), marks=("_pbt_checkpoint",))
    rows = [
        {"_step": 1, "w": 1.0, "training_iteration": 1, "time_total_s": 1.5, "_pbt_checkpoint": 1, "pid": 7},
        {"_step": 2, "training_iteration": 2, "time_total_s": 3.0, "_pbt_checkpoint": 2},  # no metric, a checkpoint
        {"_step": 3, "training_iteration": 3, "time_total_s": 4.5},  # neither: not a sampled row
    ]
    for item in rows:
        log.add({"type": "history", "history": {"item": item}})
    history, _ = log.snapshot()
    assert history == [
        {"w": 1.0, "_pbt_checkpoint": 1, "training_iteration": 1, "time_total_s": 1.5, "_step": 1},
        {"_pbt_checkpoint": 2, "training_iteration": 2, "time_total_s": 3.0, "_step": 2},
    ]
    plain = RunLog(["w"])  # other sweeps: the metric rows only, as before
    for item in rows:
        plain.add({"type": "history", "history": {"item": item}})
    assert plain.snapshot()[0] == [{"w": 1.0, "_step": 1}]


def _generated(tmp_path, scheduler, num_samples, name="sweep"):
    """The sweep config of a real translation (tests/pbt_harness.py), saved with its generated scheduler."""
    import yaml
    from pbt_harness import sweep

    path = tmp_path / f"{name}-{num_samples}.yaml"
    sweep(scheduler, config={"lr": tune.uniform(0.001, 0.1)}, num_samples=num_samples, metric="w", mode="max").save(
        path
    )
    config = yaml.safe_load(path.read_text())
    return {**config, "scheduler": {**config["scheduler"], "source": str(tmp_path / config["scheduler"]["source"])}}


def test_the_population_size_is_read_from_a_generated_pbt_scheduler_only(tmp_path):
    """The runner reads SPEC["pbt"]["num_samples"] of the scheduler pbt_source generates, and nothing else."""
    from sweepbridge.tune.schedulers import PB2, ASHAScheduler, PopulationBasedTraining

    pbt = PopulationBasedTraining(
        time_attr="training_iteration", perturbation_interval=2, hyperparam_mutations={"lr": tune.uniform(0.001, 0.1)}
    )
    assert pbt_population(_generated(tmp_path, pbt, 4)) == 4
    if importlib.util.find_spec("sklearn") is not None:
        assert (
            pbt_population(
                _generated(tmp_path, PB2(time_attr="training_iteration", hyperparam_bounds={"lr": [0.001, 0.1]}), 3)
            )
            == 3
        )
    asha = _generated(tmp_path, ASHAScheduler(max_t=4), 4, "asha")
    assert asha["method"] == "custom" and pbt_population(asha) is None  # another generated study
    foreign = _generated(tmp_path, pbt, 4, "own")
    Path(foreign["scheduler"]["source"]).write_text("import optuna\nSPEC = {}\n")
    assert pbt_population(foreign) is None  # not sweepbridge's
    missing = {"method": "custom", "scheduler": {"engine": "optuna", "source": str(tmp_path / "none.py")}}
    assert pbt_population(missing) is None
    assert pbt_population({"method": "random", "parameters": {}}) is None


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="--jobs 2 needs two CPUs")
def test_jobs_above_the_population_are_capped_and_said(tmp_path, monkeypatch):
    """An ask beyond the population gets no run and would end W&B's scheduler: --jobs is capped at it."""
    from sweepbridge.runner.display import TextDisplay
    from sweepbridge.runner.sweep import SweepRunner
    from sweepbridge.tune.schedulers import PopulationBasedTraining

    monkeypatch.chdir(HERE.parent)
    kw = {"interpreter": sys.executable, "warm": False}
    pbt = PopulationBasedTraining(
        time_attr="training_iteration", perturbation_interval=2, hyperparam_mutations={"lr": tune.uniform(0.001, 0.1)}
    )
    stream = io.StringIO()
    runner = SweepRunner(_generated(tmp_path, pbt, 1), jobs=2, out=tmp_path / "out", display=TextDisplay(stream), **kw)
    assert (runner.population, runner.jobs) == (1, 1)
    runner._announce_waves()
    assert "PBT: --jobs 2 capped at the population size 1" in stream.getvalue()


@pytest.mark.slow  # three trial processes under the runner
def test_the_runner_shows_pbt_trials_as_chains_and_fit_returns_one_result_per_trial(tmp_path, monkeypatch, wandb_env):
    pytest.importorskip("optuna")
    from sweepbridge.experiment import result_grid
    from sweepbridge.runner.display import TextDisplay
    from sweepbridge.runner.sweep import SweepRunner
    from sweepbridge.trial_command import TrialCommand

    storage = tmp_path / "storage"
    shutil.copy(HERE / "pbt_trainables.py", tmp_path / "train.py")
    (tmp_path / "plan.py").write_text(SOURCE.format(storage=str(storage)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    monkeypatch.setenv("PROBE", str(tmp_path / "probe.jsonl"))
    monkeypatch.delenv("WANDB_DIR")
    config = {
        "program": "train.py",
        "method": "custom",
        "metric": {"name": "w", "goal": "maximize"},
        "command": TrialCommand("train.py", "train_weights", metric="w").command(),
        "scheduler": {
            "engine": "optuna",
            "source": "plan.py",
            "optimizer": "optimizer",
            "search_space": "search_space",
        },  # noqa: E501
    }
    stream = io.StringIO()
    outcome = SweepRunner(config, count=3, out=tmp_path / "out", display=TextDisplay(stream)).run()
    assert [r.state for r in outcome.results] == ["finished"] * 3, stream.getvalue()
    text = stream.getvalue()
    assert "runs in waves of 1" in text  # two trials under --jobs 1
    assert "PBT: 2 trials, 3 runs" in text
    table = text[text.index("top 2 PBT trials by final w (maximize):") :].splitlines()
    assert table[3].split()[:5] == ["1", "pbt_00000", "44", "44", "2"]  # w: 2 (pbt_00001 @2) + 20 + 20
    assert table[4].split()[:5] == ["2", "pbt_00001", "6", "6", "1"]
    assert "pbt=pbt_00000#1 from pbt_00001/0000@2" in text  # the run's start line names its lineage

    trials = json.loads((tmp_path / "out" / "pbt_trials.json").read_text())
    first = next(t for t in trials if t["trial"] == "pbt_00000")
    run_ids = [r.id for r in outcome.results]
    assert (first["final"], first["best"], first["generations"]) == (44.0, 44.0, 2)
    assert first["final_config"] == {"lr": 20.0, "steps": 2}
    assert [(g["run"], g["start_iteration"], g["donor"]) for g in first["runs"]] == [
        (run_ids[0], 0, None),
        (run_ids[2], 2, "pbt_00001/0000"),
    ]

    # what the engine (the PBT scheduler) was told of each run: the metric, PBT's time attributes, the checkpoints
    told = [json.loads(line) for line in (tmp_path / "out" / "trials.jsonl").read_text().splitlines()]
    (last,) = [e["history"] for e in told if e.get("event") == "end" and e["id"] == run_ids[2]]
    assert [(h["_step"], h["training_iteration"], h["_pbt_checkpoint"], h["w"]) for h in last] == [
        (3, 3, 3, 24.0),
        (4, 4, 4, 44.0),
    ]
    assert [h["time_total_s"] for h in last] == [4.5, 6.0]  # the donor's 3.0 s continued

    grid = result_grid(outcome, metric="w", mode="max")
    assert len(grid) == 2
    best = grid.get_best_result()
    assert best.config == {"lr": 20.0, "steps": 2}  # the final config
    assert best.config_schedule == [(0, {"lr": 1.0, "steps": 3}), (2, {"lr": 20.0, "steps": 2})]
    assert best.wandb_run_ids == [run_ids[0], run_ids[2]]
    assert [row["training_iteration"] for row in best.metrics_dataframe.to_dict("records")] == [1, 2, 3, 3, 4]
    assert best.metrics["w"] == 44.0 and best.metrics["training_iteration"] == 4
    other = next(r for r in grid if r is not best)
    assert other.config == {"lr": 2.0, "steps": 3} and other.config_schedule == [(0, {"lr": 2.0, "steps": 3})]


def _example_step(accuracy: float, lr: float) -> float:
    """One iteration of examples/tuner_pbt.py's pbt_function (its deterministic learning curve)."""
    optimal_lr = 0.01 if accuracy < 100 else 0.001
    q_err = max(lr, optimal_lr) / min(lr, optimal_lr)
    if q_err < 3:
        accuracy += (1.0 / q_err) * 10
    elif lr > optimal_lr:
        accuracy -= (q_err - 3) * 10
    return max(accuracy, 0)


@pytest.mark.slow  # a whole PBT sweep of the example under the runner (about six trial processes)
def test_the_pbt_example_runs_end_to_end_and_a_continuation_restores_its_donor(tmp_path, monkeypatch, wandb_env):
    """examples/tuner_pbt.py's trainable under `sweepbridge run` with the generated PBT scheduler: PBT exploits
    (the scheduler finds the donor's checkpoint in the storage the runtime published it to) and the continuation
    restores that checkpoint: its first report is the donor's iteration + 1 and continues the donor's accuracy
    with the explored lr. synch=True and a population of 2 in waves of 1 make an exploit certain at the first
    sync point (a trial as fast as this one finishes its run before the scheduler polls; asynchronous PBT would
    then judge it alone)."""
    pytest.importorskip("optuna")
    import yaml

    from sweepbridge.runner.display import TextDisplay
    from sweepbridge.runner.sweep import SweepRunner
    from sweepbridge.tune.schedulers import PopulationBasedTraining

    storage = tmp_path / "storage"
    pbt = PopulationBasedTraining(
        time_attr="training_iteration",
        perturbation_interval=2,
        hyperparam_mutations={"lr": tune.uniform(0.0001, 0.02)},
        synch=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run(f"{HERE.parent / 'examples' / 'tuner_pbt.py'}:pbt_function",
                       config={"lr": tune.uniform(0.0001, 0.02)}, scheduler=pbt, num_samples=2,
                       metric="mean_accuracy", mode="max", stop={"training_iteration": 6},
                       storage_path=str(storage), engine="optuna")  # fmt: skip
    cfg.save(tmp_path / "sweep.yaml")
    config = yaml.safe_load((tmp_path / "sweep.yaml").read_text())
    config["scheduler"]["source"] = str(tmp_path / config["scheduler"]["source"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    monkeypatch.delenv("WANDB_DIR")
    stream = io.StringIO()
    outcome = SweepRunner(config, jobs=1, out=tmp_path / "out", display=TextDisplay(stream)).run()
    text = stream.getvalue()
    assert outcome.exit_status == 0, text
    assert "PBT: the population has 2 trials, more than --jobs 1: it runs in waves of 1" in text

    runs = {r.id: r for r in outcome.results}
    by_name = {f"{r.config['_pbt']['trial']}/{r.config['_pbt']['generation']:04d}": r for r in runs.values()}
    exploits = [
        r
        for r in runs.values()
        if (r.config["_pbt"]["donor"] or "").split("/")[0] not in ("", r.config["_pbt"]["trial"])
    ]
    assert exploits, text  # a bottom trial continued from the other trial's checkpoint
    for run in exploits:
        block = run.config["_pbt"]
        donor = by_name[block["donor"]]
        rows = [json.loads(line) for line in (Path(run.run_dir) / "result.json").read_text().splitlines()]
        donor_rows = [json.loads(line) for line in (Path(donor.run_dir) / "result.json").read_text().splitlines()]
        assert rows[0]["training_iteration"] == block["iteration"] + 1  # continues the donor's iteration
        published = Path(block["storage"]) / block["donor"] / f"checkpoint_{block['iteration']:06d}"
        assert storage in Path(block["storage"]).parents  # under RunConfig(storage_path=...), a folder per sweep
        state = json.loads((published / "state.json").read_text())
        at = next(r for r in donor_rows if r["training_iteration"] == block["iteration"])
        assert state == {"acc": at["mean_accuracy"], "step": block["iteration"]}  # the donor's checkpoint ...
        assert rows[0]["mean_accuracy"] == pytest.approx(_example_step(state["acc"], run.config["lr"]))  # ... loaded
        assert run.config["lr"] != donor.config["lr"]  # explored
        assert f"pbt={block['trial']}#{block['generation']} from {block['donor']}@{block['iteration']}" in text
    trials = json.loads((tmp_path / "out" / "pbt_trials.json").read_text())
    assert sorted(t["trial"] for t in trials) == ["pbt_00000", "pbt_00001"]
    assert all(t["runs"][-1]["state"] == "finished" for t in trials)  # every chain reached the stop iteration
