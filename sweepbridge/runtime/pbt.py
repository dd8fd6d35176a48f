"""A run of a Population Based Training sweep: its lineage (`_pbt` in the config) and the shared checkpoint storage.

Every run of a PBT sweep carries `config["_pbt"]` (`sweepbridge.trial_command.PBT_KEY`; docs/pbt-runs.md):
the PBT trial it belongs to (a chain of runs), its generation, its parent run, the donor run and
training_iteration whose checkpoint it continues from, and the storage root. The runtime

- publishes every checkpoint the run keeps to `{storage}/{trial}/{generation:04d}/checkpoint_{iteration:06d}/`
  (a local directory, or a URI through pyarrow's filesystems, imported only for URIs), the marker file last,
  so a reader never sees half a checkpoint;
- before the trainable starts, a continuation (generation > 0) loads `{storage}/{donor}/checkpoint_{iteration:06d}`
  and continues `training_iteration` and `time_total_s` from its marker, as Ray's trials do after an exploit;
  a missing or unreadable checkpoint is a `DonorCheckpointError` naming the path (the run fails; it never
  starts from scratch);
- holds at each iteration PBT will judge (`hold`) until the scheduler's decision file says to go on (with the
  next hold) or to stop (the trial continues in a new run), so a run never trains past a perturbation point
  (`Hold`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..trial_command import PBT_KEY
from ..trial_command import PBT_TIME_ATTRS as TIME_ATTRS
from .checkpoints import MARKER

PBT_CHECKPOINT = "_pbt_checkpoint"
"""Logged in a run's row (= its training_iteration) when that iteration's checkpoint was published."""
TAG = "pbt"
HOLD_TIMEOUT_S = 1800.0
"""How long a held run waits for the scheduler's decision before training on (SWEEPBRIDGE_PBT_HOLD_TIMEOUT):
a synchronous population waits at each sync point for its slowest trial, as Ray's paused trials do."""


class PbtConfigError(SpecError):
    """The run's `_pbt` block is malformed."""


class DonorCheckpointError(SpecError):
    """The donor checkpoint a continuation must load is missing or unreadable."""


@dataclass(frozen=True)
class Lineage:
    """The `_pbt` block of one run (the contract between the generated PBT scheduler and the runtime)."""

    trial: str
    generation: int
    parent: str | None
    donor: str | None
    iteration: int | None
    storage: str
    hold: float | None = None
    time_attr: str = "training_iteration"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Lineage | None:
        """The lineage of a run whose config holds `_pbt`; None for other runs; PbtConfigError when malformed."""
        block = config.get(PBT_KEY)
        if block is None:
            return None
        if not isinstance(block, Mapping):
            raise PbtConfigError(f"config[{PBT_KEY!r}] must be a mapping, got {type(block).__name__}.")
        trial, generation, storage = block.get("trial"), block.get("generation"), block.get("storage")
        if not isinstance(trial, str) or not trial or "/" in trial:
            raise PbtConfigError(f"config[{PBT_KEY!r}]['trial'] must be a name without '/', got {trial!r}.")
        if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
            raise PbtConfigError(f"config[{PBT_KEY!r}]['generation'] must be an integer >= 0, got {generation!r}.")
        if not isinstance(storage, str) or not storage:
            raise PbtConfigError(f"config[{PBT_KEY!r}]['storage'] must be a directory or URI, got {storage!r}.")
        donor, iteration = block.get("donor"), block.get("iteration")
        if generation > 0:
            if not isinstance(donor, str) or donor.count("/") != 1:
                raise PbtConfigError(
                    f"config[{PBT_KEY!r}]['donor'] must name the run to continue from as 'trial/GGGG' "
                    f"(generation {generation}), got {donor!r}."
                )
            if not isinstance(iteration, int) or isinstance(iteration, bool) or iteration < 0:
                raise PbtConfigError(
                    f"config[{PBT_KEY!r}]['iteration'] must be the donor's training_iteration to restore "
                    f"(generation {generation}), got {iteration!r}."
                )
        parent, hold = block.get("parent"), block.get("hold")
        time_attr = block.get("time_attr", "training_iteration")
        if time_attr not in TIME_ATTRS:
            raise PbtConfigError(f"config[{PBT_KEY!r}]['time_attr'] must be one of {TIME_ATTRS}, got {time_attr!r}.")
        if hold is not None and (not isinstance(hold, (int, float)) or isinstance(hold, bool) or hold < 0):
            raise PbtConfigError(f"config[{PBT_KEY!r}]['hold'] must be a {time_attr} >= 0, got {hold!r}.")
        return cls(trial, generation, parent if isinstance(parent, str) else None,
                   donor if generation > 0 else None, iteration if generation > 0 else None, storage, hold,
                   time_attr)  # fmt: skip

    @property
    def run_name(self) -> str:
        """This run in the storage: `trial/GGGG`."""
        return f"{self.trial}/{self.generation:04d}"

    def tags(self) -> list[str]:
        return [TAG, f"generation:{self.generation}"]

    # --- storage ---------------------------------------------------------------------------------

    def published(self, iteration: int) -> str:
        """Where this run's checkpoint of `iteration` is published."""
        return join(self.storage, self.run_name, f"checkpoint_{iteration:06d}")

    def donor_path(self) -> str:
        """The checkpoint a continuation loads: `{storage}/{donor}/checkpoint_{iteration:06d}`."""
        return join(self.storage, str(self.donor), f"checkpoint_{self.iteration:06d}")

    def publish(self, local: Path, iteration: int) -> str:
        """Copy the kept checkpoint directory `local` (its marker included) to the storage; the target path."""
        target = self.published(iteration)
        store = Storage.of(target)
        try:
            store.put(local, target)
        except OSError as exc:
            raise OSError(f"cannot publish the PBT checkpoint {local} to {target}: {exc}") from exc
        return target

    def fetch_donor(self, scratch: Path) -> tuple[Path, dict[str, Any]]:
        """The donor checkpoint as a local directory (a URI's is copied into `scratch`) and its marker.
        DonorCheckpointError naming the path when it is missing or unreadable."""
        source = self.donor_path()
        store = Storage.of(source)
        try:
            local = store.get(source, scratch / f"checkpoint_{self.iteration:06d}")
        except FileNotFoundError:
            raise DonorCheckpointError(self._donor_message(source, "does not exist")) from None
        except OSError as exc:
            raise DonorCheckpointError(self._donor_message(source, f"cannot be read ({exc})")) from None
        try:
            info = json.loads((local / MARKER).read_text(encoding="utf-8"))
            if not isinstance(info, dict) or info.get("training_iteration") != self.iteration:
                raise ValueError(f"its marker {MARKER} does not record training_iteration {self.iteration}")
        except FileNotFoundError:
            reason = f"cannot be read (no {MARKER}: not a whole checkpoint)"
            raise DonorCheckpointError(self._donor_message(source, reason)) from None
        except (OSError, ValueError) as exc:
            raise DonorCheckpointError(self._donor_message(source, f"cannot be read ({exc})")) from None
        return local, info

    def read(self, name: str) -> dict[str, Any] | None:
        """The JSON file `name` beside this run's checkpoints (a decision), or None while it is not there."""
        path = join(self.storage, self.run_name, name)
        try:
            data = json.loads(Storage.of(path).read_text(path))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _donor_message(self, path: str, what: str) -> str:
        return (
            f"PBT trial {self.trial} generation {self.generation} continues from {self.donor} at "
            f"training_iteration {self.iteration}, but its checkpoint {path} {what}. The run fails rather "
            "than start from scratch: every machine running the sweep must reach the same storage "
            "(RunConfig(storage_path=...): a shared directory, or a URI pyarrow can open)."
        )


def is_uri(path: str) -> bool:
    return "://" in path


def join(root: str, *parts: str) -> str:
    """`root/part/...` for a local directory (`~` expanded) or a URI."""
    if is_uri(root):
        return "/".join([root.rstrip("/"), *parts])
    return str(Path(os.path.expanduser(root)).joinpath(*parts))


class Storage:
    """Copying checkpoint directories to and from the storage: the local filesystem, or pyarrow's."""

    @staticmethod
    def of(path: str) -> Storage:
        return UriStorage(path) if is_uri(path) else Storage()

    def put(self, local: Path, target: str) -> None:
        """`local` to `target`, whole: copied beside it, then renamed into place (a reader never sees half)."""
        final = Path(target)
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(f".{final.name}.partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(local, partial)
        if final.exists():  # the same iteration published again (a resumed run): replace it
            shutil.rmtree(final)
        os.replace(partial, final)

    def read_text(self, path: str) -> str:
        """A small file's text (FileNotFoundError while it is not there)."""
        return Path(path).read_text(encoding="utf-8")

    def get(self, source: str, scratch: Path) -> Path:
        """A local directory holding `source` (local storage: `source` itself)."""
        path = Path(source)
        if not path.is_dir():
            raise FileNotFoundError(source)
        return path


class UriStorage(Storage):
    """A pyarrow filesystem URI (file://, s3://, gs://, hdfs://, ...), as Ray's storage_path takes it."""

    def __init__(self, uri: str) -> None:
        try:
            import pyarrow.fs
        except ImportError:
            raise SpecError(
                f"the PBT checkpoint storage {uri} is a URI: reading it needs pyarrow (pip install pyarrow, "
                "it comes with ray[tune]), or give a directory shared by every machine."
            ) from None
        self.fs_module = pyarrow.fs
        try:
            self.fs, _ = pyarrow.fs.FileSystem.from_uri(uri)
        except (pyarrow.ArrowInvalid, ValueError) as exc:  # type: ignore[attr-defined]
            raise SpecError(f"the PBT checkpoint storage {uri} is not a URI pyarrow can open: {exc}") from None

    def _path(self, uri: str) -> str:
        return self.fs_module.FileSystem.from_uri(uri)[1]

    def put(self, local: Path, target: str) -> None:
        root = self._path(target)
        files = sorted(p for p in local.rglob("*") if p.is_file())
        files.sort(key=lambda p: p.name == MARKER)  # the marker last: a reader sees it only over a whole checkpoint
        self.fs.create_dir(root, recursive=True)
        for path in files:
            relative = path.relative_to(local).as_posix()
            if "/" in relative:
                self.fs.create_dir(f"{root}/{relative.rsplit('/', 1)[0]}", recursive=True)
            with self.fs.open_output_stream(f"{root}/{relative}") as out:
                out.write(path.read_bytes())

    def read_text(self, path: str) -> str:
        with self.fs.open_input_stream(self._path(path)) as stream:
            return stream.read().decode("utf-8")

    def get(self, source: str, scratch: Path) -> Path:
        root = self._path(source)
        info = self.fs.get_file_info(root)
        if info.type != self.fs_module.FileType.Directory:
            raise FileNotFoundError(source)
        shutil.rmtree(scratch, ignore_errors=True)
        for entry in self.fs.get_file_info(self.fs_module.FileSelector(root, recursive=True)):
            if entry.type != self.fs_module.FileType.File:
                continue
            target = scratch / entry.path[len(root) :].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.fs.open_input_stream(entry.path) as stream:
                target.write_bytes(stream.read())
        return scratch


class Hold:
    """A PBT run's holds: after logging its first result whose time (`time_attr`) reaches `at` — with
    time_total_s, a result that kept a checkpoint — the run waits for the scheduler's decision on it
    (`decision_{training_iteration:06d}.json` beside its checkpoints; `release.json` ends the holds)."""

    def __init__(self, lineage: Lineage, timeout: float | None = None) -> None:
        self.lineage = lineage
        self.at = lineage.hold
        self.step: int | None = None
        """The training_iteration held at."""
        if timeout is None:
            try:
                timeout = float(os.environ.get("SWEEPBRIDGE_PBT_HOLD_TIMEOUT", HOLD_TIMEOUT_S))
            except ValueError:
                timeout = HOLD_TIMEOUT_S
        self.timeout = timeout

    def due(self, result: Mapping[str, Any], published: bool) -> bool:
        """`result` (its checkpoint `published` or not) is one PBT judges: log it at once (committed), `wait`."""
        step = result.get("training_iteration")
        if self.at is None or not isinstance(step, int):
            return False
        if self.lineage.time_attr == "training_iteration":
            time = step
        elif published:
            time = result.get(self.lineage.time_attr)
        else:
            return False
        if not isinstance(time, (int, float)) or isinstance(time, bool) or time < self.at:
            return False
        self.step = step
        return True

    def check(self) -> tuple[bool, str | None]:
        """(decided, why): whether the scheduler decided on the held iteration, and the reason to stop
        ("exploit" / "pause"), None to go on (then `at` is the next hold, or None: no more holds)."""
        held = self.at
        if held is None or self.step is None:
            return True, None
        decision = self.lineage.read(f"decision_{self.step:06d}.json")
        if decision is not None:
            if decision.get("action") == "stop":
                self.at = None
                return True, str(decision.get("why") or "exploit")
            nxt = decision.get("hold")
            self.at = nxt if isinstance(nxt, (int, float)) and not isinstance(nxt, bool) else None
            return True, None
        if self.lineage.read("release.json") is not None:
            self.at = None
            return True, None
        return False, None

    def wait(self, stopped: Callable[[], bool]) -> str | None:
        """Wait for the decision on the held iteration; the reason to stop ("exploit" / "pause") or None to go
        on. Returns None at once when `stopped()` (SIGTERM) and after the timeout (said on stderr)."""
        held, deadline, pause = self.step, time.monotonic() + self.timeout, 0.02
        while not stopped():
            decided, why = self.check()
            if decided:
                return why
            if time.monotonic() > deadline:
                self.at = None
                print(
                    f"sweepbridge trial: PBT trial {self.lineage.trial} got no decision on training_iteration {held} "
                    f"within {self.timeout:g} s (is the sweep's scheduler running?); it trains on without holds.",
                    file=sys.stderr,
                )
                return None
            time.sleep(pause)
            pause = min(pause * 1.5, 0.2)
        return None


def lineage_before_init() -> Lineage | None:
    """The `_pbt` block of the run about to start, read from the parameters file the agent (or the runner)
    wrote (WANDB_SWEEP_PARAM_PATH), so wandb.init can set group and tags; None when there is none."""
    path = os.environ.get("WANDB_SWEEP_PARAM_PATH")
    if not path or not os.path.isfile(path):
        return None
    from wandb.sdk.lib import config_util

    try:
        loaded = config_util.dict_from_config_file(path) or {}
    except Exception:  # wandb.init reads it again and reports what is wrong with it
        return None
    block = loaded.get(PBT_KEY)
    try:
        return Lineage.from_config({PBT_KEY: block}) if block is not None else None
    except PbtConfigError:
        return None  # reported once the run's config is read
