"""Warm trials (runner/warm.py): a fork of the template is the same process a cold start makes.

Each test runs real sweeps (the real wandb client, offline; W&B's engine) and compares the warm
path with `--cold` (a new interpreter per trial, as the wandb agent starts it)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from sweepbridge.runner import run_sweep
from sweepbridge.runner.display import Display
from sweepbridge.runner.launch import TrialSpec
from sweepbridge.runner.warm import Launcher, WarmError, parse_command

pytestmark = pytest.mark.slow

BIN = os.path.dirname(sys.executable)

PROBE = r"""
import json, os, random, signal, sys
import wandb

record = {
    "argv": sys.argv, "orig_argv_tail": sys.orig_argv[-len(sys.argv) + 1 :] if len(sys.argv) > 1 else [],
    "path0": sys.path[0], "name": __name__, "file": __file__, "cwd": os.getcwd(),
    "env": dict(os.environ), "stdin": sys.stdin.read(), "own_group": os.getpgid(0) == os.getpid(),
    "signals": {s: str(signal.getsignal(getattr(signal, s))) for s in ("SIGINT", "SIGTERM", "SIGPIPE", "SIGCHLD")},
    "fds": sorted(fd for fd in os.listdir("/proc/self/fd") if int(fd) > 2),
    "leaked": hasattr(json, "sb_mark"), "random": random.random(), "stdout_tty": sys.stdout.isatty(),
    "stdout_buffered": not sys.stdout.line_buffering,
}
json.sb_mark = True
if "numpy" in sys.modules:
    record["numpy"] = float(sys.modules["numpy"].random.random())
run = wandb.init()
record["config"] = dict(run.config)
os.makedirs("records", exist_ok=True)
with open(f"records/{os.environ['WANDB_RUN_ID']}.json", "w") as f:
    json.dump(record, f)
act = run.config.get("act", "ok")
for step in range(3):
    run.log({"loss": float(run.config.get("i", 0)) + 1.0 / (step + 1)})
print("done", act, flush=True)
if act == "segv":
    os.kill(os.getpid(), signal.SIGSEGV)
if act == "exit3":
    os._exit(3)
if act == "raise":
    raise RuntimeError("the trial fails here")
run.finish()
"""


class Notes(Display):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def note(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture
def workdir(tmp_path, monkeypatch, wandb_env):
    (tmp_path / "probe.py").write_text(PROBE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([BIN, os.environ.get("PATH", "")]))
    monkeypatch.delenv("WANDB_DIR")
    monkeypatch.setenv("WANDB_AGENT_DISABLE_FLAPPING", "true")
    return tmp_path


def sweep(parameters: dict, **extra) -> dict:
    return {"program": "probe.py", "method": "grid", "metric": {"name": "loss", "goal": "minimize"}, **extra,
            "parameters": parameters}  # fmt: skip


def run_both(workdir: Path, cfg: dict, **kwargs) -> dict[str, tuple]:
    """{start: (outcome, {run id: record}, notes)} for the warm and the cold path."""
    got = {}
    for start in ("warm", "cold"):
        notes = Notes()
        outcome = run_sweep(cfg, out=f"out-{start}", warm=start == "warm", display=notes, **kwargs)
        records = {p.stem: json.loads(p.read_text()) for p in (workdir / "records").glob("*.json")}
        for p in (workdir / "records").glob("*.json"):
            p.unlink()
        got[start] = (outcome, records, notes.lines)
    return got


def _normalised(record: dict, run_id: str) -> dict:
    text = json.dumps({k: v for k, v in record.items() if k not in ("random", "numpy")})
    text = text.replace(run_id, "RUN")
    text = re.sub(r"sweep-[a-z0-9]{8}", "sweep-ID", text)
    return json.loads(text)


def _files(run_dir: Path, run_id: str) -> dict[str, object]:
    """The run's files as wandb writes them offline: names and the captured console output."""
    files = run_dir / "files"
    return {
        "names": sorted(p.name for p in files.iterdir()),
        "output": (files / "output.log").read_text().replace(run_id, "RUN"),
        "logs": sorted(p.name for p in (run_dir / "logs").iterdir()),
    }


def test_warm_and_cold_trials_are_the_same_process(workdir):
    """argv, sys.path, __main__, environment, stdin, signals, process group, open files, run files,
    histories and exit states: identical for a fork of the template and a new interpreter."""
    cfg = sweep({"i": {"values": [1, 2, 3]}, "name": {"value": "a b"}})
    got = run_both(workdir, cfg)
    (warm, warm_records, warm_notes), (cold, cold_records, cold_notes) = got["warm"], got["cold"]
    assert warm_notes == [] and cold_notes == ["trials start cold (a new interpreter each): --cold"]
    assert [r.state for r in warm.results] == [r.state for r in cold.results] == ["finished"] * 3
    by_i = {}
    for outcome, records in ((warm, warm_records), (cold, cold_records)):
        for r in outcome.results:
            rec = _normalised(records[r.id], r.id)
            env = rec.pop("env")
            env.pop("WANDB_SERVICE")  # the sweep's one wandb-core: a token naming this runner's service
            rec["env"] = env
            rec["result"] = (r.state, r.exit_code, r.history_rows, r.metric, r.summary.get("loss"))
            rec["files"] = _files(workdir / r.run_dir, r.id)
            by_i.setdefault(r.config["i"], []).append(rec)
    for i, (w, c) in by_i.items():
        assert w == c, i
        assert w["name"] == "__main__" and w["argv"][0] == "probe.py" and w["path0"] == str(workdir)
        assert w["stdin"] == "" and w["own_group"] and w["stdout_buffered"]


def test_module_state_and_random_state_never_leak_between_trials(workdir):
    cfg = sweep({"i": {"values": [1, 2, 3, 4]}})
    outcome = run_sweep(cfg, out="out", display=Notes())
    records = [json.loads(p.read_text()) for p in (workdir / "records").glob("*.json")]
    assert len(records) == 4 == len(outcome.results)
    assert not any(r["leaked"] for r in records)  # each trial set json.sb_mark in its own fork
    assert len({r["random"] for r in records}) == 4  # Python reseeds `random` in a forked child
    if "numpy" in records[0]:
        assert len({r["numpy"] for r in records}) == 4  # numpy's global generator, reseeded from the OS


def test_a_trial_that_segfaults_or_exits_hard_ends_like_a_cold_one_and_the_sweep_goes_on(workdir):
    cfg = sweep({"act": {"values": ["segv", "exit3", "raise", "ok"]}})
    got = run_both(workdir, cfg)
    ends = {}
    for start, (outcome, _records, _) in got.items():
        assert len(outcome.results) == 4 and outcome.reason == "the search space is exhausted"
        ends[start] = {r.config["act"]: (r.state, r.exit_code) for r in outcome.results}
    assert ends["warm"] == ends["cold"]
    assert ends["warm"]["segv"][1] == -11 and ends["warm"]["exit3"][1] == 3 and ends["warm"]["raise"][1] == 1
    assert ends["warm"]["ok"] == ("finished", 0)
    log = next(r.output for r in got["warm"][0].results if r.config["act"] == "raise")
    assert "RuntimeError: the trial fails here" in Path(log).read_text()


@pytest.mark.parametrize(
    ("command", "why"),
    [
        (["bash", "-c", "exec python probe.py"], "the command runs 'bash', not ${interpreter} (python)"),
        (["${env}", "${interpreter}", "-u", "${program}"], "the command passes options to the interpreter"),
        (["/usr/bin/env", "FOO=1", "${interpreter}", "${program}"], "the command's ${env} sets variables or options"),
    ],
)
def test_commands_a_fork_cannot_reproduce_start_cold_saying_why(workdir, command, why):
    notes = Notes()
    outcome = run_sweep(sweep({"i": {"values": [1, 2]}}, command=command), out="out", display=notes)
    assert [r.state for r in outcome.results] == ["finished", "finished"]
    assert notes.lines == [f"trials start cold (a new interpreter each): {why}"]  # once, not per trial


def test_parse_command_reads_the_agents_shapes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text("")
    assert parse_command(["/usr/bin/env", "python", "train.py", "--a=1"]) == (("path", "train.py"), ["--a=1"])
    assert parse_command(["python", "-m", "sweepbridge", "trial", "x"]) == (("module", "sweepbridge"), ["trial", "x"])
    for argv in (["python", "missing.py"], ["python", "train.sh"], ["python"], ["python3", "train.py"]):
        with pytest.raises(WarmError):
            parse_command(argv)


def _spec() -> TrialSpec:
    return TrialSpec("sweep", "run", {})


def test_a_startup_variable_that_differs_from_the_templates_starts_cold(workdir):
    notes: list[str] = []
    launcher = Launcher(True, workdir / "logs", notes.append, wait=True)
    env = dict(os.environ, WANDB_MODE="offline")
    try:
        first = launcher.start(_spec(), ["python", "probe.py"], env, workdir / "a.log", lambda: None)
        assert type(first).__name__ == "WarmTrial"
        other = launcher.start(
            _spec(), ["python", "probe.py"], dict(env, PYTHONHASHSEED="7"), workdir / "b.log", lambda: None
        )
        assert type(other).__name__ == "ProcessTrial"
        assert notes == [
            "trials start cold (a new interpreter each): PYTHONHASHSEED differ from the template's "
            "(read at interpreter start-up)"
        ]
        for trial in (first, other):
            while trial.poll() is None:
                import time

                time.sleep(0.05)
    finally:
        launcher.close()


def test_a_python_without_wandb_starts_cold_saying_why(workdir, tmp_path):
    """The trials' `python` cannot import wandb: the template cannot start; the trial starts cold."""
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "python").write_text(f'#!/bin/sh\nexec {sys.executable} -I -S "$@"\n')  # no site-packages
    (shim / "python").chmod(0o755)
    notes: list[str] = []
    launcher = Launcher(True, workdir / "logs", notes.append, wait=True)
    env = dict(os.environ, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}")
    try:
        trial = launcher.start(_spec(), ["python", "probe.py"], env, workdir / "a.log", lambda: None)
        assert type(trial).__name__ == "ProcessTrial"
        while trial.poll() is None:
            import time

            time.sleep(0.05)
    finally:
        launcher.close()
    assert len(notes) == 1 and notes[0].startswith("trials start cold (a new interpreter each): ")
    assert "wandb" in notes[0]


UNFINISHED = """
import sys
import wandb

run = wandb.init()
for step in range(3):
    run.log({"loss": 1.0 / (step + 1)}, step=step)  # a row with a step is written at the next one, or at the end
if run.config["code"]:
    sys.exit(run.config["code"])
"""


def test_a_program_that_never_finishes_its_run_keeps_its_last_row_and_exit_status(workdir):
    """Under the agent a trial's own wandb-core finishes its run at exit; on the sweep's shared wandb-core
    the runner does: the last row and an exit record with the program's exit status reach the run's log."""
    from sweepbridge.runner.history import read_records

    (workdir / "probe.py").write_text(UNFINISHED)
    got = run_both(workdir, sweep({"code": {"values": [0, 3]}}))
    for start, (outcome, _records, _notes) in got.items():
        ends = {}
        for r in outcome.results:
            exits = [
                rec["exit"] for rec in read_records(next(Path(r.run_dir).glob("*.wandb"))) if rec["type"] == "exit"
            ]
            ends[r.config["code"]] = (r.state, r.history_rows, r.metric, [e.get("exit_code", 0) for e in exits])
        assert ends == {0: ("finished", 3, 1.0 / 3, [0]), 3: ("failed", 3, 1.0 / 3, [3])}, start
