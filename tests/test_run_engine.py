"""The runner's engine adapter drives W&B's own optimizers as W&B's server would (no trials here)."""

from __future__ import annotations

import random

import pytest

from sweepbridge.runner.engine import Engine, EngineError, RunReport, check_wandb, plain

np = pytest.importorskip("numpy")
sweeps = pytest.importorskip("sweeps")

QUADRATIC = {
    "method": "bayes",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"x": {"min": -1.0, "max": 1.0}, "y": {"min": -1.0, "max": 1.0}},
}


def seeded(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


def loss(config: dict) -> float:
    return (config["x"] - 0.3) ** 2 + (config["y"] + 0.2) ** 2


def finished(config: dict, value: float) -> RunReport:
    return RunReport(config, "finished", {"loss": value}, [{"loss": value, "_step": 0}])


def test_wandb_guard_passes_here_and_names_the_tested_version():
    assert check_wandb().startswith("0.")


def test_custom_sweep_without_a_loadable_source_is_refused_clearly(tmp_path):
    cfg = {
        **QUADRATIC,
        "method": "custom",
        "scheduler": {"engine": "optuna", "source": str(tmp_path / "no.py"), "optimizer": "make"},
    }
    with pytest.raises(EngineError, match="W&B's optimizer refuses this sweep"):
        Engine(cfg, "s1")


def test_random_configs_are_the_engines_draws():
    cfg = {**QUADRATIC, "method": "random", "parameters": {**QUADRATIC["parameters"], "c": {"values": ["a", "b"]}}}
    sweeps.next_runs(cfg, [], n=1)  # the engine's first call imports modules that draw from `random`
    seeded(3)
    direct = [plain({k: v["value"] for k, v in sweeps.next_run(cfg, []).config.items()}) for _ in range(6)]
    engine = Engine(cfg, "s1")
    seeded(3)
    via = [engine.ask(1)[0][1] for _ in range(6)]
    assert via == direct
    assert all(type(c["x"]) is float and type(c["c"]) is str for c in via)


def test_grid_enumerates_exactly_then_is_exhausted():
    cfg = {"method": "grid", "parameters": {"a": {"values": [1, 2, 3]}, "b": {"values": ["u", "v"]}}}
    engine = Engine(cfg, "s1")
    seen = []
    while asked := engine.ask(1):
        opt_id, config = asked[0]
        seen.append(config)
        engine.tell(opt_id, RunReport(config, "finished"))
    runs: list = []
    expected = []
    while (run := sweeps.next_run(cfg, runs)) is not None:
        run.state = sweeps.RunState.finished
        runs.append(run)
        expected.append({k: v["value"] for k, v in run.config.items()})
    assert seen == expected and len(seen) == 6


def _bayes_next(values: list[float], seed: int) -> dict:
    engine = Engine(QUADRATIC, "s1")
    seeded(0)
    asked = [engine.ask(1)[0] for _ in values]
    for (opt_id, config), value in zip(asked, values, strict=True):
        engine.tell(opt_id, finished(config, value))
    seeded(seed)
    return engine.ask(1)[0][1]


def test_bayes_proposals_depend_on_the_reported_metrics():
    low_left = _bayes_next([0.1, 5.0, 5.0, 5.0, 5.0], seed=1)
    low_right = _bayes_next([5.0, 5.0, 5.0, 5.0, 0.1], seed=1)
    assert _bayes_next([0.1, 5.0, 5.0, 5.0, 5.0], seed=1) == low_left  # deterministic given the metrics
    assert low_left != low_right


def _best(method: str, seed: int, budget: int = 12) -> float:
    engine = Engine({**QUADRATIC, "method": method}, f"s{seed}")
    seeded(seed)
    best = float("inf")
    for _ in range(budget):
        opt_id, config = engine.ask(1)[0]
        value = loss(config)
        best = min(best, value)
        engine.tell(opt_id, finished(config, value))
    return best


@pytest.mark.slow
def test_bayes_beats_random_on_a_quadratic_in_most_seeds():
    wins = sum(_best("bayes", seed) < _best("random", seed) for seed in range(5))
    assert wins >= 3, wins


CURVES = {
    "a": [1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3, 0.3],
    "b": [2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3],
    "c": [1.2, 0.9, 0.7, 0.6, 0.5, 0.45, 0.4, 0.38],
    "d": [3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.2, 0.1],
    "e": [0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55],
    "f": [1.5, 1.4, 1.45, 1.3, 1.2, 1.1, 1.0, 0.9],
}


@pytest.mark.parametrize("early", [{"min_iter": 1, "eta": 2}, {"min_iter": 2, "eta": 2, "strict": True}])
def test_hyperband_stops_exactly_the_runs_and_bands_stop_runs_chooses(early):
    """Runs advance one logged value per round; each round W&B's `stop_runs` decides on SweepRuns
    built here directly (the server's view), and the engine adapter decides on what the runner tells."""
    cfg = {
        "method": "grid",
        "metric": {"name": "loss", "goal": "minimize"},
        "early_terminate": {"type": "hyperband", **early},
        "parameters": {"curve": {"values": list(CURVES)}},
    }
    engine = Engine(cfg, "s1")
    asked = [engine.ask(1)[0] for _ in CURVES]
    ids = {config["curve"]: opt_id for opt_id, config in asked}
    got: dict[str, int] = {}
    want: dict[str, int] = {}
    for t in range(1, 9):
        state = "finished" if t == 8 else "running"
        reports = {
            ids[n]: RunReport(
                {"curve": n}, state, {"loss": c[t - 1]}, [{"loss": v, "_step": i} for i, v in enumerate(c[:t])]
            )
            for n, c in CURVES.items()
            if n not in got
        }
        if state == "running":
            for opt_id, report in reports.items():
                engine.tell(opt_id, report)
            for opt_id in engine.prune(reports):
                got[reports[opt_id].config["curve"]] = t
        runs = []
        for n, c in CURVES.items():
            stopped = want.get(n)
            history = [{"loss": v, "_step": i} for i, v in enumerate(c[: stopped or t])]
            run_state = "killed" if stopped else state
            runs.append(sweeps.SweepRun(name=n, config={"curve": {"value": n}}, state=run_state, history=history))
        if state == "running":
            for run in sweeps.stop_runs(cfg, runs):
                want[run.name] = t
    assert got == want
    assert 0 < len(want) < len(CURVES)  # the curves make hyperband stop some runs, not all


@pytest.mark.parametrize(
    ("extra", "jobs", "reads"),
    [
        ({"method": "random"}, 2, False),
        ({"method": "grid", "parameters": {"x": {"values": [1, 2]}}}, 2, False),
        ({"method": "random", "early_terminate": {"type": "hyperband", "min_iter": 2}}, 1, True),
        ({"method": "bayes"}, 2, False),
        ({"method": "bayes", "metric": {"name": "loss", "impute_while_running": "best"}}, 1, False),
        ({"method": "bayes", "metric": {"name": "loss", "impute_while_running": "best"}}, 2, True),
    ],
)
def test_running_history_is_read_only_where_wandbs_engine_uses_it(extra, jobs, reads):
    assert Engine({**QUADRATIC, **extra}, "s1").reads_running_history(jobs) is reads
