"""param_path: the one text of a parameter path, used by every message that names one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge import param_path, to_sweep
from sweepbridge.errors import SpecError, SweepBridgeError

keys = st.text(st.characters(blacklist_characters='[]"', blacklist_categories=("Cs",)), min_size=1, max_size=6)
parts = st.lists(st.one_of(keys, st.integers(0, 20)), max_size=5).filter(
    lambda p: not p or isinstance(p[0], str)  # a path starts at a key
)
TOKEN = re.compile(r'\["([^"]*)"\]|\[(\d+)\]|\.?([^.\[]+)')


def _parse(text: str) -> list:
    """The format read back: ["k.x"] quoted keys, [i] positions, dotted keys."""
    out: list = []
    for quoted, index, plain in TOKEN.findall(text):
        out.append(quoted if quoted else int(index) if index else plain)
    return out


@given(parts)
def test_text_names_every_path_unambiguously(path):
    assert _parse(param_path.text(path)) == [p for p in path]


@given(parts, st.one_of(keys, st.integers(0, 20)))
def test_text_is_join_step_by_step(path, key):
    assert param_path.text([*path, key]) == param_path.join(param_path.text(path), key)


@pytest.mark.parametrize(
    "parts, expected",
    [
        (["param_space", "model", "layers", 0], "param_space.model.layers[0]"),
        (
            ["tune", "search_alg", "hyperopt.HyperOptSearch", "space"],
            'tune.search_alg["hyperopt.HyperOptSearch"].space',
        ),
        ([], ""),
        ([0, "a"], "[0].a"),
    ],
)
def test_text_examples(parts, expected):
    assert param_path.text(parts) == expected


@pytest.mark.parametrize(
    "parts, expected",
    [
        (["parameters", "a", "parameters", "b", "min"], "a.b (min)"),
        (["parameters", None, "parameters", "A0", "distribution"], "None.A0 (distribution)"),
        (["parameters", "a", "parameters"], "a (parameters)"),
        (["parameters", "a", "values", 2], "a (values[2])"),
        (["parameters", "lr.max", "min"], '["lr.max"] (min)'),
        (["early_terminate", "type"], "early_terminate.type"),
        ([], param_path.TOP),
    ],
)
def test_sweep_text_names_the_parameter_then_the_field(parts, expected):
    assert param_path.sweep_text(parts) == expected


def test_the_front_ends_spec_files_and_validation_speak_the_same_format(tmp_path):
    from sweepbridge import tune, tune_spec
    from sweepbridge.validation import validate_plain

    with pytest.raises(SweepBridgeError) as space_error:
        to_sweep({"m": {"lr.x": [1, {"k": float("nan")}]}})
    assert space_error.value.path == 'm["lr.x"][1].k'
    with pytest.raises(SpecError) as domain_error:
        tune.run("t.py", config={"m": [tune.uniform(0, 1), {"a.b": {1: "x"}}]})
    assert domain_error.value.path == 'm[1]["a.b"]'
    spec = tmp_path / "spec.yaml"
    spec.write_text("program: t.py\nparam_space:\n  m: [{uniform: [0.0, 1.0]}, {a.b: {randint: [5, 1]}}]\n")
    with pytest.raises(SpecError, match=r'^m\[1\]\["a\.b"\]: randint needs'):
        tune_spec.convert(spec)
    problems = validate_plain({"method": "random", "parameters": {"lr.x": {"min": "a", "max": 1}}})
    assert problems == ["[\"lr.x\"] (min): 'a' is not of type 'number'"], problems
