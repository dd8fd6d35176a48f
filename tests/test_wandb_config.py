"""The W&B-config front-end against W&B's own engine (`sweeps`): inference, defaults, old kinds."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pytest
from optional import needs

from sweepbridge import SpecError, SweepConfig
from sweepbridge import distributions as d
from sweepbridge.frontends.wandb_config import parameter, parse_sweep

DATA = Path(__file__).parent / "data"

ENGINE_TYPES = {
    "param_single_value": "constant",
    "param_categorical": "choice",
    "param_categorical_w_probabilities": "choice",
    "param_int_uniform": "int_uniform",
    "param_uniform": "uniform",
    "param_quniform": "quniform",
    "param_loguniform": "loguniform",
    "param_loguniform_v2": "loguniform",
    "param_qloguniform": "qloguniform",
    "param_qloguniform_v2": "qloguniform",
    "param_inv_loguniform": "invloguniform",
    "param_inv_loguniform_v2": "invloguniform",
    "param_normal": "normal",
    "param_qnormal": "qnormal",
    "param_lognormal": "lognormal",
    "param_qlognormal": "qlognormal",
    "param_beta": "beta",
    "param_qbeta": "qbeta",
}
"""sweeps' HyperParameter.type → the IR kind we must produce."""

SPECS = [
    {"value": [1, 2]},
    {"values": [1, "a", None]},
    {"values": [1, 2], "probabilities": [0.3, 0.7]},
    {"min": 1, "max": 5},
    {"min": 1.0, "max": 5},
    {"min": 1, "max": 5.5},
    {"min": -2.5, "max": 0.5},
    {"distribution": "int_uniform", "min": 0, "max": 3},
    {"distribution": "q_uniform", "min": 0, "max": 3},
    {"distribution": "q_uniform", "min": 0, "max": 9, "q": 3},
    {"distribution": "log_uniform_values", "min": 0.001, "max": 1},
    {"distribution": "q_log_uniform_values", "min": 1, "max": 100},
    {"distribution": "inv_log_uniform_values", "min": 0.01, "max": 1},
    {"distribution": "log_uniform", "min": -3, "max": 1},
    {"distribution": "q_log_uniform", "min": 0, "max": 3, "q": 2},
    {"distribution": "inv_log_uniform", "min": 0, "max": 2},
    {"distribution": "normal"},
    {"distribution": "q_normal", "mu": 2},
    {"distribution": "log_normal", "sigma": 0.5},
    {"distribution": "q_log_normal", "q": 3},
    {"distribution": "beta"},
    {"distribution": "q_beta", "a": 2, "b": 3, "q": 0.1},
]


@needs("sweeps")
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.get("distribution", "+".join(s)))
def test_kind_and_defaults_match_sweeps_fill_parameter(spec):
    from sweeps.params import HyperParameter

    engine = HyperParameter("p", copy.deepcopy(spec))
    node = parameter(spec, "random", "p")
    assert node.kind == ENGINE_TYPES[engine.type]
    filled = engine.config
    for key in ("mu", "sigma", "a", "b", "q"):
        if key in filled:
            assert getattr(node, key) == filled[key]
    if "q" in filled:
        assert node.integer == (type(filled["q"]) is int)


@needs("sweeps")
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.get("distribution", "+".join(s)))
def test_sample_ranges_match_engine(spec):
    """The engine's own draws stay inside the IR's stated support (bounds converted from exponents)."""
    from sweeps.params import HyperParameter

    node = parameter(spec, "random", "p")
    random.seed(1)
    engine = HyperParameter("p", copy.deepcopy(spec))
    draws = [engine.sample() for _ in range(300)]
    if hasattr(node, "low") and node.kind != "int_uniform":
        q = getattr(node, "q", 0)
        assert min(draws) >= node.low * (1 - 1e-12) - q and max(draws) <= node.high * (1 + 1e-12) + q


def test_old_format_yaml_reads_with_value_bounds():
    parsed = parse_sweep(DATA / "old_format.yaml")
    fields = dict(parsed.space.fields)
    assert parsed.method == "random" and parsed.metric == "val_loss" and parsed.goal == "minimize"
    assert parsed.run_cap == 30 and "program" in parsed.not_carried
    assert fields["lr"] == d.LogUniform(math.exp(-9), math.exp(-2))
    assert fields["batch"] == d.QLogUniform(math.exp(3), math.exp(7), 1, integer=True)
    assert fields["decay"] == d.InvLogUniform(math.exp(-4), math.exp(-1))
    assert fields["layers"] == d.IntUniform(1, 6)
    assert fields["dropout"] == d.Uniform(0.1, 1)
    assert fields["weighting"] == d.Choice((d.Constant("a"), d.Constant("b")), (0.25, 0.75))
    assert fields["noise"] == d.Normal(0, 1)
    assert fields["fixed"] == d.Constant(7)
    assert dict(fields["model"].fields)["width"] == d.IntUniform(16, 64)


@needs("sweeps")
def test_grid_axes_match_the_engines_enumeration():
    import sweeps
    from engine import unwrap_run

    cfg = SweepConfig.load(DATA / "old_format.json")
    space = dict(parse_sweep(cfg).space.fields)
    assert space["a"] == d.GridAxis((1, 2, 3))
    runs = []
    while (run := sweeps.next_run(copy.deepcopy(dict(cfg)), runs)) is not None:
        run.state = sweeps.RunState.finished
        runs.append(run)
    seen = {name: sorted({unwrap_run(r.config)[name] for r in runs}, key=repr) for name in ("a", "b", "c")}
    for name in seen:
        assert sorted(space[name].values, key=repr) == seen[name], name
    assert [type(v) for v in space["b"].values] == [float] * 4


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"distribution": "bogus", "min": 0, "max": 1}, "unknown W&B distribution"),
        ({"distribution": "uniform", "min": 1, "max": 1}, "min < max"),
        ({"distribution": "int_uniform", "min": 1.0, "max": 3}, "integer min and max"),
        ({"distribution": "normal", "mean": 1}, "unexpected"),
        ({"distribution": "uniform", "min": "a", "max": 2}, "numbers"),
        ({"distribution": "q_uniform", "min": 0}, "needs"),
        ({"foo": 1}, "unexpected key `foo`"),
        ({"values": []}, "non-empty"),
        ({"values": [1, 2], "probabilities": [0.5, 0.6]}, "sum to 1"),
        ({"distribution": "beta", "a": 0}, "positive"),
        ("x", "mapping"),
    ],
)
def test_bad_specs_name_the_path(spec, message):
    with pytest.raises(SpecError, match=message) as info:
        parse_sweep({"method": "random", "parameters": {"outer": {"parameters": {"p": spec}}}})
    assert info.value.path == "outer.p"


def test_grid_refuses_sampled_kinds_and_bad_settings():
    with pytest.raises(SpecError, match="grid search enumerates") as info:
        parse_sweep({"method": "grid", "parameters": {"x": {"distribution": "normal"}}})
    assert info.value.path == "x"
    for cfg, message in [
        ({"method": "nope", "parameters": {"x": {"value": 1}}}, "method"),
        ({"method": "random", "parameters": {}}, "non-empty"),
        ({"method": "random", "run_cap": 0, "parameters": {"x": {"value": 1}}}, "run_cap"),
        ({"method": "random", "metric": {"name": "m", "goal": "up"}, "parameters": {"x": {"value": 1}}}, "goal"),
        (3, "SweepConfig, a dict or a path"),
    ]:
        with pytest.raises(SpecError, match=message):
            parse_sweep(cfg)


def test_yaml_is_read_safely(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: random\nparameters: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(SpecError, match="YAML"):
        parse_sweep(bad)


def test_arbitrary_input_ends_in_a_readable_error():
    """Whatever the YAML holds: a parsed sweep, or a SweepBridgeError — never another exception."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sweepbridge import SweepBridgeError, to_hyperopt, to_tune

    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-5, 5), st.floats(-5, 5), st.sampled_from(["a", "uniform"])
    )
    keys = st.sampled_from(
        ["distribution", "min", "max", "q", "mu", "sigma", "a", "b", "value", "values", "probabilities"]
    )
    dists = st.sampled_from(
        ["uniform", "int_uniform", "q_uniform", "log_uniform", "normal", "q_log_normal", "beta", "x"]
    )
    spec = st.dictionaries(keys, st.one_of(scalars, dists, st.lists(scalars, max_size=3)), max_size=4)
    nested = st.recursive(
        spec,
        lambda inner: st.fixed_dictionaries(
            {"parameters": st.dictionaries(st.text("ab", min_size=1, max_size=2), inner, max_size=2)}
        ),
        max_leaves=4,
    )
    cfgs = st.fixed_dictionaries(
        {
            "method": st.sampled_from(["random", "grid", "bayes", "nope"]),
            "parameters": st.one_of(
                scalars, st.dictionaries(st.text("ab", min_size=1, max_size=2), nested, max_size=3)
            ),
        }
    )

    @settings(max_examples=150, deadline=None)
    @given(cfgs)
    def check(cfg):
        for func in (parse_sweep, to_hyperopt, to_tune):
            try:
                func(cfg)
            except SweepBridgeError as exc:
                assert str(exc)

    check()


@pytest.mark.parametrize("bad", [[], {}, 3, None.__class__.__name__ + "x"])
def test_non_string_or_unknown_distribution_is_a_spec_error(bad):
    # Found by hypothesis: an unhashable `distribution` used to raise TypeError.
    with pytest.raises(SpecError, match="unknown W&B distribution") as info:
        parse_sweep({"method": "random", "parameters": {"a": {"distribution": bad}}})
    assert "a" in str(info.value)


@pytest.mark.parametrize(
    ("cfg", "first"),
    [
        (
            {"method": "random", "parameters": {"lr": {"distrbution": "uniform", "min": 0.0, "max": 1.0}}},
            "lr: unknown key `distrbution`; did you mean `distribution`?",
        ),
        (
            {"method": "random", "parameters": {"lr": {"distribution": "unifrom", "min": 0.0, "max": 1.0}}},
            "lr: unknown W&B distribution 'unifrom'; did you mean `uniform`?",
        ),
        (
            {
                "method": "random",
                "metric": {"name": "l"},
                "early_terminate": "hyperband",
                "parameters": {"a": {"value": 1}},
            },
            "not a valid W&B sweep config: early_terminate: expected a mapping, got 'hyperband'; "
            "did you mean `{type: hyperband, min_iter: MIN_ITER}`?",
        ),
        (
            {"method": "random", "paramters": {"a": {"value": 1}}},
            "unknown key `paramters`; did you mean `parameters`?",
        ),
        (
            {"method": "randon", "parameters": {"a": {"value": 1}}},
            "method must be one of random, bayes, grid, got 'randon'. did you mean `random`?",
        ),
        (
            {"method": "random", "metric": "loss", "parameters": {"a": {"value": 1}}},
            "metric must be a mapping with a name, got 'loss'. did you mean `{name: loss}`?",
        ),
    ],
)
def test_typos_are_spec_errors_naming_the_path_and_nearest_name_first(cfg, first):
    with pytest.raises(SpecError) as info:
        parse_sweep(cfg)
    assert str(info.value).splitlines()[0] == first
