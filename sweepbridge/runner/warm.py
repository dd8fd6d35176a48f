"""Warm trials: each trial a fresh fork of a template interpreter that has wandb imported already.

`sweepbridge run` starts one template per sweep (runner/warm_template.py, run by the same `python`
the agent's `${interpreter}` names) and asks it to fork one child per trial. The child gets exactly
the argv, environment, working directory, per-run config file and output file a cold start gets
(runner/launch.py), runs the program as `__main__` and ends as the interpreter would, so a trial
costs a fork and its own work instead of an interpreter start and `import wandb`.

A trial starts cold (a plain process, as the agent starts it) when the warm path cannot be the same
process; the first time a reason applies the display says it in one line:
- `--cold` / `run_sweep(..., warm=False)`;
- the command is not `[${env}] python PROGRAM.py ...` or `[${env}] python -m MODULE ...`
  (another interpreter, interpreter options, a shell script, `${env}` setting variables);
- a variable read at interpreter start-up (PATH, PYTHON*, LD_*, LANG, LC_*) differs from the
  template's;
- the template could not start (no wandb in that Python, a thread running after its imports) or died.
Libraries whose import starts threads (TensorFlow, JAX, gRPC, Ray's core worker; any import that
starts one, counted in /proc/self/task) or that initialise CUDA are never imported by the template:
the trial imports them itself after the fork, as a cold process does.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .launch import ProcessTrial, StderrTail, Trial, TrialSpec, Watchdog, child_preexec, error_lines, open_output

ENV_COMMANDS = ("/usr/bin/env", "env")
INTERPRETER = "python"
"""The agent's `${interpreter}`: the literal `python`, resolved through PATH."""
STARTUP_VARIABLES = ("PATH", "LANG", "PYTHON", "LD_", "LC_")
"""Prefixes of variables the interpreter reads when it starts: a trial whose value differs starts cold."""
READY_TIMEOUT = 120.0
TEMPLATE = Path(__file__).with_name("warm_template.py")
BOOT = "import sys; exec(compile(open(sys.argv[1]).read(), sys.argv[1], 'exec'))"
"""Runs the template's file as `-c` code: no folder of sweepbridge's lands on the template's sys.path."""


class WarmError(Exception):
    """The template cannot serve this trial; the text says why (shown once)."""


def parse_command(argv: list[str], interpreter: str = INTERPRETER) -> tuple[tuple[str, str], list[str]]:
    """(("path" | "module", target), program args) of a `[${env}] INTERPRETER ...` argv, else WarmError."""
    i = 1 if argv and argv[0] in ENV_COMMANDS else 0
    if i and len(argv) > 1 and ("=" in argv[1] or argv[1].startswith("-")):
        raise WarmError("the command's ${env} sets variables or options")
    if len(argv) <= i or argv[i] != interpreter:
        found = argv[i] if len(argv) > i else "nothing"
        raise WarmError(f"the command runs {found!r}, not ${{interpreter}} ({interpreter})")
    rest = argv[i + 1 :]
    if len(rest) >= 2 and rest[0] == "-m":
        return ("module", rest[1]), rest[2:]
    if not rest or rest[0].startswith("-"):
        raise WarmError("the command passes options to the interpreter")
    program = rest[0]
    if not program.endswith(".py") or not os.path.isfile(program):
        raise WarmError(f"the program {program!r} is not a Python file")
    return ("path", program), rest[1:]


def startup_environment(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(STARTUP_VARIABLES)}


def top_level_imports(program: str) -> list[str]:
    """Third-party modules `program` imports at its top level (its own folder's modules excluded):
    candidates for the template, which keeps only those whose import starts no thread."""
    try:
        tree = ast.parse(Path(program).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    here = Path(program).resolve().parent
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    local = {p.stem for p in here.glob("*.py")} | {p.name for p in here.iterdir() if (p / "__init__.py").is_file()}
    return [n for n in dict.fromkeys(names) if n.split(".")[0] not in local and n != "__future__"]


def preloads(main: tuple[str, str], args: list[str]) -> list[str]:
    """What the template may import for this command (it keeps those whose import starts no thread):
    a script's top-level imports; for sweepbridge's trial runtime (`-m sweepbridge trial PROGRAM`)
    the runtime and the trainable's module's imports (never the module itself: its top level runs in
    each trial, as in a cold start); for another `-m MODULE`, nothing of it."""
    kind, target = main
    if kind == "path":
        return top_level_imports(target)
    if target == "sweepbridge" and len(args) >= 2 and args[0] == "trial":
        return ["sweepbridge.cli", "sweepbridge.runtime.trial", *top_level_imports(args[1])]
    return []


class Template:
    """The template process and the reader of its messages (one JSON object per SOCK_SEQPACKET
    message; a spawn request carries the trial's stdout file and stderr pipe as file descriptors)."""

    def __init__(self, env: Mapping[str, str], cwd: str, preload: list[str], log: Path, interpreter: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        python = shutil.which(interpreter, path=env.get("PATH"))
        if python is None:
            raise WarmError(f"no {interpreter!r} on the trials' PATH")
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as output:
            self.process = subprocess.Popen(
                [python, "-c", BOOT, str(TEMPLATE), str(theirs.fileno()), ",".join(preload)],
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=[theirs.fileno()],
                process_group=0,
                preexec_fn=child_preexec,  # noqa: PLW1509
            )
        theirs.close()
        self.sock = ours
        self.env = startup_environment(env)
        self.log = log
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.error: str | None = None
        self.pids: dict[int, threading.Event] = {}
        self.pid_of: dict[int, int] = {}
        self.trials: dict[int, WarmTrial] = {}
        self.early_exits: dict[int, int] = {}
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True, name="sweepbridge-warm").start()

    def _read(self) -> None:
        try:
            while message := self.sock.recv(65536):
                self._handle(json.loads(message))
        except (OSError, ValueError):
            pass
        with self.lock:
            self.error = self.error or f"the warm template ended (exit status {self.process.poll()}; see {self.log})"
            trials = list(self.trials.values())
            self.trials.clear()
            waiting = list(self.pids.values())
        self.ready.set()
        for event in waiting:
            event.set()
        for trial in trials:  # its children die with it (their parent-death signal): crashed
            trial._ended(-signal.SIGKILL)

    def _handle(self, message: dict[str, Any]) -> None:
        if "ready" in message:
            self.ready.set()
        elif "error" in message:
            self.error = str(message["error"])
            self.ready.set()
        elif "id" in message:
            with self.lock:
                self.pid_of[message["id"]] = message["pid"]
                event = self.pids.pop(message["id"], None)
            if event is not None:
                event.set()
        elif "status" in message:
            with self.lock:
                trial = self.trials.pop(message["pid"], None)
                if trial is None:
                    self.early_exits[message["pid"]] = message["status"]
            if trial is not None:
                trial._ended(message["status"])

    def wait_ready(self) -> None:
        if not self.ready.wait(READY_TIMEOUT):
            self.error = f"the warm template did not start within {READY_TIMEOUT:.0f} s"
        if self.error:
            raise WarmError(self.error)

    def spawn(self, trial: WarmTrial, request: dict[str, Any], fds: list[int]) -> int:
        """Fork one child for `trial` (its stdout and stderr: `fds`); its pid."""
        event = threading.Event()
        with self.lock:
            if self.error:
                raise WarmError(self.error)
            request_id = self.next_id
            self.next_id += 1
            self.pids[request_id] = event
        try:
            socket.send_fds(self.sock, [json.dumps({"id": request_id, **request}).encode()], fds)
        except OSError as exc:
            raise WarmError(f"the warm template is gone ({exc})") from None
        event.wait()
        with self.lock:
            pid = self.pid_of.pop(request_id, None)
            if pid is None:
                raise WarmError(self.error or "the warm template did not fork")
            status = self.early_exits.pop(pid, None)
            if status is None:
                self.trials[pid] = trial
        if status is not None:
            trial._ended(status)
        return pid

    def close(self) -> None:
        # shutdown first: close() alone leaves the socket open while the reader thread is blocked in
        # recv on it, so the template saw no end of the runner until wait's timeout (5 s per sweep).
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WarmTrial(Trial):
    """A trial forked by the template; to the runner it is a ProcessTrial: poll / terminate / kill /
    cleanup, stdout to its log file, stderr through a pipe the runner reads (`error`), its process
    group registered with the watchdog."""

    def __init__(
        self,
        template: Template,
        spec: TrialSpec,
        argv: list[str],
        env: Mapping[str, str],
        output: BinaryIO,
        on_exit: Callable[[], None] | None = None,
        watchdog: Watchdog | None = None,
        interpreter: str = INTERPRETER,
    ) -> None:
        super().__init__(spec, on_exit)
        self.argv = argv
        self.code: int | None = None
        self.watchdog = watchdog
        main, args = parse_command(argv, interpreter)
        request = {"argv": argv, "main": list(main), "args": args, "env": dict(env), "cwd": os.getcwd()}
        read, write = os.pipe()
        try:
            self.pid = template.spawn(self, request, [output.fileno(), write])
        except BaseException:
            os.close(read)
            output.close()
            raise
        finally:
            os.close(write)
        if watchdog is not None:
            watchdog.watch(self.pid)
        self.stderr = StderrTail(os.fdopen(read, "rb"), output)  # closes `output` when the pipe ends

    def _ended(self, status: int) -> None:
        self.code = status
        self.on_exit()

    def poll(self) -> int | None:
        return self.code

    def _signal(self, sig: int) -> None:
        if self.code is None:
            try:
                os.kill(self.pid, sig)
            except OSError:
                pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def cleanup(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        if self.watchdog is not None:
            self.watchdog.release(self.pid)

    def error(self) -> list[str]:
        return error_lines(self.stderr.join())


class Launcher:
    """Starts each trial warm where it can be the same process as a cold start, else cold.

    The template starts with the first trial, which (like any trial that starts while the template
    is still starting) runs cold, so the start-up overlaps it. `wait=True` waits for the template
    instead. `say(text)` receives each reason for a cold start once. `interpreter`: what the sweep's
    `${interpreter}` runs (the agent's: `python`)."""

    def __init__(
        self,
        warm: bool,
        log_dir: Path,
        say: Callable[[str], None],
        interpreter: str = INTERPRETER,
        wait: bool = False,
    ) -> None:
        self.warm = warm
        self.log_dir = log_dir
        self.say = say
        self.interpreter = interpreter
        self.wait = wait
        self.template: Template | None = None
        self.said: set[str] = set()
        self.cold_while_starting = 0
        """Trials that started cold because the template was still starting."""
        if not warm:
            self._cold("--cold")

    def _cold(self, reason: str) -> None:
        if reason not in self.said:
            self.said.add(reason)
            self.say(f"trials start cold (a new interpreter each): {reason}")

    def start(
        self,
        spec: TrialSpec,
        argv: list[str],
        env: dict[str, str],
        output: Path,
        on_exit: Callable[[], None],
        watchdog: Watchdog | None = None,
    ) -> Trial:
        if self.warm:
            try:
                trial = self._warm(spec, argv, env, output, on_exit, watchdog)
            except WarmError as exc:
                self._cold(str(exc))
            else:
                if trial is not None:
                    return trial
                self.cold_while_starting += 1
        return ProcessTrial(spec, argv, env, open_output(output), on_exit, watchdog)

    def _warm(
        self,
        spec: TrialSpec,
        argv: list[str],
        env: dict[str, str],
        output: Path,
        on_exit: Callable[[], None],
        watchdog: Watchdog | None,
    ) -> Trial | None:
        """A warm trial; None while the template starts; WarmError when this trial cannot be warm."""
        main, args = parse_command(argv, self.interpreter)
        if self.template is None:
            log = self.log_dir / "warm-template.log"
            try:
                self.template = Template(env, os.getcwd(), preloads(main, args), log, self.interpreter)
            except (OSError, WarmError) as exc:
                self.warm = False
                raise WarmError(f"the warm template could not start ({exc})") from None
        if self.wait:
            self.template.wait_ready()
        if not self.template.ready.is_set():
            return None
        if self.template.error:
            self.warm = False
            raise WarmError(self.template.error)
        changed = sorted(
            k for k in set(self.template.env) | set(startup_environment(env)) if self.template.env.get(k) != env.get(k)
        )
        if changed:
            raise WarmError(f"{', '.join(changed)} differ from the template's (read at interpreter start-up)")
        trial = WarmTrial(self.template, spec, argv, env, open_output(output), on_exit, watchdog, self.interpreter)
        return trial

    def close(self) -> None:
        if self.template is not None:
            self.template.close()
            self.template = None


def shared_service() -> Callable[[], None]:
    """One wandb-core for every trial of the sweep, as wandb's multiprocessing guidance has it: start
    it here (`wandb.setup()`, which exports its WANDB_SERVICE token) so each trial's `wandb.init`
    attaches to it instead of starting its own. Returns the undo: tear the service down (it finishes
    writing every run first) and restore the variable."""
    import wandb
    from wandb.sdk.lib.service.service_token import clear_service_in_env

    before = os.environ.get("WANDB_SERVICE")
    if before:  # the user's own shared service (`wandb beta core start`): use it, leave it running
        return lambda: None
    wandb.setup()

    def undo() -> None:
        wandb.teardown()
        clear_service_in_env()

    return undo


def finish_abandoned_run(run_id: str, exit_code: int) -> None:
    """Finish, on the shared wandb-core, the run of a trial that ended without finishing it (a program
    that never calls `run.finish()`). Under the agent each trial owns its wandb-core, whose teardown at
    the program's exit finishes the run: its last history row and an exit record with the program's exit
    status reach the run's log. A shared wandb-core is not torn down when a trial ends, so the runner does
    that part: it attaches to the run's stream and sends the exit (only after a normal exit, `exit_code`
    >= 0: a process killed by a signal runs no exit hook and its run stays without an exit record, crashed
    for W&B), then releases the stream. Best effort: a stream already gone is left as it is."""
    from wandb.sdk import wandb_setup
    from wandb.sdk.lib.service.service_connection import WandbAttachFailedError

    service = wandb_setup.singleton().ensure_service()
    try:
        if exit_code >= 0:
            _, interface = service.inform_attach(attach_id=run_id)
            interface.deliver_exit(exit_code).wait_or(timeout=30)
        service.inform_finish(run_id=run_id)
    except (WandbAttachFailedError, TimeoutError, OSError):
        pass
