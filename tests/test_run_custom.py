"""`method: custom` sweeps run through wandb's own optimizer loader (`make_optimizer`: the Optuna
engine of `wandb sweep-scheduler`), with a source file this test writes (conditional space, pruner)."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("optuna")

pytestmark = pytest.mark.slow  # end to end: a method: custom sweep through wandb's optimizer

SOURCE = """
import optuna


def optimizer(sweep):
    sampler = optuna.samplers.RandomSampler(seed=3)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=2)
    return optuna.create_study(direction="minimize", sampler=sampler, pruner=pruner)


def search_space(trial):
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if kind == "a":
        return {"kind": kind, "x": trial.suggest_float("x", 0.0, 1.0)}
    return {"kind": kind, "n": trial.suggest_int("n", 1, 3)}
"""

CONFIG = {
    "method": "custom",
    "metric": {"name": "loss", "goal": "minimize"},
    "run_cap": 4,
    "scheduler": {"engine": "optuna", "source": "space.py", "optimizer": "optimizer", "search_space": "search_space"},
    "parameters": {"kind": {"values": ["a", "b"]}},
}


def test_custom_sweep_runs_the_optuna_study_with_its_pruner(tmp_path, monkeypatch, wandb_env):
    import optuna
    import wandb

    from sweepbridge.runner.sweep import SweepRunner

    (tmp_path / "space.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path / "..")  # source resolved next to the sweep file, as given by `base`
    seen = []

    def train():
        run = wandb.init()
        config = dict(run.config)
        seen.append(config)
        value = config["x"] if config["kind"] == "a" else float(config["n"])
        for step in range(30):  # long enough for the pruner to see the history while the run runs
            run.log({"loss": value + 0.01 * step}, step=step)
            time.sleep(0.05)

    # our validator learns `method: custom` with the optuna branch; until then the loop runs it directly
    runner = SweepRunner(CONFIG, function=train, out=tmp_path / "out", base=tmp_path)
    outcome = runner.run()
    study = runner.engine.optimizer.study
    assert len(outcome.results) == 4 == len(study.trials)
    for result, trial in zip(outcome.results, study.trials, strict=True):
        assert result.config == trial.params  # the configs are the study's, conditional keys included
        assert set(result.config) == ({"kind", "x"} if result.config["kind"] == "a" else {"kind", "n"})
    states = {r.state: r for r in outcome.results}
    assert {t.state for t in study.trials} >= {optuna.trial.TrialState.COMPLETE}
    for result, trial in zip(outcome.results, study.trials, strict=True):
        if result.state == "finished":
            assert trial.state == optuna.trial.TrialState.COMPLETE and trial.value == pytest.approx(result.metric)
        if result.state == "killed":
            assert trial.state == optuna.trial.TrialState.PRUNED and result.history_rows < 30
    assert seen == [r.config for r in outcome.results]
    assert "killed" in states  # the pruner stopped at least one run


def test_an_unsaved_custom_sweep_runs_with_its_generated_source(tmp_path, monkeypatch, wandb_env):
    """run_sweep(to_sweep(space, engine="optuna")) without saving first: the generated source comes along."""
    import wandb

    from sweepbridge import run_sweep, to_sweep
    from sweepbridge.hyperopt import hp

    space = {"c": hp.choice("c", [{"kind": "a", "x": hp.uniform("x", 0, 1)}, {"kind": "b", "n": hp.randint("n", 3)}])}
    sweep = to_sweep(space, engine="optuna", metric="loss", run_cap=3, seed=5)
    assert sweep.scheduler_source is not None and sweep["scheduler"]["source"] == "sweep_scheduler.py"
    monkeypatch.chdir(tmp_path)  # no sweep_scheduler.py anywhere: only the SweepConfig holds the source
    seen = []

    def train():
        run = wandb.init()
        seen.append(dict(run.config))
        run.log({"loss": 1.0})

    outcome = run_sweep(sweep, function=train, out=tmp_path / "out")
    assert len(outcome.results) == 3 and seen == [r.config for r in outcome.results]
    for config in seen:  # the conditional space's own shapes, as the study samples them
        assert set(config["c"]) == ({"kind", "x"} if config["c"]["kind"] == "a" else {"kind", "n"})
    assert sweep["scheduler"]["source"] == "sweep_scheduler.py" and not list(tmp_path.glob("*.py"))
