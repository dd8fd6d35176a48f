"""Start trials exactly as the wandb agent does (wandb/wandb_agent.py `Agent._command_run`).

The command comes from wandb's own `create_sweep_command` / `create_sweep_command_args`, the
per-run config file from wandb's `save_config_file_from_dict`, the environment carries the same
WANDB_SWEEP_ID / WANDB_RUN_ID / WANDB_SWEEP_PARAM_PATH / WANDB_DIR, and the child runs in its own
process group with a closed stdin. `${interpreter}` is the literal `python`, as in the agent.
Differences: WANDB_MODE (offline by default); a short transaction-log flush interval (a wandb
setting), so the runner can read the metric history while the run runs; and offline, no
WANDB_SWEEP_ID: an id W&B's server never issued makes `wandb sync` refuse the run ("sweep ... not
found", wandb/wandb#8115), so the runs upload as plain runs and `wandb sweep --prior_run ID ...`
attaches them to a W&B sweep; the config file still reaches wandb.config through
WANDB_SWEEP_PARAM_PATH. Online, the sweep exists on W&B's server (runner/online.py) and the runs get
its WANDB_SWEEP_ID, as the agent's do.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

FLUSH_INTERVAL = "0.2"
"""Seconds between flushes of a run's transaction log (wandb's x_transaction_log_flush_interval)."""
RUNNER_ENV = {"WANDB__TRANSACTION_LOG_FLUSH_INTERVAL": FLUSH_INTERVAL}
SESSION_SETTINGS = {"WANDB_SWEEP_ID": "sweep_id", "WANDB_PROJECT": "project", "WANDB_ENTITY": "entity"}
"""Variables of `extra` an in-process trial hands to the live wandb session as settings."""


def child_preexec() -> None:
    """In a child, before exec: die (SIGTERM) with the runner, so a killed runner leaves no orphan."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass(frozen=True)
class TrialSpec:
    """One run as the agent receives it from W&B: its id and `{param: {"value": v}}` args."""

    sweep_id: str
    run_id: str
    config: dict[str, Any]

    @property
    def args(self) -> dict[str, dict[str, Any]]:
        return {k: {"value": v} for k, v in self.config.items()}


def wandb_dir() -> str:
    """WANDB_DIR as the agent sets it: the environment's, else the working directory."""
    return os.environ.get("WANDB_DIR") or os.path.abspath(os.getcwd())


def config_path(spec: TrialSpec, base_dir: str) -> str:
    """The per-run config file the agent writes (WANDB_SWEEP_PARAM_PATH)."""
    return os.path.join(base_dir, "wandb", f"sweep-{spec.sweep_id}", f"config-{spec.run_id}.yaml")


def write_config(spec: TrialSpec, base_dir: str) -> str:
    from wandb.sdk.lib import config_util

    path = config_path(spec, base_dir)
    config_util.save_config_file_from_dict(path, spec.args)
    return path


def trial_env(spec: TrialSpec, base_dir: str, extra: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: the agent's variables, then `extra` (mode, project, ...)."""
    env = dict(os.environ)
    env.pop("WANDB_SWEEP_ID", None)  # only online runs join a sweep (in `extra`): see the module docstring
    env.update(extra)
    env["WANDB_DIR"] = base_dir
    env["WANDB_RUN_ID"] = spec.run_id
    env["WANDB_SWEEP_PARAM_PATH"] = config_path(spec, base_dir)
    env.pop("WANDB_SERVICE", None)
    return env


def uses_program(sweep: Mapping[str, Any]) -> bool:
    from wandb.sdk.launch.sweeps import utils as sweep_utils

    command = sweep.get("command") if isinstance(sweep.get("command"), list) else None
    return "${program}" in [str(c) for c in (command or sweep_utils.DEFAULT_SWEEP_COMMAND)]


def command_line(sweep: Mapping[str, Any], spec: TrialSpec, base_dir: str) -> list[str]:
    """The argv the agent builds for this run (writing the args-json file when the command uses it)."""
    import platform

    from wandb.sdk.launch.sweeps import utils as sweep_utils

    command = sweep.get("command") if isinstance(sweep.get("command"), list) else None
    template = sweep_utils.create_sweep_command(list(command) if command else None)
    sweep_vars: dict[str, Any] = sweep_utils.create_sweep_command_args({"args": spec.args})
    json_file = os.path.join(base_dir, "wandb", f"sweep-{spec.sweep_id}", f"config-{spec.run_id}.json")
    if "${args_json_file}" in template:
        with open(json_file, "w") as fp:
            fp.write(sweep_vars["args_json"][0])
    sweep_vars["interpreter"] = ["python"]
    sweep_vars["program"] = [sweep.get("program")]
    sweep_vars["args_json_file"] = [json_file]
    if platform.system() != "Windows":
        sweep_vars["env"] = ["/usr/bin/env"]
    argv: list[str] = []
    for chunk in template:  # the agent's own expansion: whole-element macros only
        chunk = str(chunk)
        if chunk.startswith("${") and chunk.endswith("}"):
            argv += sweep_vars.get(chunk[2:-1]) or []
        else:
            argv.append(chunk)
    return argv


PREFLIGHT = """\
import sys
from sweepbridge.runtime.loading import Loader
try:
    Loader().object(sys.argv[1] + ":" + sys.argv[2])
except BaseException as exc:
    sys.exit(f"{type(exc).__name__}: {exc}")
"""


def check_trainable(sweep: Mapping[str, Any]) -> str | None:
    """Import a Tune trainable the way its trials will (a `python` child, the runtime's loader):
    the error text, or None when it imports (or the sweep's command does not start the trial
    runtime). A malformed trial command is a SpecError (`TrialCommand.in_sweep`)."""
    from ..trial_command import TrialCommand

    trial = TrialCommand.in_sweep(sweep)
    if trial is None:
        return None
    done = subprocess.run(
        ["python", "-c", PREFLIGHT, trial.program, trial.trainable],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {done.returncode}"


class Trial:
    """A running trial: a child process (as the agent's AgentProcess) or an in-process function.
    `on_exit` is called (from another thread) as soon as the trial has ended."""

    def __init__(self, spec: TrialSpec, on_exit: Callable[[], None] | None = None) -> None:
        self.spec = spec
        self.sigterm_at: float | None = None
        self.stopped = False
        self.on_exit = on_exit or (lambda: None)

    def poll(self) -> int | None:
        raise NotImplementedError

    def failed(self, code: int) -> bool:
        """Whether the wandb agent counts this ended run as failed: a non-zero exit status, not a signal."""
        return code > 0

    def terminate(self) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        """After exit: nothing of the trial may keep running."""


class ProcessTrial(Trial):
    def __init__(
        self,
        spec: TrialSpec,
        argv: list[str],
        env: dict[str, str],
        output: BinaryIO,
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(spec, on_exit)
        self.argv = argv
        try:
            self.popen = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.PIPE,
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=child_preexec,  # noqa: PLW1509
            )
        finally:
            output.close()
        assert self.popen.stdin is not None
        self.popen.stdin.close()
        threading.Thread(target=self._wait, daemon=True).start()

    def _wait(self) -> None:
        """Reap the child as soon as it exits (Popen's lock makes `poll` from the loop safe meanwhile)."""
        try:
            self.popen.wait()
        finally:
            self.on_exit()

    def poll(self) -> int | None:
        return self.popen.poll()

    def terminate(self) -> None:
        try:
            self.popen.terminate()
        except OSError:
            pass

    def kill(self) -> None:
        try:
            self.popen.kill()
        except OSError:
            pass

    def cleanup(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except OSError:
            pass


class FunctionTrial(Trial):
    """`function` called in this process, as `wandb.agent(function=...)` (wandb/agents/pyagent.py)."""

    def __init__(
        self,
        spec: TrialSpec,
        function: Callable[[], Any],
        base_dir: str,
        extra: Mapping[str, str],
        on_exit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(spec, on_exit)
        import wandb

        self.exit_code: int | None = None
        self.done = threading.Event()
        """Set when the function and wandb.finish have returned (as pyagent's `_run_done`)."""
        self.error: BaseException | None = None
        env = trial_env(spec, base_dir, extra)
        os.environ.pop("WANDB_SWEEP_ID", None)
        for key in ("WANDB_RUN_ID", "WANDB_SWEEP_PARAM_PATH", "WANDB_DIR", *extra):
            os.environ[key] = env[key]
        # pyagent tears wandb down before each job so that wandb.init() reads the new run's variables;
        # handing them to the live session instead keeps its service (and saves its start-up).
        wandb.setup(
            wandb.Settings(
                run_id=spec.run_id,
                sweep_param_path=env["WANDB_SWEEP_PARAM_PATH"],
                root_dir=base_dir,
                mode=extra.get("WANDB_MODE", "offline"),
                x_transaction_log_flush_interval=float(FLUSH_INTERVAL),
                **{name: extra[key] for key, name in SESSION_SETTINGS.items() if key in extra},
            )
        )
        self.thread = threading.Thread(target=self._run, args=(function,), daemon=True)
        self.thread.start()

    def _run(self, function: Callable[[], Any]) -> None:
        import traceback

        import wandb

        try:
            function()
            wandb.finish()
            self.exit_code = 0
        except BaseException as exc:  # the trial's failure, not the runner's
            self.error = exc
            traceback.print_exception(exc, file=sys.stderr)
            wandb.finish(exit_code=1)
            self.exit_code = 1
        finally:
            self.done.set()
            self.on_exit()

    def poll(self) -> int | None:
        if not self.done.is_set() and self.thread.is_alive():
            if self.stopped:  # wandb's own code may swallow the exception: raise it again until it ends
                self.terminate()
            return None
        self.thread.join()
        return self.exit_code if self.exit_code is not None else 1

    def failed(self, code: int) -> bool:
        """pyagent counts an exception as a failure unless the run was being stopped."""
        return code > 0 and not self.stopped

    def terminate(self) -> None:
        """pyagent's stop: an exception raised asynchronously in the trial's thread."""
        from wandb.agents.pyagent import _terminate_thread

        self.thread.__dict__.pop("_terminated", None)  # pyagent sends it once; we repeat until it ends
        _terminate_thread(self.thread)

    def kill(self) -> None:
        self.terminate()

    def cleanup(self) -> None:
        for key in ("WANDB_RUN_ID", "WANDB_SWEEP_PARAM_PATH"):
            os.environ.pop(key, None)


def open_output(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "wb")
