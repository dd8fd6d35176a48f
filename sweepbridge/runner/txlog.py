"""A wandb run's transaction log (`run-ID.wandb`): read its records, write a copy with records changed.

The format is the one wandb-core writes and `wandb sync` replays (wandb's LevelDB-style log): a 7-byte
header (`:W&B`, magic 0xBEE1 little-endian, version 0), then 32 KiB blocks of chunks, each a 7-byte
header (CRC-32 of the type byte and the data, length, type FULL/FIRST/MIDDLE/LAST) and its data, a
block's tail shorter than a chunk header zero-filled. Each record's data is a serialized
`wandb_internal_pb2.Record`. A torn tail (a run killed mid-write) ends the reading, as wandb-core's
reader stops there.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import SweepBridgeError

HEADER = struct.pack("<4sHB", b":W&B", 0xBEE1, 0)
BLOCK = 32768
CHUNK = struct.Struct("<IHB")
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


class LogError(SweepBridgeError):
    """Not a wandb transaction log this version can read."""


def _crc(kind: int, data: bytes) -> int:
    return zlib.crc32(data, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF


def read_data(path: Path) -> Iterator[bytes]:
    """The data of each whole record of the log at `path`, in order."""
    raw = path.read_bytes()
    if raw[: len(HEADER)] != HEADER:
        raise LogError(f"{path} is not a wandb transaction log (version 0).")
    pos, pending = len(HEADER), b""
    while pos + CHUNK.size <= len(raw):
        left = BLOCK - pos % BLOCK
        if left < CHUNK.size:
            pos += left
            continue
        crc, length, kind = CHUNK.unpack_from(raw, pos)
        data = raw[pos + CHUNK.size : pos + CHUNK.size + length]
        if kind == 0 and length == 0 or len(data) < length or _crc(kind, data) != crc:
            return  # a torn or zero-filled tail
        pos += CHUNK.size + length
        if kind == FULL:
            pending = b""
            yield data
        elif kind == FIRST:
            pending = data
        elif kind == MIDDLE:
            pending += data
        elif kind == LAST:
            yield pending + data
            pending = b""


def write_data(path: Path, records: Iterator[bytes]) -> None:
    """Write records as a transaction log at `path` (through a temp file and a rename: whole or absent)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(HEADER)
        pos = len(HEADER)
        for data in records:
            first = True
            while True:
                left = BLOCK - pos % BLOCK
                if left < CHUNK.size:
                    fh.write(b"\0" * left)
                    pos += left
                    continue
                room = left - CHUNK.size
                piece, data = data[:room], data[room:]
                kind = (FULL if not data else FIRST) if first else (LAST if not data else MIDDLE)
                fh.write(CHUNK.pack(_crc(kind, piece), len(piece), kind) + piece)
                pos += CHUNK.size + len(piece)
                first = False
                if not data:
                    break
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def rewrite(source: Path, target: Path, change: Callable[[Any], bool]) -> int:
    """Copy the log `source` to `target`, each record passed through `change` (a `Record` it may
    modify in place; it returns False to leave the record out). Returns the number of records written."""
    from wandb.proto import wandb_internal_pb2 as pb

    count = 0

    def records() -> Iterator[bytes]:
        nonlocal count
        for data in read_data(source):
            record = pb.Record()
            record.ParseFromString(data)
            if change(record):
                count += 1
                yield record.SerializeToString()

    write_data(target, records())
    return count
