"""Wall time of `sweepbridge convert` on the 2020 beta's seed example (target: median <= 0.3 s).

Run: python benchmarks/bench_cli.py [RUNS]   (uses the `sweepbridge` script next to this python)
Reports the median (and min/max) wall time of whole processes: interpreter start, imports,
running the source, translation, validation and the atomic write, against bare `python -c pass`.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.3
ROOT = Path(__file__).resolve().parent.parent
SEED_SOURCE = """\
from sweepbridge import to_sweep
from sweepbridge.hyperopt import hp

space = dict(
    width=hp.uniform("width", 0, 20),
    height=hp.uniform("height", -100, 100),
    activation=hp.choice("activation", ["relu", "tanh"]),
)
sweep = to_sweep(space, method="bayes", metric="mean_loss", goal="minimize", program="train.py", run_cap=10)
"""


def script() -> list[str]:
    found = Path(sys.executable).parent / "sweepbridge"
    return [str(found)] if found.is_file() else [sys.executable, "-m", "sweepbridge"]


def wall(cmd: list[str], cwd: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + sys of the child: stable when the machine is busy)."""
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)  # warm the file cache
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def report(label: str, measured: tuple[list[float], list[float]]) -> float:
    times, cpu = measured
    median = statistics.median(times)
    print(
        f"{label:<44} wall median {median * 1000:6.1f} ms (min {min(times) * 1000:6.1f}, max {max(times) * 1000:6.1f})"
        f"   cpu median {statistics.median(cpu) * 1000:6.1f} ms"
    )
    return median


def main(runs: int = 21) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "seed.py").write_text(SEED_SOURCE)
        shutil.copy(ROOT / "examples" / "tune_spec.yaml", cwd / "tune_spec.yaml")
        print(f"{runs} runs each, {' '.join(script())}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        report("python -c pass (baseline)", wall([sys.executable, "-c", "pass"], cwd, runs))
        report("sweepbridge --version", wall([*script(), "--version"], cwd, runs))
        median = report(
            "sweepbridge convert seed.py -o sweep.yaml",
            wall([*script(), "convert", "seed.py", "-o", "sweep.yaml"], cwd, runs),
        )
        if importlib.util.find_spec("sweepbridge.tune") is not None:
            report("sweepbridge convert tune_spec.yaml", wall([*script(), "convert", "tune_spec.yaml"], cwd, runs))
    verdict = "OK" if median <= TARGET_S else "OVER TARGET"
    print(f"convert on the seed example: {median:.3f} s (target <= {TARGET_S} s): {verdict}")
    return 0 if median <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:2])))
