"""`validate` agrees with W&B's engine on what it can run (fuzz findings W1-W5, W7, W8, C7, M1):
hyperband bands, 64-bit integers, integer-typed bounds, values JSON cannot carry, nesting limits."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sweepbridge
from sweepbridge import SpecError, SweepBridgeError, SweepConfig, hyperband, to_sweep, validate
from sweepbridge.validation import MAX_NESTING, _param_path

sweeps = pytest.importorskip("sweeps")


def wandb_bands(cfg: dict) -> list[int]:
    """The bands W&B's engine computes, read from the info it attaches to a running run (raises as it does)."""
    run = sweeps.SweepRun(name="r", state=sweeps.RunState.running, history=[{"loss": 1.0}], config={})
    sweeps.stop_runs(copy.deepcopy(cfg), [run])
    head = run.early_terminate_info["lines"][0]
    return [int(b) for b in re.findall(r"(\d+) = ", head)]


def with_et(et: dict) -> dict:
    return {"method": "random", "metric": {"name": "loss"}, "early_terminate": et, "parameters": {"x": {"value": 1}}}


etas = st.integers(2, 5000) | st.floats(1.01, 5000, allow_nan=False) | st.sampled_from([1.5, 2.5, 1300.0, 1500.5])
early_terminates = st.one_of(
    st.fixed_dictionaries({"type": st.just("hyperband"), "max_iter": st.integers(1, 10**6), "s": st.integers(1, 12)},
                          optional={"eta": etas}),
    st.fixed_dictionaries({"type": st.just("hyperband"), "min_iter": st.integers(1, 10**4)}, optional={"eta": etas}),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(et=early_terminates)
def test_validate_accepts_exactly_the_hyperband_settings_wandb_can_stop_runs_with(et):
    cfg = with_et(et)
    try:
        expected = wandb_bands(cfg)
    except (ValueError, OverflowError):
        expected = None
    problems = validate(cfg)
    assert (problems == []) == (expected is not None), (problems, expected)
    if expected is not None:
        assert hyperband.bands(et) == expected


def test_no_band_is_a_problem_naming_early_terminate():
    assert validate(with_et({"type": "hyperband", "max_iter": 1, "s": 1})) == [
        "early_terminate: max_iter 1 / eta 3^i is below 1 for every i ≤ s 1: W&B gets no band to stop runs at "
        "(its engine fails); raise max_iter, or lower eta."
    ]
    with pytest.raises(SpecError, match="no band"):
        sweepbridge.to_tune(with_et({"type": "hyperband", "max_iter": 2, "s": 3, "eta": 4}))


@settings(max_examples=150, deadline=None)
@given(max_t=st.integers(1, 500), eta=st.integers(2, 600) | st.floats(1.05, 600, allow_nan=False))
def test_hyperband_scheduler_gives_bands_at_rays_rungs_or_a_spec_error(max_t, eta):
    from ray.tune.schedulers import HyperBandScheduler as RayHyperBand

    from sweepbridge import tune
    from sweepbridge.tune.schedulers import HyperBandScheduler, ray_rungs

    ray = RayHyperBand(max_t=max_t, reduction_factor=eta)
    running = [s for s in range(ray._s_max_1) if ray._get_r0(s) > 0 and s > 0]  # brackets Ray runs that stop trials
    try:
        cfg = tune.run("t.py", config={"x": tune.uniform(0, 1)}, metric="loss", mode="min",
                       scheduler=HyperBandScheduler(max_t=max_t, reduction_factor=eta))  # fmt: skip
    except SpecError:
        assert not running
        return
    rungs = ray_rungs(max_t, eta)
    assert len(rungs) == max(running) and rungs[0] == ray._get_r0(max(running))
    bands = wandb_bands(cfg)  # never "Bands must be an array of length at least 1"
    # max_iter form only when W&B's bands are Ray's rungs; else min_iter from Ray's first rung (for a
    # non-integer eta Ray truncates each rung, W&B only the product: the warned approximation).
    assert bands[0] == rungs[0] if "min_iter" in cfg["early_terminate"] else bands == rungs


def test_reduction_factor_above_max_t_is_refused_not_emitted_without_a_band():
    from sweepbridge import tune
    from sweepbridge.tune.schedulers import HyperBandScheduler

    with pytest.raises(SpecError, match="reduction_factor"):
        tune.run("t.py", config={"x": tune.uniform(0, 1)}, metric="loss", mode="min",
                 scheduler=HyperBandScheduler(reduction_factor=100))  # fmt: skip


# --- numbers W&B's numpy engine cannot compute with (W3) and integer-typed bounds (W4) --------------


@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "int_uniform", "min": 0, "max": 2**64},
        {"distribution": "uniform", "min": -95, "max": 2**64},
        {"distribution": "normal", "mu": 0, "sigma": 2**64},
        {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2**64},
        {"distribution": "beta", "a": 2**64, "b": 1},
        {"distribution": "int_uniform", "min": -(2**63) - 1, "max": 0},
    ],
)
def test_integers_beyond_64_bits_are_problems_naming_the_field(spec):
    field = next(k for k, v in spec.items() if isinstance(v, int) and abs(v) > 2**62)
    assert validate({"method": "random", "parameters": {"p": spec}}) == [
        f"p: {field} {spec[field]} does not fit in 64 bits, which W&B's numpy engine computes with; "
        "use a float or a smaller integer."
    ]


@settings(max_examples=60, deadline=None)
@given(high=st.integers(2**62, 2**65))
def test_validate_accepts_a_large_bound_only_where_wandbs_engine_samples_it(high):
    cfg = {"method": "random", "parameters": {"p": {"distribution": "uniform", "min": 0, "max": high}}}
    if not validate(cfg):
        sweeps.next_run(copy.deepcopy(cfg), [])  # conftest re-checks every SweepConfig built
    assert (validate(cfg) == []) == (high < 2**63)


def test_hyperopt_and_tune_spaces_with_huge_integers_are_refused():
    from sweepbridge import tune
    from sweepbridge.hyperopt import hp

    for space in ({"x": hp.randint("x", 2**64)}, {"x": hp.qnormal("x", 0, 2**64, 1)}, {"x": tune.uniform(-95, 2**64)}):
        with pytest.raises(SpecError, match="64 bits"):
            to_sweep(space)


@pytest.mark.parametrize("low, high", [(0.0, 5.0), (0, 5.0), (0.0, 5)])
def test_int_uniform_with_float_bounds_is_refused_as_wandb_refuses_it(low, high):
    cfg = {"method": "random", "parameters": {"k": {"distribution": "int_uniform", "min": low, "max": high}}}
    assert sweeps.schema_violations_from_proposed_config(copy.deepcopy(cfg))
    assert any("is not of type 'integer'" in p and p.startswith("k (m") for p in validate(cfg))


# --- values JSON cannot carry (W5, W7, M1) ----------------------------------------------------------

NOT_JSON = [float("nan"), float("inf"), 1 + 2j, b"x", {1, 2}, {1: "a"}, {None: "a"}, "\ud800", object()]


@pytest.mark.parametrize("bad", NOT_JSON, ids=lambda v: type(v).__name__ + repr(v)[:6])
@pytest.mark.parametrize("where", ["value", "values", "name"])
def test_validate_and_sweepconfig_refuse_the_same_values(bad, where):
    if where == "name":
        if not isinstance(bad, str):
            bad = bad if isinstance(bad, (int, float, complex, bytes, type(None))) else 7
        params = {"a": {"parameters": {bad: {"value": 1}}}}
    else:
        params = {"a": {"parameters": {"b": {where: bad if where == "value" else [1, bad]}}}}
    cfg = {"method": "random", "parameters": params}
    with pytest.raises(SweepBridgeError) as info:
        SweepConfig(cfg)
    assert validate(cfg) == [str(info.value)]
    assert "parameters.a" in str(info.value)


def test_real_hyperopt_dicts_with_non_string_keys_are_refused_like_the_mirror():
    from hyperopt import hp as real

    from sweepbridge.hyperopt import hp as mirror

    messages = set()
    for hp in (real, mirror):
        with pytest.raises(SpecError) as info:
            to_sweep({"x": hp.choice("x", [{1: "a"}, {2: "b"}])})
        messages.add(str(info.value))
    assert messages == {"x[option 0]: key 1 is not a string; sweep parameters are named by strings."}


def test_a_none_named_parent_stays_in_the_path():
    assert _param_path(["parameters", None, "parameters", "A0", "distribution"]) == "None.A0 (distribution)"
    assert _param_path(["parameters", "a", "parameters"]) == "a (parameters)"


# --- nesting: validate and the front-ends count the same levels (W8); deep dicts (C7) ----------------


def nested(levels: int) -> dict:
    spec = {"distribution": "uniform", "min": 0, "max": 1}
    for i in range(levels - 1):
        spec = {"parameters": {f"n{i}": spec}}
    return {"method": "random", "parameters": {"root": spec}}


@pytest.mark.parametrize("levels", [MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1])
def test_what_validate_accepts_round_trips_through_hyperopt_and_tune(levels):
    cfg = nested(levels)
    valid = validate(cfg) == []
    assert valid == (levels <= MAX_NESTING)
    for back in (lambda c: sweepbridge.to_hyperopt(c), lambda c: sweepbridge.to_tune(c).param_space):
        if valid:
            assert to_sweep(back(cfg))["parameters"] == cfg["parameters"]
        else:
            with pytest.raises(SpecError, match="nest"):
                to_sweep(back(cfg))


@pytest.mark.parametrize("levels", [200, 1000, 5000])
def test_deep_dict_configs_are_spec_errors_everywhere(levels):
    from sweepbridge.reverse import render_python

    cfg = nested(levels)
    assert validate(cfg) and all(isinstance(p, str) for p in validate(cfg))
    for translate in (
        sweepbridge.to_hyperopt,
        sweepbridge.to_tune,
        lambda c: render_python(c, target="tune"),
        lambda c: render_python(c, target="hyperopt"),
    ):
        with pytest.raises(SpecError, match="nest"):
            translate(cfg)
