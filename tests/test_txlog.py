"""runner/txlog.py: wandb's transaction-log format, read and written back byte for byte."""

from __future__ import annotations

import pytest

from sweepbridge.runner.txlog import BLOCK, LogError, read_data, rewrite, write_data


@pytest.fixture
def offline_log(tmp_path, monkeypatch, wandb_env):
    """The transaction log of a real offline run (the real wandb client, wandb-core writing it)."""
    import wandb

    monkeypatch.chdir(tmp_path)
    run = wandb.init(mode="offline", project="p", config={"x": 1})
    for step in range(50):
        run.log({"loss": 1.0 / (step + 1), "text": "y" * 2000}, step=step)  # records across blocks
    run.finish()
    wandb.teardown()
    (log,) = tmp_path.glob("wandb/offline-run-*/run-*.wandb")
    return log


def test_a_copy_of_wandbs_log_is_byte_identical_and_wandb_core_reads_the_rewritten_one(offline_log, tmp_path):
    from sweepbridge.runner.history import read_records

    records = list(read_data(offline_log))
    assert offline_log.stat().st_size > BLOCK and len(records) > 50
    copy = tmp_path / "copy.wandb"
    write_data(copy, iter(records))
    assert copy.read_bytes() == offline_log.read_bytes()

    def attach(record):
        if record.WhichOneof("record_type") == "run":
            record.run.sweep_id = "abc123"
        return record.WhichOneof("record_type") != "history" or record.history.step.num >= 10

    changed = tmp_path / "changed.wandb"
    kept = rewrite(offline_log, changed, attach)
    read = read_records(changed)  # wandb-core's own reader
    assert len(read) == kept == len(records) - 10
    (run,) = [r for r in read if r.get("type") == "run"]
    assert run["run"]["sweep_id"] == "abc123"
    steps = [int(r["history"]["step"]["num"]) for r in read if r.get("type") == "history"]
    assert steps == list(range(10, 50))


def test_records_spanning_blocks_and_a_torn_tail(tmp_path):
    path = tmp_path / "x.wandb"
    data = [b"a" * 100_000, b"b" * 5, b"c" * (BLOCK - 14), b"", b"d" * 3]
    write_data(path, iter(data))
    assert list(read_data(path)) == data
    raw = path.read_bytes()
    path.write_bytes(raw[:-2])  # the last record torn by a crash: reading stops before it
    assert list(read_data(path)) == data[:-1]
    path.write_bytes(b"not a log")
    with pytest.raises(LogError, match="not a wandb transaction log"):
        list(read_data(path))
