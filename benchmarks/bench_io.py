"""Benchmark: YAML I/O and validation at scale (issue 11, item 5): to_yaml and validate of 10,000
parameters and of a 5 MB sweep file, through libyaml's C loader/dumper (sweepbridge's path when
libyaml is present) and through PyYAML's pure-Python ones (its path before).

Run: python benchmarks/bench_io.py [--tree PATH]   (--tree: time another checkout, e.g. the old main)
Figures are CPU seconds (best of several runs): the machine is shared, wall time follows its load.
Targets: to_yaml of 10,000 parameters <= 0.4 s; translate + validate (to_sweep) <= 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu(func, repeats: int = 5) -> float:
    """Best-of-`repeats` CPU seconds of func()."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return min(times)


def big_parameters(n: int = 10_000, values: int = 40) -> dict:
    """n parameters of `values` string and number values each: about 5 MB of YAML."""
    return {f"p{i}": {"values": [f"v{i}_{j}" if j % 2 else j * 0.5 for j in range(values)]} for i in range(n)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the sweepbridge checkout to time")
    args = parser.parse_args()
    tree = args.tree.resolve()
    sys.path.insert(0, str(HERE))
    from bench_translate import space  # it puts this checkout first on sys.path: `tree` goes before it

    sys.path.insert(0, str(tree))
    import sweepbridge
    from sweepbridge import SweepConfig, to_sweep, validate

    assert Path(sweepbridge.__file__).is_relative_to(tree), sweepbridge.__file__
    import yaml

    print(f"# {tree}: CPython {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}, libyaml {yaml.__with_libyaml__}")  # fmt: skip
    to_sweep(space(10))  # load the schema and jsonschema once
    s = space(10_000)
    cfg = to_sweep(s)
    print("10,000 parameters (bench_translate's space), CPU seconds:")
    print(f"  to_sweep (translate + validate)   {cpu(lambda: to_sweep(s)):.3f}   [target <= 0.5]")
    print(f"  validate(cfg)                     {cpu(lambda: validate(cfg)):.3f}")
    print(f"  cfg.to_yaml()                     {cpu(lambda: cfg.to_yaml()):.3f}   [target <= 0.4]")
    big = SweepConfig({"method": "random", "parameters": big_parameters()})
    text = big.to_yaml()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(text, encoding="utf-8")
        print(f"a {len(text.encode()) / 1e6:.1f} MB YAML file (10,000 parameters x 40 values), CPU seconds:")
        print(f"  to_yaml                           {cpu(lambda: big.to_yaml(), 2):.2f}")
        print(f"  SweepConfig.load                  {cpu(lambda: SweepConfig.load(path), 2):.2f}")
        print(f"  validate(cfg)                     {cpu(lambda: validate(big), 2):.2f}")
        env = {**os.environ, "PYTHONPATH": str(tree)}
        runs = []
        for _ in range(2):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run([sys.executable, "-m", "sweepbridge", "validate", str(path)], env=env, cwd=tmp,
                                  capture_output=True, text=True, check=True)  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            assert "all valid" in done.stderr, done.stderr
            runs.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        print(f"  `sweepbridge validate` process    {min(runs):.2f}")


if __name__ == "__main__":
    main()
