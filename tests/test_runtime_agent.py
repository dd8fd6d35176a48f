"""End to end with the UNMODIFIED wandb agent against the local W&B stub (tests/wandb_stub.py).

A script defines a Ray Tune trainable and translates its experiment (tune.run) to sweep.yaml; the
stub hands out runs of that sweep with parameters drawn by W&B's engine; `wandb agent` starts each
run with the sweep's command (`python -m sweepbridge trial ...`); the runs log offline.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from wandb_offline import offline_runs
from wandb_stub import API_KEY, stub_server

pytest.importorskip("wandb")
pytest.importorskip("sweeps")

pytestmark = pytest.mark.slow  # end to end: the unmodified wandb agent

TRAIN = """\
import atexit, json, os, tempfile, time
from sweepbridge import tune

def _probe(**fields):
    with open(os.environ["PROBE"], "a") as f:
        f.write(json.dumps(fields) + "\\n")

def train_fn(config):
    _probe(run=tune.get_context().get_trial_id(), config=config)
    for i in range(config["steps"]):
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "i"), "w").write(str(i))
            tune.report({"loss": config["lr"] * config["model"]["width"] / (i + 1)}, checkpoint=tune.Checkpoint(d))
        time.sleep(config["pause"])

atexit.register(lambda: _probe(exit=time.time()))

if __name__ == "__main__":
    import sys
    steps, pause, stop = int(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
    space = {"lr": tune.loguniform(1e-4, 1e-1), "model": {"width": tune.randint(16, 64), "act": "relu"},
             "steps": steps, "pause": pause, "wandb": {"project": "stub-project", "group": "g1"}}
    sweep = tune.run(train_fn, config=space, metric="loss", mode="min", num_samples=3, stop=stop)
    sweep.save("sweep.yaml")
"""


def _emit(work: Path, steps: int, pause: float, stop: dict) -> dict:
    (work / "train.py").write_text(TRAIN)
    proc = subprocess.run(
        [sys.executable, "train.py", str(steps), str(pause), json.dumps(stop)],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load((work / "sweep.yaml").read_text())


def _probe(home: Path) -> list[dict]:
    return [json.loads(line) for line in (home / "probe.jsonl").read_text().splitlines()]


@pytest.fixture
def dirs(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    return home, work


def test_agent_runs_the_trainable_unchanged(dirs):
    home, work = dirs
    sweep = _emit(work, steps=5, pause=0, stop={"training_iteration": 4})
    assert sweep["program"] == "train.py" and sweep["command"][:6] == [
        "${env}",
        "${interpreter}",
        "-m",
        "sweepbridge",
        "trial",
        "${program}",
    ]
    with stub_server(sweep, runs=3) as stub:
        agent = stub.start_agent(str(home), str(work), extra_env={"PROBE": str(home / "probe.jsonl")})
        out, err = agent.communicate(timeout=180)
    assert agent.returncode == 0, err
    assert stub.ended == ["run0001", "run0002", "run0003"]
    runs = offline_runs(home)
    seen = {p["run"]: p["config"] for p in _probe(home) if "run" in p}
    for handed in stub.handed_out:
        run = runs[handed.run_id]
        assert run.config == handed.config  # wandb.config equals the engine's parameters
        assert isinstance(run.config["model"]["width"], int) and run.config["model"]["act"] == "relu"
        # the trainable received Ray's config: the same values plus config["wandb"] (without secrets)
        assert seen[handed.run_id] == {**handed.config, "wandb": {"project": "stub-project", "group": "g1"}}
        assert [(r["_step"], r["training_iteration"]) for r in run.history] == [(i, i) for i in (1, 2, 3, 4)]
        assert all("loss" in r for r in run.history)  # one hyperband iteration per report
        assert run.exit_code == 0 and run.group == "g1"
    # the API key the agent used is in no file we or wandb wrote
    leaked = [p for p in [*home.rglob("*"), *work.rglob("*")] if p.is_file() and API_KEY.encode() in p.read_bytes()]
    assert leaked == []


def test_api_key_in_the_config_is_refused_before_anything_is_written(dirs):
    home, work = dirs
    (work / "train.py").write_text(
        "from sweepbridge import tune\n\ndef train_fn(config):\n    pass\n\n"
        f"space = {{'a': tune.uniform(0, 1), 'wandb': {{'api_key': {API_KEY!r}}}}}\n"
        "tune.run(train_fn, config=space).save('sweep.yaml')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sweepbridge", "convert", "train.py"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "wandb login" in proc.stderr and API_KEY not in proc.stderr + proc.stdout
    assert not (work / "sweep.yaml").exists()


def test_stop_command_ends_the_run_cleanly(dirs):
    home, work = dirs
    sweep = _emit(work, steps=10_000, pause=0.1, stop={})
    with stub_server(sweep, runs=1) as stub:
        agent = stub.start_agent(str(home), str(work), extra_env={"PROBE": str(home / "probe.jsonl")})
        try:
            stub.wait_running("run0001")
            deadline = time.monotonic() + 60
            while not list(home.glob("wandb/offline-run-*/checkpoints/checkpoint_*")) and time.monotonic() < deadline:
                time.sleep(0.1)
            stub.stop("run0001")
            while not any(c["type"] == "stop" for c in stub.commands) and time.monotonic() < deadline:
                time.sleep(0.01)
            sent = time.time()  # the agent got the stop command in this heartbeat's answer and sends SIGTERM
            out, err = agent.communicate(timeout=60)
        finally:
            agent.kill()
    assert agent.returncode == 0, err
    (exited,) = [p["exit"] for p in _probe(home) if "exit" in p]
    assert exited - sent < 5
    (run,) = offline_runs(home).values()
    assert run.exit_code == 0  # the W&B run finished (not failed, not killed)
    kept = sorted((run.path / "checkpoints").iterdir())
    assert kept[-1].name == f"checkpoint_{len(run.history):06d}"
    assert (kept[-1] / "i").read_text() == str(len(run.history) - 1)
