"""What a trial asks of the machine (`tune.with_resources`, recorded as the trial command's `--resources`),
honoured where sweepbridge's runner can on one machine, as Ray's scheduler would:

- `cpu`: trials at once are limited so that CPUs per trial × trials ≤ the machine's CPUs (at least one
  trial runs, with fewer CPUs than it asks when it asks more than there are). Nothing pins the CPUs.
- `gpu`: each trial gets its own GPUs through CUDA_VISIBLE_DEVICES (a fraction: trials share a GPU, at
  most 1 / fraction of them on one, as Ray packs them); trials at once are limited to what the GPUs
  hold; a trial asking more GPUs than the machine has is refused before anything starts.
- anything else (`memory`, custom resources): not enforced; said once.

The machine's GPUs: SWEEPBRIDGE_GPUS (a count, for machines whose GPUs are not detected, and for
tests), else the devices CUDA_VISIBLE_DEVICES lists, else `nvidia-smi -L`'s, else none.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import SpecError

GPUS_VARIABLE = "SWEEPBRIDGE_GPUS"
HONOURED = ("cpu", "gpu")


def machine_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def machine_gpus(environ: Mapping[str, str] | None = None) -> tuple[list[str], str]:
    """(the GPU device ids trials may use, where they come from)."""
    environ = os.environ if environ is None else environ
    given = environ.get(GPUS_VARIABLE)
    if given is not None:
        try:
            count = int(given)
        except ValueError:
            count = -1
        if count < 0:
            raise SpecError(f"{GPUS_VARIABLE} must be a GPU count (an integer >= 0), got {given!r}.")
        return [str(i) for i in range(count)], f"{GPUS_VARIABLE}={count}"
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [d.strip() for d in visible.split(",") if d.strip() and d.strip() != "-1"]
        return ids, f"CUDA_VISIBLE_DEVICES={visible!r}"
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return [], "no nvidia-smi, no CUDA_VISIBLE_DEVICES"
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return [], "nvidia-smi -L failed"
    lines = [line for line in listing.splitlines() if line.startswith("GPU ")]
    return [str(i) for i in range(len(lines))], "nvidia-smi -L"


@dataclass
class GpuPool:
    """Hands each trial its GPU ids: `per_trial` whole devices, or a share of one device (`slots` trials each)."""

    devices: list[str]
    per_trial: float
    slots: int = 1
    """Trials one device holds (1 / fraction for a fractional request; 1 otherwise)."""
    _held: dict[str, list[str]] = field(default_factory=dict)

    @property
    def capacity(self) -> int:
        """Trials that can hold GPUs at once."""
        if self.per_trial < 1:
            return len(self.devices) * self.slots
        return len(self.devices) // math.ceil(self.per_trial)

    def acquire(self, run_id: str) -> list[str]:
        """The device ids of run `run_id` (SpecError when none is free: callers keep within `capacity`)."""
        used: dict[str, int] = {d: 0 for d in self.devices}
        for ids in self._held.values():
            for d in ids:
                used[d] += 1
        if self.per_trial < 1:
            free = [d for d in self.devices if used[d] < self.slots]
            chosen = sorted(free, key=lambda d: -used[d])[:1]  # pack shares onto a started device, as Ray's PACK
        else:
            chosen = [d for d in self.devices if used[d] == 0][: math.ceil(self.per_trial)]
        if len(chosen) < max(1, math.ceil(self.per_trial)):
            raise SpecError(f"no free GPU for run {run_id}: {len(self._held)} trials hold them all.")
        self._held[run_id] = chosen
        return chosen

    def release(self, run_id: str) -> None:
        self._held.pop(run_id, None)


@dataclass
class Placement:
    """How the runner honours a trial's resource request: trials at once, the GPU pool, what it said."""

    jobs: int
    gpus: GpuPool | None = None
    notes: list[str] = field(default_factory=list)


def place(
    request: Mapping[str, float] | None,
    jobs: int,
    *,
    cpus: int | None = None,
    gpus: list[str] | None = None,
    gpus_from: str = "",
) -> Placement:
    """The Placement of `jobs` trials at once asking `request` each, on `cpus` CPUs and the `gpus` devices
    (default: this machine's). SpecError when a trial asks more GPUs than there are."""
    if not request:
        return Placement(jobs)
    cpus = machine_cpus() if cpus is None else cpus
    notes: list[str] = []
    limit = jobs
    cpu = float(request.get("cpu", 0))
    if cpu > 0:
        fits = max(1, math.floor(cpus / cpu + 1e-9))
        if cpu > cpus:
            notes.append(
                f"resources: each trial asks {_n(cpu)} CPUs, this machine has {cpus}: trials run one at a time, "
                "with fewer CPUs than asked"
            )
        elif fits < jobs:
            notes.append(
                f"resources: each trial asks {_n(cpu)} CPUs, this machine has {cpus}: {fits} trial"
                f"{'s' if fits > 1 else ''} at a time instead of --jobs {jobs}"
            )
        limit = min(limit, fits)
    pool = None
    gpu = float(request.get("gpu", 0))
    if gpu > 0:
        if gpus is None:
            gpus, gpus_from = machine_gpus()
        if gpu > 1 and not gpu.is_integer():
            raise SpecError(f"tune.with_resources asks {_n(gpu)} GPUs per trial: more than one must be a whole number.")
        slots = max(1, math.floor(1 / gpu + 1e-9)) if gpu < 1 else 1
        pool = GpuPool(list(gpus), gpu, slots)
        if pool.capacity < 1:
            raise SpecError(
                f"each trial asks {_n(gpu)} GPU{'s' if gpu > 1 else ''} (tune.with_resources), and this machine has "
                f"{len(gpus)} ({gpus_from}). Run the sweep where the GPUs are, or, when they are there but not "
                f"detected, set {GPUS_VARIABLE}=N."
            )
        if pool.capacity < limit:
            notes.append(
                f"resources: each trial asks {_n(gpu)} GPU{'s' if gpu > 1 else ''}, this machine has {len(gpus)}: "
                f"{pool.capacity} trial{'s' if pool.capacity > 1 else ''} at a time instead of --jobs {jobs}"
            )
        limit = min(limit, pool.capacity)
    ignored = sorted(k for k in request if k not in HONOURED)
    if ignored:
        notes.append(f"resources: {', '.join(ignored)} not enforced here (only cpu and gpu are)")
    return Placement(limit, pool, notes)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
