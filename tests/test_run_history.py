"""sweepbridge.runner.history.read_records: a finished log read once by wandb-core's own reader."""

from __future__ import annotations

import pytest

from sweepbridge.errors import SweepBridgeError
from sweepbridge.runner.history import read_records

pytest.importorskip("wandb")


@pytest.mark.parametrize(("content", "reason"), [(None, "no such file"), (b"garbage\n", "bad header")])
def test_unreadable_logs_are_refused_readably(tmp_path, content, reason):
    log = tmp_path / "wandb" / "offline-run-x-abc" / "run-abc.wandb"
    log.parent.mkdir(parents=True)
    if content is not None:
        log.write_bytes(content)
    with pytest.raises(SweepBridgeError, match=f"cannot read the wandb run log .*run-abc.wandb: .*{reason}"):
        read_records(log)
