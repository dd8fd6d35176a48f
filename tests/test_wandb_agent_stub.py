"""The UNMODIFIED wandb agent runs a sweep against the local stub (tests/wandb_stub.py).

These tests check the stub itself: it hands out runs drawn by W&B's engine, the agent starts each
one as it would against W&B (its `command`, the parameters in the child's wandb.config), and a
`stop` command reaches the run as SIGTERM.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from wandb_offline import offline_runs
from wandb_stub import stub_server

pytest.importorskip("wandb")
pytest.importorskip("sweeps")

pytestmark = pytest.mark.slow  # end to end: the unmodified wandb agent

PROGRAM = """\
import json, sys, time, wandb
run = wandb.init()
print("ARGV", json.dumps(sys.argv[1:]))
for i in range(int(run.config.get("steps", 3))):
    run.log({"loss": float(i)})
    time.sleep(float(run.config.get("pause", 0)))
run.finish()
"""

SWEEP = {
    "method": "random",
    "program": "prog.py",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        "model": {"parameters": {"width": {"values": [16, 32]}, "act": {"value": "relu"}}},
        "steps": {"value": 3},
    },
}


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    (work / "prog.py").write_text(PROGRAM)
    return home, work


@pytest.mark.skipif(shutil.which("wandb", path=str(Path(sys.executable).parent)) is None, reason="no wandb CLI")
def test_cli_agent_runs_the_engine_drawn_configs(tmp_path):
    home, work = _dirs(tmp_path)
    with stub_server(SWEEP, runs=2) as stub:
        agent = stub.start_agent(str(home), str(work))
        out, err = agent.communicate(timeout=120)
    assert agent.returncode == 0, err
    assert [c["type"] for c in stub.commands] == ["run", "run", "exit"]
    assert stub.ended == ["run0001", "run0002"]
    runs = offline_runs(home)
    assert sorted(runs) == ["run0001", "run0002"]
    for handed in stub.handed_out:
        run = runs[handed.run_id]
        assert run.config == handed.config  # exactly the engine's draw, types included
        assert isinstance(run.config["model"]["width"], int) and 1e-4 <= run.config["lr"] <= 1e-1
        assert [row["loss"] for row in run.history] == [0.0, 1.0, 2.0]
        assert run.exit_code == 0
        assert f"--lr={handed.config['lr']}" in run.output_text  # the default command: ${args}


def test_python_agent_stop_command_sends_sigterm(tmp_path):
    home, work = _dirs(tmp_path)
    sweep = {**SWEEP, "parameters": {**SWEEP["parameters"], "steps": {"value": 10_000}, "pause": {"value": 0.05}}}
    with stub_server(sweep, runs=1) as stub:
        agent = stub.start_agent(str(home), str(work), cli=False)
        try:
            stub.wait_running("run0001")
            stub.stop("run0001")
            out, err = agent.communicate(timeout=60)
        finally:
            agent.kill()
    assert agent.returncode == 0, err
    assert [c["type"] for c in stub.commands] == ["run", "stop", "exit"]
    assert stub.ended == ["run0001"]
    assert "Stop: run0001" in err  # the agent's own log line before it sends SIGTERM
    (run,) = offline_runs(home).values()
    assert 0 < len(run.history) < 10_000  # stopped mid-way (a plain script dies on SIGTERM)
