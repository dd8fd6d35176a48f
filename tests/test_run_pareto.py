"""A multi-objective sweep's Pareto set (sweepbridge.runner.pareto) against Optuna's own `study.best_trials`."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from sweepbridge.runner import pareto

optuna = pytest.importorskip("optuna")

ROOT = Path(__file__).resolve().parents[1]


def optuna_front(runs: list[tuple[str, list[float]]], goals: list[str]) -> set[str]:
    """The ids of Optuna's best_trials for finished trials with these values (one study, as told)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=goals)
    for run_id, values in runs:
        study.add_trial(optuna.trial.create_trial(values=values, user_attrs={"id": run_id}))
    return {t.user_attrs["id"] for t in study.best_trials}


def test_front_is_optunas_best_trials_on_random_values_with_ties():
    rng = random.Random(5)
    for case in range(60):
        goals = [rng.choice(["minimize", "maximize"]) for _ in range(rng.choice([2, 3]))]
        runs = [(f"r{i}", [float(rng.randint(0, 4)) for _ in goals]) for i in range(rng.randint(1, 25))]
        results = [SimpleNamespace(id=i, state="finished", summary=dict(zip("abc", v, strict=False))) for i, v in runs]
        ours = {r.id for r in pareto.front(results, list("abc")[: len(goals)], goals)}
        assert ours == optuna_front(runs, goals), (case, runs, goals)


def test_only_finished_runs_with_every_metric_take_part():
    results = [
        SimpleNamespace(id="a", state="finished", summary={"m": 1.0, "n": 1.0}),
        SimpleNamespace(id="b", state="killed", summary={"m": 0.0, "n": 0.0}),  # stopped: a FAIL in the study
        SimpleNamespace(id="c", state="finished", summary={"m": 0.0}),  # a metric missing: a FAIL too
        SimpleNamespace(id="d", state="finished", summary={"m": float("nan"), "n": 0.0}),
        SimpleNamespace(id="e", state="finished", summary={"m": 2.0, "n": 0.5}),
    ]
    assert [r.id for r in pareto.front(results, ["m", "n"], ["minimize", "minimize"])] == ["a", "e"]


SCRIPT = """
from sweepbridge import tune


def train(config):
    x, y = config["x"], config["y"]
    tune.report({"cost": x**2 + y, "quality": x * (1 - y) + 0.3 * y})


if __name__ == "__main__":
    import optuna

    search = tune.search.OptunaSearch(metric=["cost", "quality"], mode=["min", "max"],
                                      sampler=optuna.samplers.NSGAIISampler(seed=3, population_size=4))
    tune.run(train, config={"x": tune.uniform(0, 1), "y": tune.uniform(0, 1)}, search_alg=search, num_samples=6)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_") and k != "PYTHONWARNINGS"}
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]), PYTHONPATH=path,
               WANDB_SILENT="true")  # fmt: skip
    return env


@pytest.mark.slow
def test_a_two_metric_optunasearch_sweep_runs_and_its_pareto_set_is_optunas(tmp_path):
    pytest.importorskip("wandb")  # the script uses sweepbridge's mirror: each trial imports no Ray
    (tmp_path / "exp.py").write_text(SCRIPT)
    done = subprocess.run([sys.executable, "-m", "sweepbridge", "run", "exp.py"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out_dir = next(tmp_path.glob("wandb/sweep-*"))
    records = [json.loads(line) for line in (out_dir / "results.jsonl").read_text().splitlines()]
    assert len(records) == 6 and {r["state"] for r in records} == {"finished"}
    saved = (out_dir / "sweep.yaml").read_text()
    assert "metrics:" in saved and "method: custom" in saved and "early_terminate" not in saved
    runs = [(r["id"], [r["summary"]["cost"], r["summary"]["quality"]]) for r in records]
    expected = optuna_front(runs, ["minimize", "maximize"])
    written = json.loads((out_dir / "pareto.json").read_text())
    assert written["metrics"] == ["cost", "quality"] and written["goals"] == ["minimize", "maximize"]
    assert {r["id"] for r in written["runs"]} == expected
    shown = done.stdout + done.stderr
    assert f"Pareto set ({len(expected)} runs) over cost (minimize), quality (maximize)" in shown
    assert "top 5 by cost (minimize)" in shown  # ranked by the first metric
    best = min(records, key=lambda r: r["summary"]["cost"])
    assert best["metric"] == best["summary"]["cost"]
