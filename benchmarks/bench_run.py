"""`sweepbridge run` against Ray Tune's `Tuner.fit()`: N trials of a trivial trainable on this machine.

The same space (x ~ U(-1, 1), random search) and the same trivial objective (5 values of
(x - 0.3)^2 + 1/(i+1)) run as
- `sweepbridge run` with subprocess trials (a W&B-style program: wandb.init + 5 run.log, offline),
  --jobs 1 and --jobs 2, warm (each trial a fork of the template interpreter, the default) and
  `--cold` (a new interpreter per trial, as the wandb agent);
- the seed's Tune trainable (examples/tune_trainable_agent.py: 30 `tune.report`s, ASHA) through
  `sweepbridge trial`, warm and cold, --jobs 1;
- `run_sweep(..., function=...)`: in-process trials, as `wandb.agent(function=...)`;
- Ray Tune `Tuner.fit()` (function trainable reporting 5 times with `tune.report`; `ray.init`
  counted), concurrency = the CPU count.
Overhead per trial = (wall time / N) − what one trial costs without the runner: the program run
directly (`python trivial.py`, offline) for subprocess trials; the same function called in a loop
for in-process trials. The in-process wall includes the runner's start-up (importing W&B's engine,
whose first call loads scipy and scikit-learn), also shown alone: `run_sweep` → first trial started.
On a shared machine wall times swing with the load, so the runner's CPU cost is measured too: CPU of
the runner process and of everything it starts (trials, log readers) minus N times the CPU of one
direct program run, per trial.

Run: python benchmarks/bench_run.py [--trials 50] [--skip-ray]   (numbers: benchmarks/README.md)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = """\
import wandb

run = wandb.init()
x = run.config.get("x", 0.1)
for i in range(5):
    run.log({"loss": (x - 0.3) ** 2 + 1.0 / (i + 1)})
run.finish()
"""


def sweep(n: int) -> dict:
    return {
        "program": "trivial.py",
        "method": "random",
        "metric": {"name": "loss", "goal": "minimize"},
        "run_cap": n,
        "parameters": {"x": {"min": -1.0, "max": 1.0}},
    }


def in_dir(path: Path) -> contextlib.AbstractContextManager:
    return contextlib.chdir(path)


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    base.update(WANDB_SILENT="true", WANDB_MODE="offline")
    base["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), base.get("PATH", "")])
    return base


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def direct_program(work: Path, reps: int = 5) -> tuple[float, float]:
    """Mean (wall, CPU) of the program run by hand (no runner), offline."""
    times = []
    cpu0 = _children_cpu()
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "trivial.py"],
            cwd=work,
            env=env(),
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t)
    return statistics.mean(times), (_children_cpu() - cpu0) / reps


def runner_subprocess(work: Path, n: int, jobs: int, cold: bool, sweep_file: str = "sweep.yaml") -> tuple[float, float]:
    """(wall, CPU of the runner and all it started) for `sweepbridge run`."""
    out = f"out-{sweep_file}-{jobs}-{'cold' if cold else 'warm'}"
    cmd = [sys.executable, "-m", "sweepbridge", "run", sweep_file, "--jobs", str(jobs), "--out", out, "--count", str(n)]
    cpu0 = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(cmd + (["--cold"] if cold else []), cwd=work, env=env(), capture_output=True, text=True)
    wall = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = (work / out / "results.jsonl").read_text().splitlines()
    assert len(lines) == n, len(lines)
    return wall, _children_cpu() - cpu0


TRAINABLE_RUNS = 10
"""The seed example's num_samples (its sweep's run_cap)."""


def trainable_sweep(work: Path) -> str:
    """The seed's Tune trainable example translated to its sweep file (in `work`)."""
    example = Path(__file__).resolve().parents[1] / "examples" / "tune_trainable_agent.py"
    (work / "tune_trainable_agent.py").write_text(example.read_text())
    subprocess.run([sys.executable, "tune_trainable_agent.py", "trainable.yaml"], cwd=work, env=env(), check=True,
                   capture_output=True)  # fmt: skip
    return "trainable.yaml"


def _objective() -> None:
    import wandb

    run = wandb.init()
    x = run.config.get("x", 0.1)
    for i in range(5):
        run.log({"loss": (x - 0.3) ** 2 + 1.0 / (i + 1)})


def in_process(work: Path, n: int) -> tuple[float, float, float]:
    """(runner wall, plain loop wall, runner start-up until the first trial) for n in-process trials."""
    import wandb

    from sweepbridge.runner import run_sweep
    from sweepbridge.runner.display import Display

    first: list[float] = []

    class FirstStart(Display):
        def started(self, run_id: str, config: dict) -> None:
            first.append(time.perf_counter())

    os.environ.update(WANDB_SILENT="true", WANDB_MODE="offline")
    with in_dir(work), contextlib.redirect_stderr(io.StringIO()):
        _objective()  # warm: service start, imports
        wandb.finish()
        t = time.perf_counter()
        for _ in range(n):
            _objective()
            wandb.finish()
        loop = time.perf_counter() - t
        cfg = sweep(n)
        del cfg["program"]
        t = time.perf_counter()
        outcome = run_sweep(cfg, function=_objective, out="out-fn", display=FirstStart())
        wall = time.perf_counter() - t
    assert len(outcome.results) == n and all(r.state == "finished" for r in outcome.results)
    return wall, loop, first[0] - t


RAY = """
import sys, time, tempfile
t = time.perf_counter()
import ray
from ray import tune

def trainable(config):
    for i in range(5):
        tune.report({"loss": (config["x"] - 0.3) ** 2 + 1.0 / (i + 1)})

ray.init(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
tuner = tune.Tuner(
    trainable,
    param_space={"x": tune.uniform(-1, 1)},
    tune_config=tune.TuneConfig(num_samples=int(sys.argv[1]), metric="loss", mode="min"),
    run_config=tune.RunConfig(storage_path=tempfile.mkdtemp(), verbose=0),
)
results = tuner.fit()
assert len(results) == int(sys.argv[1]) and not results.errors
print(time.perf_counter() - t)
"""


def ray_tune(n: int) -> float:
    proc = subprocess.run(
        [sys.executable, "-c", RAY, str(n)],
        env={**env(), "RAY_AIR_NEW_OUTPUT": "0", "TUNE_DISABLE_AUTO_CALLBACK_LOGGERS": "1"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return float(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    n = args.trials
    rows = []
    cpu_rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "trivial.py").write_text(PROGRAM)
        import yaml

        (work / "sweep.yaml").write_text(yaml.safe_dump(sweep(n)))
        before = direct_program(work)
        walls = {(jobs, cold): runner_subprocess(work, n, jobs, cold) for cold in (False, True) for jobs in (1, 2)}
        after = direct_program(work)  # the load drifts: the baseline is the mean of runs before and after
        one, one_cpu = (before[0] + after[0]) / 2, (before[1] + after[1]) / 2
        for (jobs, cold), (wall, cpu) in walls.items():
            start = "cold" if cold else "warm"
            rows.append((f"sweepbridge run --jobs {jobs} ({start} subprocess)", wall, wall / n - one / jobs))
            cpu_rows.append((f"{start}, --jobs {jobs}", cpu / n - one_cpu))
        trainable = trainable_sweep(work)
        runs = min(n, TRAINABLE_RUNS)
        for cold in (False, True):
            wall, _ = runner_subprocess(work, runs, 1, cold, trainable)
            name = f"seed Tune trainable, {'cold' if cold else 'warm'} --jobs 1 ({runs} runs)"
            rows.append((name, wall * n / runs, None))
        fn_wall, loop, startup = in_process(work, n)
        rows.append(("run_sweep(function=...) (in-process)", fn_wall, (fn_wall - loop) / n))
    if not args.skip_ray:
        rows.append((f"Ray Tune Tuner.fit() ({os.cpu_count()} concurrent)", ray_tune(n), None))
    load = os.getloadavg()[0]
    print(f"{n} trials of a trivial trainable, {os.cpu_count()} CPUs (load average {load:.1f} at the end)")
    print(f"one direct program run: {one:.2f} s wall ({before[0]:.2f} / {after[0]:.2f}), {one_cpu:.2f} s CPU")
    print(f"{'':44} {'wall (s)':>9} {'per trial (s)':>14} {'overhead/trial':>15}")
    for name, wall, overhead in rows:
        extra = "" if overhead is None else f"{overhead * 1000:12.0f} ms"
        print(f"{name:44} {wall:9.1f} {wall / n:14.2f} {extra:>15}")
    print(
        f"in-process: plain loop {loop / n * 1000:.0f} ms per call; runner start-up {startup:.2f} s, "
        f"overhead per trial without it {(fn_wall - startup - loop) / n * 1000:.0f} ms"
    )
    for which, cpu in cpu_rows:
        print(f"runner CPU per subprocess trial ({which}): {cpu * 1000:.0f} ms beyond one direct program run")


if __name__ == "__main__":
    main()
