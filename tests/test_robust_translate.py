"""Translation and preview edge cases found by fuzzing (C3, C4, C5, C8, H3, H4, W6, W10)."""

from __future__ import annotations

import copy
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sweepbridge
from sweepbridge import SpecError, SweepBridgeError, preview, to_sweep, tune, tune_spec
from sweepbridge.frontends.wandb_config import arange
from sweepbridge.hyperopt import hp

np = pytest.importorskip("numpy")
sweeps = pytest.importorskip("sweeps")


# --- W6: a W&B grid q_uniform reaches Ray with W&B's own values, bit for bit ------------------------

bounds = st.integers(-1000, 1000) | st.floats(-1000, 1000, allow_nan=False)
quanta = st.integers(1, 50) | st.floats(1e-3, 50, allow_nan=False) | st.sampled_from([0.01, 0.1, 0.3, 0.05, 1.0])


def wandb_grid(cfg: dict) -> list:
    """Every value W&B's grid engine gives parameter x, in order."""
    runs, values = [], []
    while True:
        run = sweeps.next_run(copy.deepcopy(cfg), runs)
        if run is None:
            return values
        values.append(run.config["x"]["value"])
        runs.append(sweeps.SweepRun(name=f"r{len(runs)}", state=sweeps.RunState.finished, config=run.config))


@settings(max_examples=40, deadline=None)
@given(low=bounds, span=st.integers(1, 30), q=quanta, extra=st.floats(0, 0.99))
def test_tune_grid_of_a_wandb_q_uniform_is_wandbs_enumeration(low, span, q, extra):
    high = low + span * q + extra * q
    cfg = {"method": "grid", "parameters": {"x": {"distribution": "q_uniform", "min": low, "max": high, "q": q}}}
    if sweepbridge.validate(cfg):
        return
    expected = [v.item() if hasattr(v, "item") else v for v in wandb_grid(cfg)]
    for got in (sweepbridge.to_tune(cfg).param_space["x"]["grid_search"], arange(low, high, q)):
        assert got == expected and [type(v) for v in got] == [type(v) for v in expected]


@settings(max_examples=300, deadline=None)
@given(low=bounds, high=bounds, q=quanta)
def test_arange_is_numpys(low, high, q):
    want = np.arange(low, high, q).tolist() if (high - low) / q < 10**5 else None
    if want is not None:
        got = arange(low, high, q)
        assert got == want and [type(v) for v in got] == [type(v) for v in want]


# --- C3, C8, H4: preview hands W&B's engine only what it can run, and returns plain values ------------


@pytest.mark.parametrize("dist", ["q_uniform", "q_normal", "q_log_normal", "q_beta", "q_log_uniform_values"])
def test_preview_returns_plain_ints_for_int_q_kinds(dist):
    spec = {"distribution": dist, "q": 2, **({"min": 1, "max": 10} if "uniform" in dist else {})}
    configs = preview.engine_configs({"method": "random", "parameters": {"x": spec}}, 3)
    assert len(configs) == 3 and all(type(c["x"]) is int for c in configs)


def test_engine_failures_become_spec_errors_in_one_line():
    cfg = {"method": "random", "parameters": {"k": {"distribution": "int_uniform", "min": 0.0, "max": 5.0}}}
    with pytest.raises(SpecError, match=r"^W&B's engine cannot schedule this sweep: ValidationError: [^\n]*$"):
        preview.engine_configs(cfg, 2)


@pytest.mark.parametrize(
    "params, path",
    [
        ({"x": {"distribution": "int_uniform", "min": 0, "max": 10**9}}, "x"),
        ({"a": {"values": list(range(1000))}, "b": {"parameters": {"c": {"values": list(range(1001))}}}}, "b.c"),
        ({"x": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 1e-7}}, "x"),
    ],
)
def test_preview_refuses_a_huge_grid_before_the_engine_builds_it(params, path):
    start = time.perf_counter()
    with pytest.raises(SpecError, match=f"^{path}: the grid has"):
        preview.engine_configs({"method": "grid", "parameters": params}, 2)
    assert time.perf_counter() - start < 1


# --- C4, C5, H3, W10 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [5, "hyperband", ["type", "hyperband"], 1.5, True])
def test_early_terminate_must_be_a_mapping(bad):
    with pytest.raises(SpecError, match="^early_terminate: must be a mapping"):
        to_sweep({"x": hp.uniform("x", 0, 1)}, metric="m", early_terminate=bad)


@settings(max_examples=100, deadline=None)
@given(low=st.floats(-1e6, 1e6), width=st.floats(1e-3, 1e6), q=st.floats(5e-324, 1e-300))
def test_tiny_quanta_are_refused_not_overflowing(low, width, q):
    spec = {"distribution": "q_uniform", "min": low, "max": low + width, "q": q}
    cfg = {"method": "random", "parameters": {"x": spec}}
    for build in (lambda: tune.quniform(low, low + width, q), lambda: sweepbridge.to_tune(cfg)):
        try:
            build()
        except SweepBridgeError:
            pass


def test_tiny_quantum_on_a_ray_grid_index_is_a_spec_error():
    from sweepbridge.frontends import ray_ops

    with pytest.raises(SpecError, match="overflows"):
        ray_ops._grid_index(37.2, 5e-324, up=False)
    assert not ray_ops.is_multiple(37.2, 5e-324) and ray_ops.is_multiple(1.0, 0.25)


def test_a_grid_repeated_beyond_the_axis_limit_is_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(SpecError, match="^num_samples: num_samples=1,000,000,000 on a grid"):
        tune.run("train.py", config={"a": tune.grid_search([1, 2])}, num_samples=10**9)
    assert time.perf_counter() - start < 1
    cfg = tune.run("train.py", config={"a": tune.grid_search([1, 2])}, num_samples=100_000)
    assert len(cfg["parameters"]["_tune_repeat"]["values"]) == 100_000


def test_tune_spec_files_take_num_samples_minus_one_like_tune_run(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("program: train.py\nnum_samples: -1\nparam_space:\n  x: {uniform: [0.0, 1.0]}\n")
    from_file = tune_spec.convert(path)
    from_call = tune.run("train.py", config={"x": tune.uniform(0.0, 1.0)}, num_samples=-1)
    assert from_file == from_call and "run_cap" not in from_file
    for bad in (0, -2):
        path.write_text(f"program: train.py\nnum_samples: {bad}\nparam_space:\n  x: {{uniform: [0.0, 1.0]}}\n")
        with pytest.raises(SpecError, match=r"num_samples: .*-1 samples until stopped"):
            tune_spec.convert(path)


def test_grid_values_stay_finite():
    cfg = {"method": "grid", "parameters": {"x": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.1}}}
    values = sweepbridge.to_tune(cfg).param_space["x"]["grid_search"]
    assert values == np.arange(0, 1, 0.1).tolist() and all(math.isfinite(v) for v in values)
