"""Benchmark: import cost of sweepbridge, and translate+validate time against space size.

Run: python benchmarks/bench_translate.py [--runs 15]
Targets (issue 2): `import sweepbridge` adds <= 30 ms over bare python; 10,000 parameters translate
and validate (`to_sweep`) in <= 1 s, growing linearly.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _run_ms(code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return (time.perf_counter() - start) * 1000


def import_cost(runs: int) -> dict[str, float]:
    """Median wall time of `python -c pass` and `python -c "import sweepbridge"` (interleaved runs)."""
    _run_ms("import sweepbridge")  # warm the file cache and write .pyc files
    bare, loaded = [], []
    for _ in range(runs):
        bare.append(_run_ms("pass"))
        loaded.append(_run_ms("import sweepbridge"))
    return {"bare_ms": statistics.median(bare), "import_ms": statistics.median(loaded)}


def heavy_modules() -> list[str]:
    """Heavy libraries `import sweepbridge` must not load (checked in a fresh interpreter)."""
    code = (
        "import sys, sweepbridge; heavy = ('numpy', 'jsonschema', 'yaml', 'wandb', 'hyperopt', 'ray', 'scipy');"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return out.stdout.split()


def space(n: int):
    """n parameters cycling through every hp operator, a third of them nested two levels deep."""
    from sweepbridge.hyperopt import hp

    makers = [
        lambda k: hp.uniform(k, -1, 1),
        lambda k: hp.quniform(k, 0, 10, 0.5),
        lambda k: hp.uniformint(k, 0, 8),
        lambda k: hp.loguniform(k, -7, 0),
        lambda k: hp.qloguniform(k, 0, 5, 1),
        lambda k: hp.normal(k, 0, 1),
        lambda k: hp.qnormal(k, 0, 3, 0.1),
        lambda k: hp.lognormal(k, 0, 1),
        lambda k: hp.qlognormal(k, 0, 1, 1),
        lambda k: hp.randint(k, 100),
        lambda k: hp.choice(k, ["a", "b", 3, None]),
        lambda k: hp.pchoice(k, [(0.2, 1), (0.8, 2)]),
        lambda k: 0.1,
    ]
    out: dict = {}
    for i in range(n):
        key = f"p{i}"
        target = out.setdefault(f"g{i % 7}", {}).setdefault("inner", {}) if i % 3 == 0 else out
        target[key] = makers[i % len(makers)](key)
    return out


def translate_time(n: int, repeats: int) -> float:
    """Best-of-`repeats` seconds for to_sweep (parse + emit + schema and rule validation) of n parameters."""
    from sweepbridge import to_sweep

    to_sweep(space(10))  # load the schema and jsonschema once, outside the timing
    best = float("inf")
    for _ in range(repeats):
        s = space(n)
        start = time.perf_counter()
        cfg = to_sweep(s)
        best = min(best, time.perf_counter() - start)
    assert sum(1 for _ in _leaves(cfg["parameters"])) == n
    return best


def _leaves(params):
    for spec in params.values():
        if "parameters" in spec:
            yield from _leaves(spec["parameters"])
        else:
            yield spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="interpreter starts per side (median)")
    args = parser.parse_args()

    print(f"# {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}, load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    cost = import_cost(args.runs)
    added = cost["import_ms"] - cost["bare_ms"]
    verdict = "ok" if added <= 30 else "MISSED"
    print(f"import: bare python {cost['bare_ms']:.1f} ms, with `import sweepbridge` {cost['import_ms']:.1f} ms "
          f"(median of {args.runs}) -> adds {added:.1f} ms  [target <= 30 ms: {verdict}]")  # fmt: skip
    print(f"heavy modules loaded by `import sweepbridge`: {heavy_modules() or 'none'}")
    print("translate+validate (to_sweep, best of 5):")
    rows = []
    for n in (10, 1_000, 10_000):
        seconds = translate_time(n, repeats=5 if n < 10_000 else 3)
        rows.append((n, seconds))
        print(f"  {n:>6,} parameters: {seconds:8.4f} s  ({seconds / n * 1e6:7.1f} us/parameter)")
    growth = (rows[2][1] / 10_000) / (rows[1][1] / 1_000)
    verdict = "ok" if rows[2][1] <= 1 else "MISSED"
    print(f"  target 10,000 parameters <= 1 s: {verdict}; "
          f"per-parameter time 1,000 -> 10,000: x{growth:.2f} (1.0 = linear)")  # fmt: skip


if __name__ == "__main__":
    main()
