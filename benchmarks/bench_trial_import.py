"""What a trial process pays to import sweepbridge's trial runtime (issue 15: it loads no translator module).

Usage: python benchmarks/bench_trial_import.py [RUNS]   (from the repository root)

Prints the median wall time of `import sweepbridge.runtime.trial` in a fresh interpreter (RUNS starts, default 15)
and the sweepbridge modules that import loads.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMED = "import time; t = time.perf_counter(); import sweepbridge.runtime.trial; print(time.perf_counter() - t)"
LISTED = (
    "import sys, sweepbridge.runtime.trial; "
    "print(' '.join(sorted(m for m in sys.modules if m.startswith('sweepbridge'))))"
)


def main(runs: int = 15) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", TIMED], env=env, cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout
        )  # fmt: skip
        for _ in range(runs)
    ]
    modules = subprocess.run([sys.executable, "-c", LISTED], env=env, cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()  # fmt: skip
    print(f"import sweepbridge.runtime.trial: median {statistics.median(times) * 1000:.0f} ms over {runs} starts")
    print(f"{len(modules)} sweepbridge modules: {', '.join(modules)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
