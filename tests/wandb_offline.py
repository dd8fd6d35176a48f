"""Read what an offline wandb run recorded: its `run-ID.wandb` transaction log.

wandb 0.31 writes every record (run, config, history, summary, output, exit, ...) as a protobuf
`wandb_internal_pb2.Record` framed in a LevelDB-style log (a 7-byte header `:W&B` + magic 0xBEE1 +
version, then 32 KiB blocks of chunks: crc32c (4), length (2, little endian), type (1: full,
2: first, 3: middle, 4: last)). wandb no longer ships a Python reader, so this is one, for tests.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOCK = 32768
HEADER = 7
CHUNK_HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def records(path: Path) -> list[Any]:
    """Every Record in a .wandb file, in order."""
    from wandb.proto import wandb_internal_pb2 as pb

    data = Path(path).read_bytes()
    if data[:4] != b":W&B":
        raise ValueError(f"{path} is not a wandb transaction log")
    out, pos, pending = [], HEADER, b""
    while pos + CHUNK_HEADER <= len(data):
        left_in_block = BLOCK - pos % BLOCK
        if left_in_block < CHUNK_HEADER:  # block trailer padding
            pos += left_in_block
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos : pos + CHUNK_HEADER])
        payload = data[pos + CHUNK_HEADER : pos + CHUNK_HEADER + length]
        pos += CHUNK_HEADER + length
        if kind == 0 and length == 0:  # zero padding at the end of a block
            pos += BLOCK - pos % BLOCK if pos % BLOCK else 0
            continue
        if kind in (FULL, FIRST):
            pending = payload
        else:
            pending += payload
        if kind in (FULL, LAST):
            record = pb.Record()
            record.ParseFromString(pending)
            out.append(record)
            pending = b""
    return out


def _key(item: Any) -> str:
    return ".".join(item.nested_key) if item.nested_key else item.key


@dataclass
class OfflineRun:
    """What one offline run recorded."""

    path: Path
    run_id: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    """The run's config (wandb's own `_wandb` key removed)."""
    history: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    """None when the run never finished (no exit record)."""
    group: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    output: str = ""
    artifacts: list[str] = field(default_factory=list)

    @property
    def output_text(self) -> str:
        """The console output captured by wandb (files/output.log, else the output records)."""
        log = self.path / "files" / "output.log"
        return log.read_text(errors="replace") if log.is_file() else self.output


def read_offline_run(run_dir: Path | str) -> OfflineRun:
    """Parse `run_dir` (a `wandb/offline-run-*` directory)."""
    run_dir = Path(run_dir)
    (log,) = run_dir.glob("run-*.wandb")
    run = OfflineRun(run_dir)
    for record in records(log):
        kind = record.WhichOneof("record_type")
        if kind == "run":
            r = record.run
            run.run_id, run.group, run.notes, run.tags = r.run_id, r.run_group, r.notes, list(r.tags)
            for item in r.config.update:
                run.config[_key(item)] = json.loads(item.value_json)
        elif kind == "config":
            for item in record.config.update:
                run.config[_key(item)] = json.loads(item.value_json)
            for item in record.config.remove:
                run.config.pop(_key(item), None)
        elif kind == "history":
            run.history.append({_key(i): json.loads(i.value_json) for i in record.history.item})
        elif kind == "summary":
            for item in record.summary.update:
                run.summary[_key(item)] = json.loads(item.value_json)
        elif kind == "exit":
            run.exit_code = record.exit.exit_code
        elif kind in ("output", "output_raw"):
            run.output += getattr(record, kind).line
        elif kind == "artifact":
            run.artifacts.append(record.artifact.name)
    run.config.pop("_wandb", None)
    return run


def offline_runs(wandb_dir: Path | str) -> dict[str, OfflineRun]:
    """Every offline run under `wandb_dir` (WANDB_DIR or its `wandb/` child), by run id."""
    base = Path(wandb_dir)
    base = base / "wandb" if (base / "wandb").is_dir() else base
    runs = [read_offline_run(p) for p in sorted(base.glob("offline-run-*"))]
    return {r.run_id: r for r in runs}
