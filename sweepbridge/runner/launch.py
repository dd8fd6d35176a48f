"""Start trials exactly as the wandb agent does (wandb/wandb_agent.py `Agent._command_run`).

The command comes from wandb's own `create_sweep_command` / `create_sweep_command_args`, the
per-run config file from wandb's `save_config_file_from_dict`, the environment carries the same
WANDB_SWEEP_ID / WANDB_RUN_ID / WANDB_SWEEP_PARAM_PATH / WANDB_DIR, and the child runs in its own
process group with a closed stdin. `${interpreter}` is the literal `python`, as in the agent (or
the interpreter the user names: `--interpreter`).
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
import re
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

FLUSH_INTERVAL = "0.2"
"""Seconds between flushes of a run's transaction log (wandb's x_transaction_log_flush_interval)."""
RUNNER_ENV = {"WANDB__TRANSACTION_LOG_FLUSH_INTERVAL": FLUSH_INTERVAL}
SESSION_SETTINGS = {"WANDB_SWEEP_ID": "sweep_id", "WANDB_PROJECT": "project", "WANDB_ENTITY": "entity"}
"""Variables of `extra` an in-process trial hands to the live wandb session as settings."""


def child_preexec() -> None:
    """In a child, before exec: die (SIGKILL: a trial may ignore SIGTERM) with the runner's thread
    that started it, so a killed runner leaves no orphan; the trial's own children go with its
    process group (`Watchdog`)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


WATCHDOG = """\
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
groups = set()
for line in sys.stdin:
    try:
        (groups.add if line[0] == "+" else groups.discard)(int(line[1:]))
    except ValueError:
        pass
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
"""


class Watchdog:
    """A small process that outlives the runner by a moment: the runner tells it each trial's process
    group as the trial starts and ends; when the runner ends, however (SIGKILL included), its pipe
    closes and the watchdog kills (SIGKILL) every group still running, so no trial, nor any process a
    trial started in its group, survives the runner. It ignores SIGINT and SIGTERM (it acts only on
    the pipe's end) and runs in its own session (a terminal's signals do not reach it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", WATCHDOG],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _send(self, text: str) -> None:
        with self._lock:
            stdin = self.proc.stdin
            if stdin is None or stdin.closed:
                return
            try:
                stdin.write(text.encode("ascii"))
                stdin.flush()
            except OSError:
                pass

    def watch(self, group: int) -> None:
        self._send(f"+{group}\n")

    def release(self, group: int) -> None:
        self._send(f"-{group}\n")

    def close(self) -> None:
        """The runner's normal end: close the pipe (the watchdog kills what is still registered) and reap it."""
        with self._lock:
            if self.proc.stdin is not None and not self.proc.stdin.closed:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


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
    env.pop("WANDB_SERVICE", None)  # only the sweep's shared wandb-core (in `extra`), never another
    env.update(extra)
    env["WANDB_DIR"] = base_dir
    env["WANDB_RUN_ID"] = spec.run_id
    env["WANDB_SWEEP_PARAM_PATH"] = config_path(spec, base_dir)
    return env


def uses_program(sweep: Mapping[str, Any]) -> bool:
    from wandb.sdk.launch.sweeps import utils as sweep_utils

    command = sweep.get("command") if isinstance(sweep.get("command"), list) else None
    return "${program}" in [str(c) for c in (command or sweep_utils.DEFAULT_SWEEP_COMMAND)]


def command_line(sweep: Mapping[str, Any], spec: TrialSpec, base_dir: str, interpreter: str = "python") -> list[str]:
    """The argv the agent builds for this run (writing the args-json file when the command uses it);
    `${interpreter}` is `interpreter` (the agent's is `python`)."""
    import platform

    from wandb.sdk.launch.sweeps import utils as sweep_utils

    command = sweep.get("command") if isinstance(sweep.get("command"), list) else None
    template = sweep_utils.create_sweep_command(list(command) if command else None)
    sweep_vars: dict[str, Any] = sweep_utils.create_sweep_command_args({"args": spec.args})
    json_file = os.path.join(base_dir, "wandb", f"sweep-{spec.sweep_id}", f"config-{spec.run_id}.json")
    if "${args_json_file}" in template:
        with open(json_file, "w") as fp:
            fp.write(sweep_vars["args_json"][0])
    sweep_vars["interpreter"] = [interpreter]
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
import importlib.util, sys
try:
    spec = importlib.util.find_spec("wandb")
except BaseException as exc:
    sys.exit(f"wandb: {type(exc).__name__}: {exc}")
if spec is None:
    sys.exit("wandb: No module named 'wandb'")
if spec.origin is None:
    where = ", ".join(spec.submodule_search_locations or [])
    sys.exit(f"wandb: `import wandb` finds only a directory named wandb ({where}), not the wandb client")
if len(sys.argv) > 2:
    from sweepbridge.runtime.loading import Loader
    try:
        Loader().object(sys.argv[1] + ":" + sys.argv[2])
    except BaseException as exc:
        sys.exit(f"trainable: {type(exc).__name__}: {exc}")
"""
"""Run by the trials' interpreter before the first trial: it finds the wandb client (without importing
it: a `wandb/` run directory in the working directory is not it) and imports the trainable."""


def uses_interpreter(sweep: Mapping[str, Any]) -> bool:
    from wandb.sdk.launch.sweeps import utils as sweep_utils

    command = sweep.get("command") if isinstance(sweep.get("command"), list) else None
    return "${interpreter}" in [str(c) for c in (command or sweep_utils.DEFAULT_SWEEP_COMMAND)]


def preflight(sweep: Mapping[str, Any], interpreter: str = "python") -> str | None:
    """Before the first trial: the problem that would make every trial fail, or None. The interpreter
    `${interpreter}` resolves to must exist and find the wandb client, and a Tune trainable must import
    the way its trials import it (a child of that interpreter, the runtime's loader)."""
    import shutil

    if not uses_interpreter(sweep):
        return None
    found = shutil.which(interpreter)
    fix = (
        "activate the virtual environment that has wandb and sweepbridge (e.g. `source .venv/bin/activate`), "
        f"or name the interpreter: --interpreter PATH (run_sweep(interpreter=...)), e.g. --interpreter {sys.executable}"
    )
    if found is None:
        return f"the trials' interpreter `{interpreter}` (${{interpreter}}) is not found on PATH: {fix}."
    from ..trial_command import TrialCommand

    trial = TrialCommand.in_sweep(sweep)  # a malformed trial command: SpecError
    done = subprocess.run(
        [found, "-c", PREFLIGHT, *((trial.program, trial.trainable) if trial else ())],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else f"exit status {done.returncode}"
    what = f"`{interpreter}` ({found})" if found != interpreter else f"`{interpreter}`"
    if last.startswith("trainable: "):
        return f"the trainable cannot be imported for a trial: {last.removeprefix('trainable: ')} (interpreter {what})"
    return f"the trials' interpreter {what} cannot import wandb ({last.removeprefix('wandb: ')}): {fix}."


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
"""Terminal control sequences (colours, cursor moves) a program or wandb writes."""
TAIL_LINES = 200
"""The last lines of a trial's stderr the runner keeps (the rest is only in its log file)."""
LINE_LIMIT = 4096
"""Longest part of one stderr line kept (a line without newline is cut here)."""


def plain_text(line: str) -> str:
    """`line` without terminal control sequences and trailing blanks."""
    return ANSI.sub("", line).replace("\r", "").rstrip()


def error_lines(lines: Sequence[str], n: int = 8) -> list[str]:
    """The lines worth showing for a failed trial: wandb's own lines dropped, the last traceback
    (from its last `Traceback` line) or else the last lines, at most `n`."""
    own = [line for line in (plain_text(x) for x in lines) if line.strip() and not line.startswith("wandb:")]
    starts = [i for i, line in enumerate(own) if line.startswith("Traceback (most recent call last)")]
    if starts:
        own = own[starts[-1] :]
    return own[-n:]


HELD_LIMIT = 65536
"""Most bytes of an unfinished stderr line held back from the log before they are written anyway."""


class StderrTail:
    """Copies a child's stderr to its log file and keeps its last TAIL_LINES lines (bounded memory).

    The log gets whole lines (ended by a newline or a carriage return, as progress bars end theirs): the child's
    stdout goes to the same file directly, and a piece of a stderr line written before it would split its line.
    An unfinished line is held back until it ends, the pipe closes, or it reaches HELD_LIMIT bytes."""

    def __init__(self, source: BinaryIO, sink: BinaryIO) -> None:
        self.source, self.sink = source, sink
        self.lines: deque[str] = deque(maxlen=TAIL_LINES)
        self._partial = b""
        self.thread = threading.Thread(target=self._copy, daemon=True)
        self.thread.start()

    def _copy(self) -> None:
        held = b""
        try:
            while chunk := self.source.read1(65536):  # type: ignore[attr-defined]
                held += chunk
                end = max(held.rfind(b"\n"), held.rfind(b"\r")) + 1 if len(held) < HELD_LIMIT else len(held)
                self._write(held[:end])
                held = held[end:]
                self._take(chunk)
        finally:
            self._write(held)
            if self._partial:
                self.lines.append(self._partial.decode("utf-8", "replace"))
            self.source.close()
            self.sink.close()

    def _write(self, data: bytes) -> None:
        if not data:
            return
        try:
            self.sink.write(data)
            self.sink.flush()
        except OSError:
            pass

    def _take(self, chunk: bytes) -> None:
        *whole, rest = (self._partial + chunk).split(b"\n")
        for line in whole:
            self.lines.append(line[:LINE_LIMIT].decode("utf-8", "replace"))
        self._partial = rest[:LINE_LIMIT]

    def join(self, timeout: float = 2.0) -> list[str]:
        self.thread.join(timeout)
        return list(self.lines)


class Trial:
    """A running trial: a child process (as the agent's AgentProcess) or an in-process function.
    `on_exit` is called (from another thread) as soon as the trial has ended."""

    def __init__(self, spec: TrialSpec, on_exit: Callable[[], None] | None = None) -> None:
        self.spec = spec
        self.sigterm_at: float | None = None
        self.stopped = False
        self.stopped_by: str | None = None
        """Who stopped it (see RunResult.stopped_by), once `stop` was called."""
        self.on_exit = on_exit or (lambda: None)

    def poll(self) -> int | None:
        raise NotImplementedError

    def failed(self, code: int) -> bool:
        """Whether the wandb agent counts this ended run as failed: a non-zero exit status, not a signal."""
        return code > 0

    def stop(self, by: str, now: float) -> bool:
        """Stop a running trial (SIGTERM, as the agent): False when it had already ended (it ran to its end)."""
        if self.poll() is not None:
            return False
        self.stopped, self.stopped_by, self.sigterm_at = True, by, now
        self.terminate()
        return True

    def terminate(self) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        """After exit: nothing of the trial may keep running."""

    def error(self) -> list[str]:
        """After exit: the last lines of the trial's own error output (its traceback), wandb's lines dropped."""
        return []


class ProcessTrial(Trial):
    """The trial's stdout goes to `output` (its log file); its stderr too, through a pipe the runner
    reads to keep the last lines (`error`). With a `watchdog`, its process group dies with the runner."""

    def __init__(
        self,
        spec: TrialSpec,
        argv: list[str],
        env: dict[str, str],
        output: BinaryIO,
        on_exit: Callable[[], None] | None = None,
        watchdog: Watchdog | None = None,
    ) -> None:
        super().__init__(spec, on_exit)
        self.argv = argv
        self.watchdog = watchdog
        try:
            self.popen = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.PIPE,
                stdout=output,
                stderr=subprocess.PIPE,
                process_group=0,
                preexec_fn=child_preexec,  # noqa: PLW1509
            )
        except BaseException:
            output.close()
            raise
        if watchdog is not None:
            watchdog.watch(self.popen.pid)
        assert self.popen.stdin is not None and self.popen.stderr is not None
        self.popen.stdin.close()
        self.stderr = StderrTail(self.popen.stderr, output)  # closes `output` when the stderr pipe ends
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
        if self.watchdog is not None:
            self.watchdog.release(self.popen.pid)

    def error(self) -> list[str]:
        return error_lines(self.stderr.join())


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
        self.exc: BaseException | None = None
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
            self.exc = exc
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

    def error(self) -> list[str]:
        import traceback

        if self.exc is None:
            return []
        return error_lines("".join(traceback.format_exception(self.exc)).splitlines())


def open_output(path: Path) -> BinaryIO:
    """A new log file, in append mode: the trial's stdout and the runner's copy of its stderr share it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    return open(fd, "ab")
