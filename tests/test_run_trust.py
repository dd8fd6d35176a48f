"""`sweepbridge run` a user can trust, end to end (real trials, the real wandb client offline): a failed
run's traceback on the terminal as it ends, honest exit statuses, failed runs never best, the trials'
interpreter checked before the first trial, and no trial outliving a killed runner."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sweepbridge.runner.results import read_results

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
BIN = os.path.dirname(sys.executable)

RAISES = """
import wandb
run = wandb.init()
run.log({"loss": -100.0})  # better than any finished run: a failed run must still never be best
if run.config["i"] > 0:
    raise ValueError(f"bad value for i: {run.config['i']}")
run.log({"loss": float(run.config["i"]) + 1.0})
"""


@pytest.fixture
def workdir(tmp_path, monkeypatch, wandb_env):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WANDB_DIR")
    return tmp_path


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["PATH"] = os.pathsep.join([BIN, os.environ.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))
    env.update(extra)
    return env


def sweep_run(workdir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sweepbridge", "run", "sweep.yaml", *args],
        cwd=workdir,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_sweep(workdir: Path, program: str, values: list, **extra) -> None:
    (workdir / "prog.py").write_text(program)
    cfg = {"program": "prog.py", "method": "grid", "metric": {"name": "loss", "goal": "minimize"}, **extra}
    cfg["parameters"] = {"i": {"values": values}}
    (workdir / "sweep.yaml").write_text(yaml.safe_dump(cfg))


def test_a_failing_program_shows_its_traceback_and_never_ranks(workdir):
    write_sweep(workdir, RAISES, [0, 1])
    done = sweep_run(workdir, "--out", "out")
    assert done.returncode == 0, done.stderr  # one run finished
    assert "ValueError: bad value for i: 1" in done.stderr and "Traceback (most recent call last)" in done.stderr
    assert "\x1b[" not in done.stderr  # no terminal codes when stderr is not a terminal
    lines = read_results(workdir / "out" / "results.jsonl")
    assert [line["state"] for line in lines] == ["finished", "failed"]
    failed = lines[1]
    assert failed["error"][-1] == "ValueError: bad value for i: 1" and failed["metric"] == -100.0
    assert not any(line.startswith("wandb:") for line in failed["error"])
    assert f"log: {failed['output']}" in done.stderr
    # the leaderboard's best is the finished run, not the failed one's better value
    top = [row for row in done.stdout.splitlines() if re.match(r"\s*1\s", row)]
    assert top and lines[0]["id"] in top[0] and failed["id"] not in done.stdout.split("top ")[1].split("results:")[0]


def test_exit_status_when_every_run_fails_and_when_the_failure_rule_stops_the_sweep(workdir):
    write_sweep(workdir, RAISES, [1, 2])
    done = sweep_run(workdir, "--out", "a")
    assert done.returncode == 4, done.stderr
    assert "no run finished" in done.stdout and "ValueError: bad value for i: 2" in done.stderr
    write_sweep(workdir, RAISES, [1, 2, 3, 4])  # the agent's flapping check: 3 failures in its first 60 s
    done = sweep_run(workdir, "--out", "b")
    assert done.returncode == 3, done.stderr
    assert "the sweep was stopped: 3 failed runs in the first 60 s" in done.stderr
    assert len(read_results(workdir / "b" / "results.jsonl")) == 3


def test_a_used_or_busy_out_is_refused_before_any_trial(workdir):
    write_sweep(workdir, RAISES, [0])
    assert sweep_run(workdir, "--out", "out").returncode == 0
    done = sweep_run(workdir, "--out", "out")
    assert done.returncode == 1 and "--resume out" in done.stderr and "different --out" in done.stderr
    assert len(read_results(workdir / "out" / "results.jsonl")) == 1  # the first sweep's record untouched


def test_the_trials_interpreter_is_checked_before_the_first_trial(workdir):
    write_sweep(workdir, RAISES, [0])
    no_site = workdir / "bin" / "python"
    no_site.parent.mkdir()
    no_site.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')  # an interpreter without wandb
    no_site.chmod(0o755)
    env = cli_env(PATH=os.pathsep.join([str(no_site.parent), os.environ.get("PATH", "")]))
    done = sweep_run(workdir, "--out", "a", env=env)
    assert done.returncode == 1, done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert f"`python` ({no_site})" in message and "cannot import wandb (No module named 'wandb')" in message
    assert "source .venv/bin/activate" in message and "--interpreter" in message
    (workdir / "wandb").mkdir(exist_ok=True)  # what a run leaves: `import wandb` finds a namespace package
    done = sweep_run(workdir, "--out", "b", env=env)
    assert done.returncode == 1 and "finds only a directory named wandb" in done.stderr
    assert not (workdir / "a" / "results.jsonl").exists() and not (workdir / "b" / "results.jsonl").exists()
    done = sweep_run(workdir, "--out", "c", env=cli_env(PATH="/nonexistent"))
    assert done.returncode == 1 and "`python` (${interpreter}) is not found on PATH" in done.stderr
    done = sweep_run(workdir, "--out", "d", "--interpreter", sys.executable, env=env)  # the way out
    assert done.returncode == 0, done.stderr
    assert [line["state"] for line in read_results(workdir / "d" / "results.jsonl")] == ["finished"]


STUBBORN = """
import json, os, signal, subprocess, sys, time
import wandb
signal.signal(signal.SIGTERM, signal.SIG_IGN)
run = wandb.init()
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
os.makedirs("pids", exist_ok=True)
with open(f"pids/.{run.id}", "w") as fh:
    json.dump([os.getpid(), child.pid], fh)
os.replace(f"pids/.{run.id}", f"pids/{run.id}.json")
for step in range(6000):
    run.log({"loss": float(step)})
    time.sleep(0.1)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_runner_takes_every_trial_with_it_even_one_ignoring_sigterm(workdir):
    write_sweep(workdir, STUBBORN, [0, 1])
    runner = subprocess.Popen(
        [sys.executable, "-m", "sweepbridge", "run", "sweep.yaml", "--out", "out", "--jobs", "2"],
        cwd=workdir,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(list((workdir / "pids").glob("*.json")) if (workdir / "pids").exists() else []) < 2:
        assert time.monotonic() < deadline and runner.poll() is None, "the trials did not start"
        time.sleep(0.2)
    pids = [pid for p in (workdir / "pids").glob("*.json") for pid in json.loads(p.read_text())]
    assert all(alive(pid) for pid in pids)
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in pids if alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "trial processes outlived the killed runner"
