"""`sweepbridge.validate`: every problem, at every nesting level, naming the parameter path."""

from __future__ import annotations

import copy

import pytest
from engine import engine_problems
from optional import needs

from sweepbridge import validate


def nested(spec: dict, method: str = "random", **top) -> dict:
    """A config whose only interesting parameter sits at outer.inner.p."""
    params = {"ok": {"values": [1, 2]}, "outer": {"parameters": {"inner": {"parameters": {"p": spec}}}}}
    return {"method": method, **top, "parameters": params}


def only(problems: list[str], needle: str) -> str:
    hits = [p for p in problems if needle in p]
    assert hits, f"no problem mentions {needle!r}: {problems}"
    return hits[0]


@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "uniform", "min": 2, "max": 1},
        {"distribution": "uniform", "min": 1.5, "max": 1.5},
        {"distribution": "int_uniform", "min": 3, "max": 3},
        {"distribution": "log_uniform_values", "min": 10, "max": 1},
        {"distribution": "q_uniform", "min": 0, "max": -1, "q": 1},
        {"min": 5, "max": 5},
    ],
)
def test_nested_min_not_less_than_max(spec):
    problems = validate(nested(spec))
    assert only(problems, "is not less than max").startswith("outer.inner.p: ")


@needs("sweeps")
def test_wandbs_own_validator_checks_min_max_only_at_the_top_level():
    """Why we check every level: W&B's validator accepts the nested case the engine then samples wrongly."""
    cfg = nested({"distribution": "uniform", "min": 2, "max": 1})
    import sweeps

    top = {"method": "random", "parameters": {"p": {"distribution": "uniform", "min": 2, "max": 1}}}
    assert sweeps.schema_violations_from_proposed_config(copy.deepcopy(top))
    assert not sweeps.schema_violations_from_proposed_config(copy.deepcopy(cfg))
    assert validate(cfg)


@pytest.mark.parametrize(
    "kind, successor",
    [
        ("log_uniform", "log_uniform_values"),
        ("q_log_uniform", "q_log_uniform_values"),
        ("inv_log_uniform", "inv_log_uniform_values"),
    ],
)
def test_deprecated_exponent_kinds_name_their_successor(kind, successor):
    problems = validate(nested({"distribution": kind, "min": -3, "max": 0}))
    message = only(problems, "deprecated")
    assert message.startswith("outer.inner.p: ") and successor in message


@pytest.mark.parametrize(
    "spec, needle",
    [
        ({"values": [1, 2], "probabilities": [0.5, 0.6]}, "sum to 1.1"),
        ({"values": [1, 2], "probabilities": [0.2, 0.2]}, "sum to 0.4"),
        ({"values": [1, 2, 3], "probabilities": [0.5, 0.5]}, "2 probabilities for 3 values"),
        ({"values": [1], "probabilities": [0.5, 0.5]}, "2 probabilities for 1 values"),
        ({"values": [1, 2], "probabilities": [1.5, -0.5]}, "minimum of 0"),
        ({"values": [1, 2], "probabilities": ["a", 1]}, "not of type 'number'"),
    ],
)
def test_probabilities(spec, needle):
    message = only(validate(nested(spec)), needle)
    assert message.startswith("outer.inner.p")


def test_probabilities_close_to_one_are_fine():
    assert validate(nested({"values": [1, 2, 3], "probabilities": [0.1, 0.2, 0.7000000001]})) == []


@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "uniform", "min": 0, "max": 1},
        {"min": 0.0, "max": 1.0},
        {"distribution": "normal", "mu": 0, "sigma": 1},
        {"values": [1, 2], "probabilities": [0.25, 0.75]},
    ],
)
def test_grid_allows_only_value_and_values(spec):
    message = only(validate(nested(spec, method="grid")), "method grid")
    assert message.startswith("outer.inner.p: ") and "random or bayes" in message


@needs("sweeps")
@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "int_uniform", "min": 0, "max": 3},
        {"min": 0, "max": 3},
        {"distribution": "q_uniform", "min": 0, "max": 3, "q": 1},
    ],
)
def test_grid_accepts_wandbs_enumerable_ranges(spec):
    # W&B's engine enumerates these under grid (sweeps accepts them); we never emit them there.
    cfg = nested(spec, method="grid")
    assert validate(cfg) == []
    import sweeps

    assert sweeps.schema_violations_from_proposed_config(cfg) == []


def test_grid_accepts_values_and_value():
    assert validate(nested({"values": [[1, 2], {"a": None}]}, method="grid")) == []
    assert validate(nested({"value": "x"}, method="grid")) == []


def test_bayes_rules():
    with_probs = nested({"values": [1, 2], "probabilities": [0.25, 0.75]}, method="bayes", metric={"name": "m"})
    assert only(validate(with_probs), "bayes").startswith("outer.inner.p: ")
    no_metric = nested({"distribution": "uniform", "min": 0, "max": 1}, method="bayes")
    assert only(validate(no_metric), "bayes needs a metric")
    constants = {"method": "bayes", "metric": {"name": "m"}, "parameters": {"a": {"value": 1}, "b": {"value": 2}}}
    assert only(validate(constants), "at least one parameter that varies")
    # ... which W&B's engine indeed cannot run
    assert any("searchable" in p for p in engine_problems(constants))


def test_early_terminate_needs_a_metric():
    cfg = nested({"value": 1}, early_terminate={"type": "hyperband", "min_iter": 3})
    assert only(validate(cfg), "early_terminate needs a metric")
    assert validate({**cfg, "metric": {"name": "loss"}}) == []


@pytest.mark.parametrize(
    "cfg, needle",
    [
        ({"method": "random", "parameters": {"1a": {"value": 1}}}, "parameters: '1a' does not match"),
        ({"method": "random", "parameters": {"n": {"parameters": {"b": {"min": 1, "max": "x"}}}}}, "n.b (max)"),
        ({"method": "random", "parameters": {"n": {"distribution": "normal", "sigma": -1}}}, "n (sigma)"),
        ({"method": "random", "parameters": {"x": {"value": 1}}, "run_cap": 0}, "run_cap"),
        ({"method": "random", "parameters": {"x": {"value": 1}}, "bogus": 1}, "unexpected key `bogus`"),
        ({"method": "sideways", "parameters": {"x": {"value": 1}}}, "method"),
        ({"method": "random", "parameters": {}}, "parameters"),
        ({"parameters": {"x": {"value": 1}}}, "'method' is a required property"),
        ({"method": "random", "parameters": {"x": {"values": []}}}, "x"),
    ],
)
def test_schema_problems_name_the_path(cfg, needle):
    assert only(validate(cfg), needle)


def test_not_a_mapping():
    assert validate(["method", "random"]) == ["a sweep config is a mapping, got list."]


def test_a_valid_config_has_no_problems_and_runs_in_wandbs_engine():
    cfg = nested({"distribution": "q_log_uniform_values", "min": 1, "max": 100, "q": 1.0}, method="bayes")
    cfg["metric"] = {"name": "loss", "goal": "minimize"}
    cfg["early_terminate"] = {"type": "hyperband", "min_iter": 3, "eta": 2}
    assert validate(cfg) == []
    assert engine_problems(cfg) == []


def test_too_deep_to_validate_is_a_problem_not_a_crash():
    params = {"x": {"value": 1}}
    for _ in range(90):
        params = {"a": {"parameters": params}}
    assert only(validate({"method": "random", "parameters": params}), "more than 64 levels deep")


# --- the per-kind schema dispatch is equivalent to validating against the whole schema ---------------

KEYS = ["distribution", "values", "value", "probabilities", "min", "max", "q", "mu", "sigma", "a", "b", "parameters"]
KINDS = ["uniform", "int_uniform", "q_uniform", "log_uniform_values", "q_log_uniform_values", "normal", "q_normal",
         "log_normal", "q_log_normal", "beta", "q_beta", "inv_log_uniform_values", "constant", "categorical",
         "categorical_w_probabilities", "log_uniform", "bogus", 3, None]  # fmt: skip


def _specs():
    from hypothesis import strategies as st

    scalar = st.one_of(st.integers(-3, 3), st.floats(-3, 3), st.sampled_from(KINDS), st.none(), st.booleans())
    value = scalar | st.lists(scalar, max_size=3)
    leaf = st.dictionaries(st.sampled_from(KEYS[:-1]), value, max_size=4) | scalar
    names = st.sampled_from(["a", "b", "1bad", "c.d", ""])
    return st.recursive(
        leaf,
        lambda inner: (
            st.dictionaries(names, inner, max_size=3).map(lambda p: {"parameters": p})
            | st.dictionaries(names, inner, max_size=2).map(lambda p: {"parameters": p, "value": 1})
        ),
        max_leaves=8,
    )


def test_dispatch_decides_exactly_as_the_whole_schema():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from sweepbridge import schemas
    from sweepbridge.validation import SCHEMA, _schema_problems

    whole = schemas.validator(SCHEMA)
    names = st.sampled_from(["x", "y", "9z"])

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(params=st.dictionaries(names, _specs(), max_size=3) | st.integers(), method=st.sampled_from(["random", 1]))
    def check(params, method):
        cfg = {"method": method, "parameters": params}
        assert whole.is_valid(cfg) == (not _schema_problems(cfg)), _schema_problems(cfg)

    check()


@pytest.mark.parametrize(
    ("cfg", "problem"),
    [
        (
            nested({"distrbution": "uniform", "min": 0, "max": 1}),
            "outer.inner.p: unknown key `distrbution`; did you mean `distribution`?",
        ),
        (nested({"valeus": [1, 2]}), "outer.inner.p: unknown key `valeus`; did you mean `values`?"),
        (
            nested({"distribution": "normal", "mu": 0, "min": 1}),
            "outer.inner.p: unexpected key `min` (valid here: distribution, mu, sigma)",
        ),
        (
            nested({"value": 1}, metric={"name": "l"}, early_terminate="hyperband"),
            "early_terminate: expected a mapping, got 'hyperband'; "
            "did you mean `{type: hyperband, min_iter: MIN_ITER}`?",
        ),
        (nested({"value": 1}, metric="loss"), "metric: expected a mapping, got 'loss'; did you mean `{name: loss}`?"),
        (
            nested({"value": 1}, metric={"name": "l", "goal": "minimise"}),
            "metric.goal: 'minimise' is not one of ['minimize', 'maximize']; did you mean `minimize`?",
        ),
        (
            nested({"value": 1}, metric={"name": "l"}, early_terminate={"type": "hyperbnd", "min_iter": 2}),
            "early_terminate.type: expected 'hyperband', got 'hyperbnd'; did you mean `hyperband`?",
        ),
    ],
)
def test_typos_name_the_path_and_the_nearest_valid_name(cfg, problem):
    assert validate(cfg) == [problem]
