"""`Tuner.fit()` runs the experiment here (real W&B runs, offline) and returns Ray's ResultGrid API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = str(Path(sys.executable).parent)

pytestmark = pytest.mark.slow


def run_script(tmp_path: Path, text: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    (tmp_path / "exp.py").write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        PATH=os.pathsep.join([BIN, os.environ.get("PATH", "")]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        WANDB_SILENT="true",
    )
    return subprocess.run(
        [*args] if args else [sys.executable, "exp.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


FUNCTION_SCRIPT = """
import json, os, tempfile
from sweepbridge import tune

def objective(config):
    for i in range(3):
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "w.txt"), "w").write(str(i))
            tune.report({"score": config["a"] * (i + 1), "extra": {"i": i}},
                        checkpoint=tune.Checkpoint.from_directory(d))

if __name__ == "__main__":
    tuner = tune.Tuner(objective, param_space={"a": tune.grid_search([1, 2, 3])},
                       tune_config=tune.TuneConfig(metric="score", mode="max"))
    results = tuner.fit()
    best = results.get_best_result()
    with best.checkpoint.as_directory() as d:
        weights = open(os.path.join(d, "w.txt")).read()
    df = results.get_dataframe()
    print(json.dumps({
        "n": len(results), "best": best.config, "weights": weights,
        "configs": sorted(r.config["a"] for r in results),
        "scores": sorted(r.metrics["score"] for r in results),
        "history": [list(r.metrics_dataframe["score"]) for r in results],
        "columns": sorted(df.columns), "terminated": results.num_terminated, "errors": results.num_errors,
        "avg_best": results.get_best_result(scope="avg", mode="min").config,
        "run_ids": [r.wandb_run_id for r in results], "paths": [r.path for r in results],
    }))
"""


def test_fit_runs_every_trial_and_returns_rays_result_api(tmp_path):
    proc = run_script(tmp_path, FUNCTION_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n"] == 3 and out["configs"] == [1, 2, 3]
    assert out["scores"] == [3, 6, 9]  # each trial's last report
    assert sorted(out["history"]) == [[1, 2, 3], [2, 4, 6], [3, 6, 9]]
    assert out["best"] == {"a": 3} and out["avg_best"] == {"a": 1}
    assert out["weights"] == "2"  # the best trial's latest checkpoint
    assert {"score", "extra/i", "training_iteration", "config/a", "logdir"} <= set(out["columns"])
    assert out["terminated"] == 3 and out["errors"] == 0
    for run_id, path in zip(out["run_ids"], out["paths"], strict=True):
        assert path.endswith(run_id) and (Path(path) / f"run-{run_id}.wandb").is_file()  # real offline W&B runs


CLASS_AND_FAILURE_SCRIPT = """
import json
from sweepbridge import tune

class Counter(tune.Trainable):
    def setup(self, config):
        self.x = config["x"]
    def step(self):
        if self.x == 2:
            raise ValueError("x=2 fails")
        self.x += 1
        return {"value": self.x}

if __name__ == "__main__":
    results = tune.Tuner(Counter, param_space={"x": tune.grid_search([0, 2])},
                         run_config=tune.RunConfig(stop={"training_iteration": 2})).fit()
    ok = [r for r in results if not r.error]
    print(json.dumps({"n": len(results), "errors": results.num_errors,
                      "error_types": [type(e).__name__ for e in results.errors],
                      "ok": [(r.config, r.metrics["value"], r.metrics["training_iteration"]) for r in ok]}))
"""


def test_fit_with_a_class_trainable_defined_in_the_script_and_a_failing_trial(tmp_path):
    proc = run_script(tmp_path, CLASS_AND_FAILURE_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n"] == 2 and out["errors"] == 1 and out["error_types"] == ["TuneError"]
    assert out["ok"] == [[{"x": 0}, 2, 2]]  # stopped at training_iteration 2, as Ray's stop does
