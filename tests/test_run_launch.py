"""sweepbridge.runner.launch's process handling: a trial's own error lines, its stderr kept bounded,
a stop that comes after the trial ended, and the watchdog that takes trials with a dead runner."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sweepbridge.runner.launch import (
    HELD_LIMIT,
    TAIL_LINES,
    ProcessTrial,
    StderrTail,
    TrialSpec,
    Watchdog,
    error_lines,
    open_output,
    plain_text,
)

SPEC = TrialSpec("sweep", "run", {})


def test_error_lines_are_the_programs_last_traceback_without_wandbs_lines_or_colours():
    lines = [
        "Traceback (most recent call last):",
        "  old one",
        "KeyError: 1",
        "some output",
        "\x1b[34m\x1b[1mwandb\x1b[0m: Run summary:",
        "Traceback (most recent call last):",
        '  File "prog.py", line 5, in <module>',
        "\x1b[31mValueError: bad\x1b[0m",
        "wandb: 🚀 View run at ...",
        "",
    ]
    assert error_lines(lines) == [
        "Traceback (most recent call last):",
        '  File "prog.py", line 5, in <module>',
        "ValueError: bad",
    ]
    assert error_lines(["a", "b", "c"], n=2) == ["b", "c"]
    assert plain_text("\x1b[2K\rprogress 50%\x1b[0m  ") == "progress 50%"


def start(tmp_path: Path, code: str, watchdog: Watchdog | None = None) -> ProcessTrial:
    output = open_output(tmp_path / "logs" / "run.log")
    return ProcessTrial(SPEC, [sys.executable, "-c", code], dict(os.environ), output, watchdog=watchdog)


def wait(trial: ProcessTrial) -> int:
    deadline = time.monotonic() + 30
    while (code := trial.poll()) is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return code


def test_stderr_reaches_the_log_and_only_its_last_lines_are_kept(tmp_path):
    # each line one write (print writes its pieces one by one when PYTHONUNBUFFERED is set, and a block-buffered
    # stdout writes 8 KiB that end mid-line: a stderr line between two pieces would split a line, as on a terminal);
    # the runner's copy of stderr writes whole lines
    code = (
        "import sys\nfor i in range(5000): sys.stdout.write(f'out {i}\\n'); sys.stdout.flush(); "
        "sys.stderr.write(f'err {i}\\n')\nraise SystemExit(3)"
    )
    trial = start(tmp_path, code)
    assert wait(trial) == 3
    trial.cleanup()
    kept = trial.stderr.join(timeout=30)  # the copy may lag the child's exit on a loaded machine
    assert len(kept) == TAIL_LINES and kept[-1] == "err 4999"
    log = (tmp_path / "logs" / "run.log").read_text().splitlines()
    assert log.count("out 4999") == 1 and log.count("err 4999") == 1 and len(log) == 10000
    assert trial.error()[-1] == "err 4999"


class Chunks(io.RawIOBase):
    """A pipe handing out given chunks, one per read."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)

    def read1(self, size: int = -1) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""


class Writes(io.BytesIO):
    """A log file recording each write (and keeping them after close)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []

    def write(self, data) -> int:
        self.writes.append(bytes(data))
        return len(data)


def test_the_stderr_copy_writes_whole_lines_only():
    """A pipe read may end mid-line; the piece is held until its line ends (newline, or a progress bar's
    carriage return), so the trial's stdout written to the same file in between cannot split it."""
    long = b"x" * (HELD_LIMIT + 10)
    chunks = [b"err 1\nerr", b" 2\nprogress 10%\r", b"progress 20%", b"\rerr 3", b"\n", long, b"\nend"]
    sink = Writes()
    tail = StderrTail(Chunks(chunks), sink)
    assert tail.join(timeout=10)[-3:] == ["progress 10%\rprogress 20%\rerr 3", "x" * 4096, "end"]
    assert sink.writes == [b"err 1\n", b"err 2\nprogress 10%\r", b"progress 20%\r", b"err 3\n", long, b"\n", b"end"]


def test_a_stop_after_the_trial_ended_leaves_it_finished(tmp_path):
    trial = start(tmp_path, "pass")
    assert wait(trial) == 0
    assert trial.stop("early_terminate", time.monotonic()) is False and not trial.stopped
    running = start(tmp_path, "import time; time.sleep(30)")
    assert running.stop("user", time.monotonic()) is True
    assert running.stopped_by == "user" and wait(running) == -signal.SIGTERM
    trial.cleanup()
    running.cleanup()


OWNER = """
import os, signal, subprocess, sys, time
from pathlib import Path
from sweepbridge.runner.launch import ProcessTrial, TrialSpec, Watchdog, open_output
code = ("import os, signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(os.getpid(), c.pid, flush=True); time.sleep(60)")
dog = Watchdog()
out = open_output(Path(sys.argv[1]))
trial = ProcessTrial(TrialSpec("s", "r", {}), [sys.executable, "-c", code], dict(os.environ), out, watchdog=dog)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_watchdog_kills_a_dead_runners_trial_group(tmp_path):
    log = tmp_path / "trial.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH")])),
    }
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(log)], env=env)
    deadline = time.monotonic() + 30
    while not (log.exists() and log.read_text().strip()):
        assert time.monotonic() < deadline and owner.poll() is None
        time.sleep(0.05)
    pids = [int(p) for p in log.read_text().split()]
    assert all(alive(p) for p in pids)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in pids if alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left
