"""End to end: a conditional hyperopt space → engine="optuna" → saved sweep.yaml + sweep_scheduler.py →
`sweepbridge run` (the local runner drives wandb's make_optimizer / ask_n_runs / tell_run / prune_runs)."""

from __future__ import annotations

import time
import warnings

import pytest

from sweepbridge import ApproximationWarning, SweepConfig, to_sweep

pytest.importorskip("optuna")
hyperopt = pytest.importorskip("hyperopt")
from hyperopt import hp  # noqa: E402

pytestmark = pytest.mark.slow  # end to end: an engine='optuna' sweep run here


def test_local_runner_runs_a_conditional_sweep(tmp_path, monkeypatch, wandb_env):
    import wandb

    from sweepbridge.runner.sweep import SweepRunner

    space = {
        "classifier": hp.choice("type", [
            {"type": "naive_bayes"},
            {"type": "svm", "C": hp.lognormal("C", 0, 1)},
            {"type": "dtree", "depth": hp.choice("depth", [None, hp.randint("d", 1, 8)])},
        ]),
    }  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        cfg = to_sweep(space, engine="optuna", method="random", seed=7, metric="loss", run_cap=6)
    cfg.save(tmp_path / "sweep.yaml")
    monkeypatch.chdir(tmp_path)
    seen = []

    def train():
        run = wandb.init()
        config = run.config.as_dict() if hasattr(run.config, "as_dict") else dict(run.config)
        seen.append(config)
        clf = config["classifier"]
        value = {"naive_bayes": 1.0, "svm": 0.5, "dtree": 0.7}[clf["type"]]
        for step in range(3):
            run.log({"loss": value + 0.01 * step}, step=step)
            time.sleep(0.01)

    loaded = SweepConfig.load(tmp_path / "sweep.yaml")
    runner = SweepRunner(dict(loaded), function=train, out=tmp_path / "out", base=tmp_path)
    outcome = runner.run()
    assert len(outcome.results) == 6 == len(runner.engine.optimizer.study.trials)
    expected = {"naive_bayes": {"type"}, "svm": {"type", "C"}, "dtree": {"type", "depth"}}
    for result in outcome.results:
        clf = result.config["classifier"]
        assert set(clf) == expected[clf["type"]]  # inactive branches absent, as in hyperopt
        assert result.state == "finished"
    assert [s["classifier"] for s in seen] == [r.config["classifier"] for r in outcome.results]
