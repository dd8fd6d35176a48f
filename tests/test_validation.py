"""`sweepbridge.validate`: every problem, at every nesting level, naming the parameter path."""

from __future__ import annotations

import copy

import pytest
from engine import engine_problems

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
        {"distribution": "int_uniform", "min": 0, "max": 3},
        {"distribution": "q_uniform", "min": 0, "max": 3, "q": 1},
        {"values": [1, 2], "probabilities": [0.25, 0.75]},
    ],
)
def test_grid_allows_only_value_and_values(spec):
    message = only(validate(nested(spec, method="grid")), "method grid")
    assert message.startswith("outer.inner.p: ") and "random or bayes" in message


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
        ({"method": "random", "parameters": {"x": {"value": 1}}, "bogus": 1}, "'bogus' was unexpected"),
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
    assert only(validate({"method": "random", "parameters": params}), "nested too deeply")
