"""sweepbridge.runner.results: whole records or none, a torn tail set aside, every record in the CSV,
one runner and one sweep per directory, a write failure (a full disk, injected) that names the file."""

from __future__ import annotations

import csv
import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest

from sweepbridge.errors import SpecError
from sweepbridge.runner.results import (
    JSONL,
    ResultsStore,
    ResultsWriteError,
    RunResult,
    read_results,
    scan,
    small_summary,
)


def result(i: int, **kw) -> RunResult:
    return RunResult(
        id=f"run{i}",
        config={"x": i, "nested": {"y": i / 2}},
        state="finished",
        metric=float(i),
        history_rows=3,
        wall_time=1.5,
        **kw,
    )


def test_records_round_trip_and_the_csv_holds_every_record(tmp_path):
    store = ResultsStore(tmp_path)
    for i in range(3):
        store.add(result(i))
    store.close()
    records = read_results(tmp_path / JSONL)
    assert [RunResult.from_record(r) for r in records] == [result(i) for i in range(3)]
    rows = list(csv.DictReader((tmp_path / "results.csv").open()))
    assert [(r["id"], r["x"], r["nested.y"]) for r in rows] == [(f"run{i}", str(i), str(i / 2)) for i in range(3)]


def test_a_torn_tail_is_set_aside_and_never_appended_to(tmp_path):
    whole = result(0).line() + result(1).line()
    torn = result(2).line()[:25]
    (tmp_path / JSONL).write_text(whole + torn)
    found = scan(tmp_path / JSONL)
    assert len(found.records) == 2 and found.torn == torn.encode() and found.end == len(whole.encode())
    assert [r["id"] for r in read_results(tmp_path / JSONL)] == ["run0", "run1"]  # the reader tolerates it
    store = ResultsStore(tmp_path, resume=True)
    store.add(result(3))
    store.close()
    assert [r["id"] for r in read_results(tmp_path / JSONL)] == ["run0", "run1", "run3"]
    assert (tmp_path / JSONL).read_text().endswith("\n") and store.torn is not None
    assert store.torn.read_text() == torn
    assert [r["id"] for r in csv.DictReader((tmp_path / "results.csv").open())] == ["run0", "run1", "run3"]


def test_a_line_that_is_not_a_record_ends_the_whole_records(tmp_path):
    (tmp_path / JSONL).write_text(result(0).line() + "{not json\n" + result(1).line())
    found = scan(tmp_path / JSONL)
    assert [r["id"] for r in found.records] == ["run0"] and found.torn.startswith(b"{not json\n")


class FullDisk:
    """os.write as a filling disk behaves: the `fail_on`-th write takes `part` bytes, the next ones fail with ENOSPC."""

    def __init__(self, fail_on: int, part: int = 10) -> None:
        self.calls, self.fail_on, self.part, self.full = 0, fail_on, part, False

    def __call__(self, fd: int, data: bytes) -> int:
        self.calls += 1
        if self.full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if self.calls == self.fail_on:
            self.full = True
            return os.write(fd, data[: self.part])
        return os.write(fd, data)


def test_a_full_disk_names_the_file_and_keeps_every_earlier_record_and_a_later_one(tmp_path):
    store = ResultsStore(tmp_path)
    store._write = FullDisk(fail_on=3)
    store.add(result(0))
    store.add(result(1))
    with pytest.raises(ResultsWriteError) as caught:
        store.add(result(2))
    message = str(caught.value)
    assert str(tmp_path / JSONL) in message and "No space left on device" in message and "run2" in message
    assert [r["id"] for r in read_results(tmp_path / JSONL)] == ["run0", "run1"]
    assert scan(tmp_path / JSONL).torn == b""  # cut back: nothing for the next record to be glued to
    store._write = os.write  # space again
    store.add(result(3))
    store.close()
    assert [r["id"] for r in read_results(tmp_path / JSONL)] == ["run0", "run1", "run3"]
    assert [r["id"] for r in csv.DictReader((tmp_path / "results.csv").open())] == ["run0", "run1", "run3"]


def test_a_directory_holding_a_sweep_is_refused_without_resume(tmp_path):
    store = ResultsStore(tmp_path)
    store.add(result(0))
    store.close()
    with pytest.raises(SpecError, match=r"already holds 1 runs .*--resume .*different --out"):
        ResultsStore(tmp_path)
    (tmp_path / JSONL).unlink()
    (tmp_path / "sweep.yaml").write_text("method: grid\n")
    with pytest.raises(SpecError, match="already holds a sweep"):
        ResultsStore(tmp_path)
    ResultsStore(tmp_path, resume=True).close()


HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sweepbridge.runner.results import ResultsStore
    store = ResultsStore(Path(sys.argv[1]))
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_a_second_runner_is_refused_while_the_first_holds_the_directory(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(SpecError, match=rf"in use by another sweepbridge runner \(pid {holder.pid}\)"):
            ResultsStore(tmp_path, resume=True)
    finally:
        holder.kill()  # however the holder ends, the kernel releases its lock
        holder.wait()
    ResultsStore(tmp_path, resume=True).close()


def test_the_lock_is_per_store_within_one_process(tmp_path):
    first = ResultsStore(tmp_path)
    with pytest.raises(SpecError, match="in use by another sweepbridge runner"):
        ResultsStore(tmp_path, resume=True)
    first.close()
    ResultsStore(tmp_path, resume=True).close()


def test_labels_and_ranking():
    assert result(0).ranks and result(0).label == "finished"
    stopped = result(1, stopped_by="early_terminate")
    stopped.state = "killed"
    assert stopped.label == "stopped early" and stopped.ranks
    for state in ("failed", "crashed"):
        r = result(2)
        r.state = state
        assert not r.ranks and r.label == state
    assert json.loads(result(0).line())["error"] == []


def test_a_sweep_whose_results_cannot_be_written_stops_naming_the_file(wandb_env, tmp_path, monkeypatch):
    from sweepbridge.runner.sweep import SweepRunner

    monkeypatch.chdir(tmp_path)

    class DiskFillsAtTheSecondRun(SweepRunner):
        def open_store(self) -> ResultsStore:
            store = super().open_store()
            store._write = FullDisk(fail_on=2)
            return store

    def train() -> None:
        import wandb

        wandb.init().log({"loss": 1.0})

    cfg = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"i": {"values": [1, 2, 3, 4]}}}
    with pytest.raises(ResultsWriteError, match=r"cannot write the result of run \w+ to .*results.jsonl: No space"):
        DiskFillsAtTheSecondRun(cfg, function=train, out=tmp_path / "out").run()
    (line,) = read_results(tmp_path / "out" / JSONL)
    assert line["state"] == "finished" and scan(tmp_path / "out" / JSONL).torn == b""
    ResultsStore(tmp_path / "out", resume=True).close()  # the lock went with the runner


def test_a_record_keeps_the_metrics_of_the_summary_not_logged_text():
    summary = {"loss": 0.5, "ok": True, "name": "short", "_step": 3, "note": "x" * 5000, "table": {"a": [1] * 2000}}
    assert small_summary(summary) == {"loss": 0.5, "ok": True, "name": "short"}
