"""Start `sweepbridge trial` as the wandb agent starts a run's command, without the agent's 5 s polls.

The agent (wandb/wandb_agent.py, Agent._command_run) writes the run's parameters with
`config_util.save_config_file_from_dict` to wandb/sweep-ID/config-RUN.yaml, sets WANDB_RUN_ID,
WANDB_SWEEP_ID and WANDB_SWEEP_PARAM_PATH, and runs the command in that environment. This does the
same, reusing wandb's function; tests/test_runtime_agent.py runs the real agent end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from wandb_offline import OfflineRun, offline_runs

SWEEP_ID = "sweep001"


def trial_env(home: Path, run_id: str, params: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, str]:
    from wandb.sdk.lib import config_util

    param_path = home / "wandb" / f"sweep-{SWEEP_ID}" / f"config-{run_id}.yaml"
    param_path.parent.mkdir(parents=True, exist_ok=True)
    config_util.save_config_file_from_dict(str(param_path), {k: {"value": v} for k, v in params.items()})
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")]),
        WANDB_MODE="offline",
        WANDB_SILENT="true",
        WANDB_DIR=str(home),
        WANDB_CONFIG_DIR=str(home),
        WANDB_CACHE_DIR=str(home),
        WANDB_PROJECT="stub-project",
        WANDB_SWEEP_ID=SWEEP_ID,
        WANDB_RUN_ID=run_id,
        WANDB_SWEEP_PARAM_PATH=str(param_path),
    )
    env.update(extra or {})
    return env


def trial_argv(program: str, trainable: str, *args: str) -> list[str]:
    """The command, as the agent expands COMMAND_HEAD (${env} = /usr/bin/env, ${interpreter} = python)."""
    return ["/usr/bin/env", "python", "-m", "sweepbridge", "trial", program, "--trainable", trainable, *args]


def start_trial(home: Path, cwd: Path, program: str, trainable: str, params: dict[str, Any], *args: str,
                run_id: str = "trial001", extra_env: dict[str, str] | None = None) -> subprocess.Popen:  # fmt: skip
    return subprocess.Popen(
        trial_argv(program, trainable, *args),
        cwd=cwd,
        env=trial_env(home, run_id, params, extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,  # as the agent starts it
    )


def run_trial(home: Path, cwd: Path, program: str, trainable: str, params: dict[str, Any], *args: str,
              run_id: str = "trial001", extra_env: dict[str, str] | None = None,
              timeout: float = 120) -> tuple[subprocess.CompletedProcess, OfflineRun | None]:  # fmt: skip
    proc = start_trial(home, cwd, program, trainable, params, *args, run_id=run_id, extra_env=extra_env)
    out, err = proc.communicate(timeout=timeout)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    runs = [r for r in offline_runs(home).values() if r.run_id == run_id]
    return done, (max(runs, key=lambda r: r.path.name) if runs else None)
