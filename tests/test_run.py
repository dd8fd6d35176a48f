"""`sweepbridge run` end to end: real trials (subprocesses logging with the real wandb client, offline)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sweepbridge.errors import SpecError
from sweepbridge.runner import load_sweep, run_sweep
from sweepbridge.runner.results import read_results

sweeps = pytest.importorskip("sweeps")

pytestmark = pytest.mark.slow  # end to end: whole sweeps of real trials

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = os.path.dirname(sys.executable)


@pytest.fixture
def workdir(tmp_path, monkeypatch, wandb_env):
    """A scratch directory holding the test program, as the working directory, `python` = this one."""
    shutil.copy(HERE / "run_program.py", tmp_path / "prog.py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([BIN, os.environ.get("PATH", "")]))
    monkeypatch.delenv("WANDB_DIR")  # the runner decides where runs go: the working directory
    return tmp_path


def sweep(parameters: dict, **extra) -> dict:
    return {
        "program": "prog.py",
        "method": "grid",
        "metric": {"name": "loss", "goal": "minimize"},
        **extra,
        "parameters": parameters,
    }


def records(workdir: Path) -> dict[str, dict]:
    files = (workdir / "records").glob("*.json")  # not the program's ".ID.json" being written
    return {p.stem: json.loads(p.read_text()) for p in files if not p.name.startswith(".")}


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie child of ours counts as gone
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_grid_runs_every_point_once_then_ends(workdir):
    cfg = sweep({"curve": {"values": [0.5, 0.25, 0.125]}, "tag": {"value": "x"}})
    outcome = run_sweep(cfg, jobs=2, out="out")
    expected = [{k: v["value"] for k, v in r.config.items()} for r in _grid(cfg)]
    got = sorted((r.config for r in outcome.results), key=lambda c: -c["curve"])
    assert got == expected and outcome.reason == "the search space is exhausted"
    lines = read_results(workdir / "out" / "results.jsonl")
    assert [line["id"] for line in lines] == [r.id for r in outcome.results]
    seen = records(workdir)
    for line in lines:
        assert line["state"] == "finished" and line["history_rows"] == 4 and line["metric"] == line["config"]["curve"]
        assert seen[line["id"]]["config"] == line["config"]  # what the program's wandb.config held
        assert (workdir / line["run_dir"]).is_dir()
    assert len((workdir / "out" / "results.csv").read_text().splitlines()) == 4
    assert outcome.best(1)[0].config["curve"] == 0.125


def _grid(cfg):
    runs: list = []
    while (run := sweeps.next_run(cfg, runs)) is not None:
        run.state = sweeps.RunState.finished
        runs.append(run)
    return runs


def _normalised(record: dict, sweep_id: str, run_id: str) -> dict:
    text = json.dumps({k: record[k] for k in ("argv", "env", "config_file", "config")})
    return json.loads(text.replace(sweep_id, "SWEEP").replace(run_id, "RUN"))


@pytest.mark.skipif(not (Path(BIN) / "wandb").exists(), reason="no wandb CLI")
@pytest.mark.parametrize("start", ["warm", "cold"])
def test_the_program_starts_as_under_the_real_wandb_agent(workdir, start):
    """argv, environment and config file: `wandb agent` against the local W&B stub vs `sweepbridge run`,
    with trials forked from the warm template and started cold."""
    from wandb_stub import stub_server

    command = [
        "${env}",
        "${interpreter}",
        "${program}",
        "--fixed",
        "${args}",
        "${args_no_hyphens}",
        "${args_json}",
        "${args_json_file}",
        "${envvar:SB_TEST_VAR}",
    ]
    params = {"lr": {"value": 0.01}, "name": {"value": "a b"}, "flag": {"value": False}, "curve": {"value": 0.5}}
    cfg = sweep(params, command=command)
    _write(workdir, cfg)
    home = workdir / "home"
    home.mkdir()
    with stub_server(cfg, runs=1) as stub:
        env = stub.agent_env(str(home), {"SB_TEST_VAR": "from-env"})
        agent = stub.start_agent(str(home), str(workdir), extra_env={"SB_TEST_VAR": "from-env"})
        out, err = agent.communicate(timeout=120)
        assert agent.returncode == 0, err
        (handed,) = stub.handed_out
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        ours = subprocess.run(
            [sys.executable, "-m", "sweepbridge", "run", "sweep.yaml", "--out", "out"]
            + (["--cold"] if start == "cold" else []),
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert ours.returncode == 0, ours.stderr
    (line,) = read_results(workdir / "out" / "results.jsonl")
    (sweep_id,) = [d.name[6:] for d in (home / "wandb").glob("sweep-*") if d.name != f"sweep-{stub.sweep_id}"]
    seen = records(workdir)
    under_agent = _normalised(seen[handed.run_id], stub.sweep_id, handed.run_id)
    under_runner = _normalised(seen[line["id"]], sweep_id, line["id"])
    # the runner's documented differences: a wandb setting to read the history live, no sweep id
    # W&B never issued (it would make `wandb sync` refuse the runs), and the sweep's one wandb-core
    assert under_runner["env"].pop("WANDB__TRANSACTION_LOG_FLUSH_INTERVAL") == "0.2"
    assert under_runner["env"].pop("WANDB_SERVICE").startswith("3-") and "WANDB_SERVICE" not in under_agent["env"]
    assert under_agent["env"].pop("WANDB_SWEEP_ID") == "SWEEP" and "WANDB_SWEEP_ID" not in under_runner["env"]
    assert under_runner == under_agent
    assert under_runner["argv"][:2] == ["--fixed", "--curve=0.5"] and under_runner["argv"][-1] == "from-env"
    assert under_runner["config"]["name"] == "a b" and under_runner["config_file"].startswith("wandb_version: 1")


def test_hyperband_stops_the_bad_run_with_sigterm_within_the_grace(workdir):
    cfg = sweep(
        {"curve": {"values": ["good1", "good2", "bad"]}, "pause": {"value": 0.2}},
        early_terminate={"type": "hyperband", "min_iter": 2, "eta": 2},
    )
    outcome = run_sweep(cfg, out="out", grace=5, jobs=2)
    *good, bad = outcome.results
    assert [r.state for r in outcome.results] == ["finished", "finished", "killed"]
    assert [r.stopped_by for r in outcome.results] == [None, None, "early_terminate"]
    assert bad.label == "stopped early" and outcome.best(3)[-1] is bad  # its values rank, after the better runs
    record = records(workdir)[bad.id]
    assert "sigterm_at" in record and record["ended_at"] - record["sigterm_at"] < 5
    # the decision is W&B's: stop_runs on the histories the runner had seen stops it at that length
    assert bad.stopped_at is not None and bad.stopped_at >= 2
    good_curve = [{"loss": v} for v in [1.0, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1]]
    runs = [sweeps.SweepRun(name=r.id, state="finished", history=good_curve) for r in good]
    runs.append(sweeps.SweepRun(name="bad", state="running", history=[{"loss": 10.0}] * bad.stopped_at))
    assert [r.name for r in sweeps.stop_runs(cfg, runs)] == ["bad"]
    assert bad.history_rows < 40


def test_a_program_failing_at_once_stops_the_sweep_where_the_agent_would(workdir):
    """wandb's agent: FLAPPING_MAX_FAILURES (3) failed runs in its first FLAPPING_MAX_SECONDS stop it
    (tests/test_run_failures.py checks the whole rule against wandb's Agent)."""
    cfg = sweep({"fail": {"value": True}, "i": {"values": [1, 2, 3, 4, 5]}})
    outcome = run_sweep(cfg, out="out")
    assert [r.state for r in outcome.results] == ["failed"] * 3 and [r.exit_code for r in outcome.results] == [1] * 3
    assert "3 failed runs in the first 60 s" in outcome.reason
    outcome = run_sweep(cfg, out="out2", max_failures=2)
    assert [r.state for r in outcome.results] == ["failed"] * 2


def test_in_process_function_like_wandb_agent(workdir):
    import wandb

    seen = []

    def train():
        run = wandb.init()
        seen.append((run.id, dict(run.config), os.environ["WANDB_RUN_ID"]))
        for step in range(3):
            run.log({"loss": run.config["x"] + step}, step=step)

    cfg = {"method": "random", "metric": {"name": "loss"}, "run_cap": 3, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    outcome = run_sweep(cfg, function=train, out="out")
    assert [r.state for r in outcome.results] == ["finished"] * 3
    assert [(r.id, r.config, r.id) for r in outcome.results] == seen
    assert all(r.history_rows == 3 and r.metric == pytest.approx(r.config["x"] + 2) for r in outcome.results)
    # wandb used directly in this process, then a sweep, then another: the first sweep tears wandb's
    # service down as pyagent does, and must not hand the stopped service's token to the next one
    wandb.init(mode="offline").finish()
    run_sweep({**cfg, "run_cap": 1}, function=train, out="out2")
    again = run_sweep({**cfg, "run_cap": 1}, function=train, out="out3")
    assert [r.state for r in again.results] == ["finished"] and again.results[0].history_rows == 3


def _cli(args: list[str], cwd: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-m", "sweepbridge", "run", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _write(workdir: Path, cfg: dict) -> None:
    (workdir / "sweep.yaml").write_text(yaml.safe_dump(cfg))


def test_sigkill_leaves_whole_result_lines_and_no_orphan(workdir):
    _write(workdir, sweep({"curve": {"values": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]}, "pause": {"value": 0.05}}))
    proc = _cli(["sweep.yaml", "--jobs", "2", "--out", "out"], workdir)
    results = workdir / "out" / "results.jsonl"
    _wait_for(lambda: results.exists() and results.read_text().count("\n") >= 2)
    proc.kill()
    proc.communicate()
    text = results.read_text()
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) >= 2 and all(line["state"] == "finished" for line in lines)
    for record in records(workdir).values():
        assert gone(record["pid"]), f"trial {record['pid']} outlived the killed runner"


def test_ctrl_c_stops_running_trials_and_keeps_results(workdir):
    _write(workdir, sweep({"curve": {"values": ["bad"]}, "pause": {"value": 0.5}}))
    # as from a terminal: SIGINT's default disposition, even where the tests run with it ignored (a
    # non-interactive shell's `&`), which the runner, as Python, would keep
    proc = _cli(["sweep.yaml", "--out", "out"], workdir, start_new_session=True, preexec_fn=_sigint_default)
    _wait_for(
        lambda: any("config" in r for r in records(workdir).values()) if (workdir / "records").exists() else False
    )
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    (record,) = records(workdir).values()
    assert "sigterm_at" in record and gone(record["pid"], within=5)
    (line,) = read_results(workdir / "out" / "results.jsonl")
    assert line["state"] == "killed" and line["stopped_by"] == "user" and line["history_rows"] >= 1
    assert "wandb sync" in out


def test_invalid_sweep_and_missing_program_fail_before_any_trial(workdir):
    _write(workdir, {"method": "grid", "parameters": {"x": {"min": 1}}})
    proc = _cli(["sweep.yaml"], workdir)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "not a valid sweep config" in err and "x:" in err
    _write(workdir, sweep({"x": {"values": [1]}}, program="missing.py"))
    proc = _cli(["sweep.yaml"], workdir)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "program 'missing.py' not found" in err
    assert not (workdir / "wandb").exists() and not (workdir / "records").exists()


TUNE_EXPERIMENT = """
from sweepbridge import tune


def train_fn(config):
    for i in range(4):
        tune.report({"loss": (config["x"] - 0.3) ** 2 + 1.0 / (i + 1)})


sweep = tune.run(train_fn, config={"x": tune.uniform(-1, 1), "k": 3}, num_samples=2, metric="loss", mode="min")
"""


def test_a_tune_trainable_runs_unmodified_through_the_runtime(workdir):
    pytest.importorskip("sweepbridge.runtime")
    (workdir / "exp.py").write_text(TUNE_EXPERIMENT)
    outcome = run_sweep("exp.py", out="out", count=1)  # translated (tune.run → program + trial command), run
    assert [r.state for r in outcome.results] == ["finished"]
    for r in outcome.results:
        assert r.history_rows == 4 and r.config["k"] == 3
        assert r.metric == pytest.approx((r.config["x"] - 0.3) ** 2 + 0.25)


def test_an_unimportable_trainable_is_reported_before_the_first_trial(workdir):
    pytest.importorskip("sweepbridge.runtime")
    (workdir / "exp.py").write_text(TUNE_EXPERIMENT)
    cfg, _ = load_sweep("exp.py")
    cfg["command"] = [c if c != "train_fn" else "no_such_fn" for c in cfg["command"]]
    with pytest.raises(SpecError, match="the trainable cannot be imported for a trial: .*no_such_fn"):
        run_sweep(cfg, out="out")
    assert not (workdir / "out").exists()
