"""Property tests (hypothesis): random hp spaces → valid, runnable configs with exact YAML/JSON round
trips; random malformed input → only SweepBridgeError subclasses, naming the parameter path.

A space is generated as a small spec tree and realised with an `hp` module (our mirror or the real
hyperopt). Labels are the parameter paths, so "the path" is unambiguous in every message.
"""

from __future__ import annotations

import json
import math
import os

import pytest
from engine import engine_problems
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sweepbridge import (
    SpecError,
    SweepBridgeError,
    SweepConfig,
    UnsupportedFeatureError,
    param_path,
    to_sweep,
    validate,
)
from sweepbridge.hyperopt import hp as mirror

SCALE = float(os.environ.get("SWEEPBRIDGE_PROPERTY_SCALE", "1"))
"""Multiply the (CI-sized) example counts, e.g. SWEEPBRIDGE_PROPERTY_SCALE=10 for a thorough local run."""
SETTINGS = settings(max_examples=int(40 * SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- values -----------------------------------------------------------------------------------------

TRICKY = [
    1e-05, 0.1, 1e16, -0.0, 0.0, 5e-324, 1.7976931348623157e308, 2**70, -(2**70), 2**63, 0, True, False, None,
    "yes", "no", "null", "008", "1e3", "", "~", ".inf", "NaN", "on", "Off", "Y", "0x10", "1_0", "+1", ".5",
    "12:30", "2020-01-01", "é", "日本語", "a: b", "- x", "#x", "'", '"', "\t", "a\nb", "\u2028", "!tag", "*x", "%",
]  # fmt: skip
leaves = (
    st.sampled_from(TRICKY)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.booleans()
    | st.none()
)
constants = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3)
    | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,7}", fullmatch=True)

# --- operators (name, args) with valid arguments ------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-(10**6), 10**6)
positive = st.floats(1e-3, 1e3) | st.integers(1, 1000)
quanta = st.sampled_from([0.1, 0.5, 1, 2, 0.25, 3, 1.0, 0.01]) | st.floats(1e-3, 100)


@st.composite
def bounds(draw, values=finite):
    low, high = draw(values), draw(values)
    assume(low != high)
    return (low, high) if low < high else (high, low)


@st.composite
def probabilities(draw, n):
    weights = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    return [w / sum(weights) for w in weights]


@st.composite
def operators(draw):
    op = draw(
        st.sampled_from(
            ["choice", "pchoice", "randint1", "randint2", "uniform", "quniform", "uniformint", "loguniform"]
            + ["qloguniform", "normal", "qnormal", "lognormal", "qlognormal"]
        )
    )
    if op == "choice":
        return "choice", (draw(st.lists(constants, min_size=1, max_size=4)),)
    if op == "pchoice":
        options = draw(st.lists(constants, min_size=1, max_size=4))
        return "pchoice", (list(zip(draw(probabilities(len(options))), options, strict=True)),)
    if op == "randint1":
        return "randint", (draw(st.integers(1, 10**6)),)
    if op == "randint2":
        low = draw(st.integers(-(10**6), 10**6))
        return "randint", (low, low + draw(st.integers(1, 1000)))
    if op == "uniformint":
        low = draw(st.integers(-1000, 1000))
        return "uniformint", (low, low + draw(st.integers(1, 1000)))
    if op in ("uniform", "quniform"):
        return op, draw(bounds()) + ((draw(quanta),) if op == "quniform" else ())
    if op in ("loguniform", "qloguniform"):
        # Exponents whose exp() are distinct floats (hyperopt's (0, 1e-216) is the constant 1.0: refused).
        low, high = draw(bounds(st.floats(-300, 300) | st.integers(-50, 50)))
        assume(math.exp(low) < math.exp(high))
        return op, (low, high) + ((draw(quanta),) if op == "qloguniform" else ())
    mu = draw(finite if op in ("normal", "qnormal") else st.floats(-5, 5))
    sigma = draw(positive if op in ("normal", "qnormal") else st.floats(0.01, 3))
    return op, (mu, sigma) + ((draw(quanta),) if op.startswith("q") else ())


small_discrete = st.one_of(
    st.tuples(st.just("choice"), st.tuples(st.lists(constants, min_size=1, max_size=3))),
    st.tuples(st.just("randint"), st.tuples(st.integers(1, 4))),
)

# --- spec trees: ("const", v) | ("op", name, args) | ("list", [specs]) | ("dict", [(key, spec)]) --------


def specs(max_leaves=8):
    leaf = st.one_of(
        constants.map(lambda v: ("const", v)),
        operators().map(lambda o: ("op", *o)),
        st.lists(small_discrete.map(lambda o: ("op", *o)) | constants.map(lambda v: ("const", v)), min_size=1,
                 max_size=3).map(lambda items: ("list", items)),
    )  # fmt: skip
    return st.recursive(
        leaf,
        lambda inner: st.dictionaries(names, inner, min_size=1, max_size=4).map(lambda d: ("dict", list(d.items()))),
        max_leaves=max_leaves,
    )


spaces = st.dictionaries(names, specs(), min_size=1, max_size=5).map(lambda d: ("dict", list(d.items())))


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def realise(spec, hp, path=""):
    """The Python space for `spec`, operators built with `hp`, labelled by their path."""
    kind = spec[0]
    if kind == "const":
        return spec[1]
    if kind == "op":
        return getattr(hp, spec[1])(path or "root", *spec[2])
    if kind == "list":
        return [realise(s, hp, f"{path}[{i}]") for i, s in enumerate(spec[1])]
    return {key: realise(s, hp, join(path, key)) for key, s in spec[1]}


def leaves_of(spec):
    kind = spec[0]
    if kind == "dict":
        for _, s in spec[1]:
            yield from leaves_of(s)
    elif kind == "list":
        for s in spec[1]:
            yield from leaves_of(s)
    yield spec


def is_constant(spec):
    """Does `spec` fold into one constant value?"""
    if spec[0] == "const":
        return True
    if spec[0] == "op":
        return False
    children = spec[1] if spec[0] == "list" else [sub for _, sub in spec[1]]
    return all(is_constant(sub) for sub in children)


def refusal(spec, method):
    """The UnsupportedFeatureError W&B's method rules force for `spec`, or None."""
    ops = [s for s in leaves_of(spec) if s[0] == "op"]
    unequal = [s for s in ops if s[1] == "pchoice" and len({p for p, _ in s[2][0]}) > 1]
    # Under bayes, the probabilities drawn here (w / sum(w), sum <= 40) become repeated values.
    if method == "grid":
        in_lists = [s for s in leaves_of(spec) if s[0] == "list" for s in s[1] if s[0] == "op"]
        if unequal or any(s[1] not in ("choice", "pchoice") for s in ops if s not in in_lists):
            return UnsupportedFeatureError
        if any(s[1] == "randint" for s in in_lists):
            return UnsupportedFeatureError
    return None


def param_leaves(params):
    for spec in params.values():
        if "parameters" in spec:
            yield from param_leaves(spec["parameters"])
        else:
            yield spec


KIND = {
    "uniform": "uniform",
    "quniform": "q_uniform",
    "uniformint": "q_uniform",
    "loguniform": "log_uniform_values",
    "qloguniform": "q_log_uniform_values",
    "normal": "normal",
    "qnormal": "q_normal",
    "lognormal": "log_normal",
    "qlognormal": "q_log_normal",
}


def check_emitted(spec, emitted, root=False):
    """Each parameter has the kind the compat table promises (values, nested parameters, ...)."""
    kind = spec[0]
    if kind in ("dict", "list") and is_constant(spec) and not root:
        assert json.dumps(emitted) == json.dumps({"value": json.loads(json.dumps(realise(spec, mirror)))})
    elif kind == "dict":
        assert list(emitted["parameters"]) == [k for k, _ in spec[1]]
        for key, sub in spec[1]:
            check_emitted(sub, emitted["parameters"][key])
    elif kind == "const":
        assert json.dumps(emitted) == json.dumps({"value": json.loads(json.dumps(spec[1]))})
    elif kind == "list":
        assert "values" in emitted or "value" in emitted
    elif spec[1] in ("choice", "pchoice"):
        assert "values" in emitted
    elif spec[1] == "randint":
        assert emitted.get("distribution") == "int_uniform" or "value" in emitted
    else:
        assert emitted["distribution"] == KIND[spec[1]]
        if spec[1] == "uniformint":
            assert type(emitted["q"]) is int
        elif "q" in emitted:
            assert type(emitted["q"]) is float


def assert_round_trips(cfg: SweepConfig) -> None:
    exact = json.dumps(cfg)
    for text in (cfg.to_yaml(), cfg.to_json(), str(cfg)):
        back = SweepConfig.from_text(text)
        assert back == cfg
        assert json.dumps(back) == exact  # same types (1 vs 1.0 vs True), signs (-0.0) and key order


@pytest.mark.slow
@SETTINGS
@given(space=spaces, method=st.sampled_from(["random", "bayes", "grid"]))
def test_valid_spaces_give_valid_runnable_configs_that_round_trip(space, method):
    expected = refusal(space, method)
    if expected is not None:
        with pytest.raises(expected) as info:
            to_sweep(realise(space, mirror), method=method, metric="loss")
        if expected is UnsupportedFeatureError:
            assert info.value.path and info.value.suggestion
        return
    random_params = to_sweep(realise(space, mirror))["parameters"]
    if method == "bayes" and all("value" in leaf for leaf in param_leaves(random_params)):
        with pytest.raises(SpecError, match="bayes needs at least one parameter that varies"):
            to_sweep(realise(space, mirror), method=method, metric="loss")
        return  # W&B's bayes engine refuses a space of constants only
    cfg = to_sweep(realise(space, mirror), method=method, metric="loss")
    assert validate(cfg) == []
    assert engine_problems(dict(cfg)) == []
    check_emitted(space, {"parameters": cfg["parameters"]}, root=True)
    assert_round_trips(cfg)


@settings(max_examples=int(25 * SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=spaces)
def test_real_hyperopt_spaces_translate_like_the_mirror(space):
    hyperopt = pytest.importorskip("hyperopt")
    assert to_sweep(realise(space, hyperopt.hp)) == to_sweep(realise(space, mirror))


# --- malformed input ----------------------------------------------------------------------------------


class Junk:
    """An unhashable object with no JSON form."""

    __hash__ = None  # type: ignore[assignment]


BAD_OPS = [
    ("uniform", (1, 1)),
    ("uniform", (2.5, -1)),
    ("uniform", (float("nan"), 1)),
    ("uniform", ("a", 1)),
    ("quniform", (0, 1, 0)),
    ("quniform", (0, 1, -0.5)),
    ("quniform", (0, float("inf"), 1)),
    ("uniformint", (3, 3)),
    ("uniformint", (0, None)),
    ("loguniform", (1000, 2000)),
    ("loguniform", (-2000, -1000)),
    ("qloguniform", (0, 1, 0)),
    ("normal", (0, 0)),
    ("normal", (0, -1)),
    ("normal", (0, float("inf"))),
    ("qnormal", (0, 1, float("nan"))),
    ("lognormal", (True, 1)),
    ("qlognormal", (0, 1, [1])),
    ("randint", (0,)),
    ("randint", (5, 2)),
    ("randint", (1.5,)),
    ("randint", (0, 2**0.5)),
    ("randint", ()),
    ("randint", (1, 2, 3, 4)),
    ("choice", ([],)),
    ("choice", ("not a list",)),
    ("choice", ([float("nan")],)),
    ("choice", ([object()],)),
    ("pchoice", ([(0.5, 1), (0.6, 2)],)),
    ("pchoice", ([(1.5, 1), (-0.5, 2)],)),
    ("pchoice", ([],)),
    ("pchoice", ([(1,)],)),
    ("pchoice", ([("a", 1)],)),
    ("pchoice", ("junk",)),
]
JUNK = [object(), {1, 2}, b"bytes", 1 + 2j, Junk(), float("nan"), float("-inf"), lambda: 1, {1: "int key"}, range(3)]
BAD_NAMES = ["1abc", "a b", "", "ä", "-x", "a/b", "$x"]


@st.composite
def malformed(draw):
    """(space builder, expected path or None): one malformation inserted into a valid space."""
    space = draw(spaces)
    method = draw(st.sampled_from(["random", "bayes", "grid"]))
    try:
        to_sweep(realise(space, mirror), method=method, metric="loss")
    except SweepBridgeError:
        assume(False)  # the malformation must be the only thing wrong
    dicts = list(_dict_paths(space))
    keys, target = draw(st.sampled_from(dicts))
    parent = ".".join(keys)
    how = draw(st.sampled_from(["op", "junk", "name", "key", "deep", "conditional", "duplicate", "list"]))
    key = draw(names.filter(lambda k: k not in {k for k, _ in target[1]}))
    path = join(parent, key)
    parts: tuple | None = (*keys, key)
    if how == "op":
        op, args = draw(st.sampled_from(BAD_OPS))
        bad = lambda: getattr(mirror, op)(path, *args)  # noqa: E731
    elif how == "junk":
        bad = draw(st.sampled_from(JUNK))
        bad = draw(st.sampled_from([bad, [1, bad], {"k": bad}]))
        bad = (lambda value: lambda: value)(bad)
    elif how == "name":
        key = draw(st.sampled_from(BAD_NAMES))
        path = join(parent, key) if key else (parent or None)
        parts = (*keys, key) if key else (keys or None)
        bad = lambda: mirror.uniform(path or "x", 0, 1)  # noqa: E731
    elif how == "key":
        key, path = draw(st.sampled_from([1, 2.5, None, (1, 2), True])), parent or None
        parts = keys or None
        bad = lambda: mirror.uniform("nonstr", 0, 1)  # noqa: E731
    elif how == "deep":

        def bad():
            value = mirror.uniform("deep", 0, 1)
            for _ in range(100):
                value = {"d": value}
            return value

    elif how == "conditional":
        bad = lambda: mirror.choice(path, [{"lr": mirror.uniform(path + ".lr", 0, 1)}, 1])  # noqa: E731
    elif how == "duplicate":
        labels = [join(".".join(p), k) for p, d in dicts for k, sub in d[1] if sub[0] == "op"]
        assume(labels)
        label = draw(st.sampled_from(labels))
        bad = lambda: mirror.normal(label, 0, 1)  # noqa: E731
    else:
        bad = lambda: [mirror.choice(path + "[0]", [1, 2]), mirror.normal(path + "[1]", 0, 1)]  # noqa: E731

    def build():
        return _insert(realise(space, mirror), keys, key, bad())

    return build, (path, parts), method


def _dict_paths(spec, keys=()):
    """(keys from the root, spec) of every dict in `spec`."""
    if spec[0] == "dict":
        yield keys, spec
        for key, sub in spec[1]:
            yield from _dict_paths(sub, (*keys, key))


def _insert(space, keys, key, value):
    target = space
    for part in keys:
        target = target[part]
    target[key] = value
    return space


@pytest.mark.slow
@settings(
    max_examples=int(150 * SCALE),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=malformed())
def test_malformed_spaces_raise_only_sweepbridge_errors_naming_the_path(case):
    build, (label, parts), method = case
    with pytest.raises(SweepBridgeError) as info:
        to_sweep(build(), method=method, metric="loss")
    if parts:  # the place as sweepbridge.param_path writes it, or the label the bad expression was given
        path = param_path.text(parts)
        assert path in str(info.value) or (label and label in str(info.value)), f"{path!r} not in {info.value}"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "bogus"},
        {"method": None},
        {"run_cap": 0},
        {"run_cap": "ten"},
        {"metric": 3},
        {"metric": "m", "goal": "up"},
        {"metric": {"goal": "minimize"}},
        {"program": 3},
        {"name": ["x"]},
        {"bogus_key": 1},
        {"early_terminate": {"type": "hyperband"}, "metric": "m"},
        {"early_terminate": {"type": "hyperband", "min_iter": 3}},
        {"method": "bayes"},
        {"description": float("nan")},
    ],
    ids=repr,
)
def test_bad_top_level_arguments_are_spec_errors(kwargs):
    with pytest.raises(SweepBridgeError):
        to_sweep({"x": mirror.uniform("x", 0, 1)}, **kwargs)


@pytest.mark.parametrize("space", [3, "x", None, [mirror.uniform("a", 0, 1)], {}, (), Junk(), {1: 2}])
def test_spaces_without_named_parameters_are_spec_errors(space):
    with pytest.raises(SpecError):
        to_sweep(space)


@SETTINGS
@given(text=st.text(max_size=60) | st.binary(max_size=30) | st.builds(lambda v: json.dumps(v), constants))
def test_any_text_loads_or_raises_a_spec_error(text):
    try:
        cfg = SweepConfig.from_text(text)
    except SweepBridgeError:
        return
    assert isinstance(cfg, dict) and json.loads(json.dumps(cfg)) == cfg
    assert all(not isinstance(v, float) or math.isfinite(v) for v in _scalars(cfg))


def _scalars(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from _scalars(v)
    else:
        yield value
