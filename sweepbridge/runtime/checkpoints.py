"""Checkpoints kept in the run's directory (wandb/<run dir>/checkpoints/checkpoint_NNNNNN).

A resumed W&B run (same run id, e.g. after preemption) gets the latest one back: its directory is
found among the earlier directories of the same run id under the same wandb directory.
"""

from __future__ import annotations

import json
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

MARKER = ".sweepbridge_checkpoint.json"
"""Written into each kept checkpoint: {"training_iteration": n, "time_total_s": t, "returned": what _save
returned (a path inside the checkpoint is kept relative to it, so the checkpoint can move)}."""
DICT_FILE = "_dict_checkpoint.pkl"
"""A dict returned by save_checkpoint, pickled as Ray does."""


class Store:
    def __init__(self, run_dir: Path, run_id: str) -> None:
        self.root = run_dir / "checkpoints"
        self.run_id = run_id
        self.wandb_dir = run_dir.parent

    def path(self, iteration: int) -> Path:
        return self.root / f"checkpoint_{iteration:06d}"

    def keep(self, source: str, iteration: int, time_total: float | None = None) -> Path:
        """Copy a reported checkpoint directory into the run's directory."""
        target = self.path(iteration)
        shutil.copytree(source, target, dirs_exist_ok=True)
        self._mark(target, iteration, time_total=time_total)
        return target

    def save_class(self, trainable: Any, iteration: int, time_total: float | None = None) -> Path | None:
        """Let a class trainable write its checkpoint (save_checkpoint / _save) into the run's directory;
        None when the class does not implement save_checkpoint (Ray's base class raises NotImplementedError)."""
        target = self.path(iteration)
        target.mkdir(parents=True, exist_ok=True)
        try:
            returned = trainable.save_checkpoint(str(target))
        except NotImplementedError:
            shutil.rmtree(target, ignore_errors=True)
            return None
        if isinstance(returned, dict):
            (target / DICT_FILE).write_bytes(pickle.dumps(returned))
            returned = None
        self._mark(target, iteration, returned if isinstance(returned, str) else None, time_total)
        return target

    @staticmethod
    def _mark(target: Path, iteration: int, returned: str | None = None, time_total: float | None = None) -> None:
        if returned:
            try:  # a path inside the checkpoint: relative, so a copy elsewhere (PBT's storage) resolves it
                returned = Path(returned).resolve().relative_to(target.resolve()).as_posix()
            except ValueError:
                pass
        info = {"training_iteration": iteration, "returned": returned, "time_total_s": time_total}
        (target / MARKER).write_text(json.dumps(info))

    def latest(self) -> tuple[Path, int, str | None] | None:
        """The newest checkpoint of this run id, in this or an earlier directory of the run."""
        found = []
        for marker in self.wandb_dir.glob(f"*-{self.run_id}/checkpoints/checkpoint_*/{MARKER}"):
            info = json.loads(marker.read_text())
            found.append((info["training_iteration"], marker.stat().st_mtime, marker.parent, info.get("returned")))
        if not found:
            return None
        iteration, _, path, returned = max(found)
        return path, iteration, returned


def as_checkpoint(path: Path) -> Any:
    """A Checkpoint object for `path`: Ray's class when the trainable uses Ray Tune, else our mirror."""
    if "ray.tune" in sys.modules:
        from ray.tune import Checkpoint
    else:
        from ..tune.checkpoint import Checkpoint
    return Checkpoint.from_directory(str(path))


def class_restore_argument(path: Path, returned: str | None) -> Any:
    """What load_checkpoint / _restore receives: the dict, the path _save returned, or the directory."""
    if (path / DICT_FILE).is_file():
        return pickle.loads((path / DICT_FILE).read_bytes())
    if not returned:
        return str(path)
    inside = path / returned  # a path _save returned inside the checkpoint, kept relative to it
    return str(inside) if not Path(returned).is_absolute() and inside.exists() else returned


def time_total(path: Path) -> float:
    """The time_total_s recorded in the checkpoint's marker (0.0 for a checkpoint written without it)."""
    try:
        value = json.loads((path / MARKER).read_text()).get("time_total_s")
    except (OSError, ValueError, AttributeError):
        return 0.0
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
