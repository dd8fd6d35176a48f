"""Round trips, compared in the IR after a documented normalisation:

- labels are ignored (the IR does not compare them);
- a categorical is its probability table (duplicates merged; Ray's multiset choice is a table);
- a q_uniform is its exact pmf (Ray may express it as a multiset choice);
- a one-value int_uniform (hp.randint(label, 1)) is its constant;
- inv_log_uniform_values is log_uniform_values (W&B samples the same law; measured in test_reverse);
- floats agree within 1e-12 relative (log bounds pass through exp/log).
"""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from optional import needs
from ray_reader import read

from sweepbridge import UnsupportedFeatureError, to_hyperopt, to_sweep, to_tune
from sweepbridge import distributions as d
from sweepbridge.frontends.structure import parse_space
from sweepbridge.frontends.wandb_config import parse_sweep

pytestmark = needs("hyperopt", "ray")

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def key(value) -> str:
    return json.dumps(value, sort_keys=True)


def pmf(node: d.QUniform) -> dict[str, float]:
    """W&B's q_uniform law, independently: P(k q) = |[(k-1/2)q, (k+1/2)q] ∩ [low, high]| / (high - low);
    a float q gives -0.0 for draws in (-q/2, 0) (numpy's round keeps the sign)."""
    low, high, q = Fraction(node.low), Fraction(node.high), Fraction(node.q)
    table: dict[str, float] = {}
    half = Fraction(1, 2)
    for k in range(math.floor(low / q) - 1, math.ceil(high / q) + 2):
        cells = [(k - half, k + half, k)] if k or node.integer else [(-half, 0, -0.0), (0, half, 0.0)]
        for a, b, index in cells:
            width = min(high, b * q) - max(low, a * q)
            if width > 0:
                value = key(k * node.q if node.integer else float(index) * node.q)
                table[value] = table.get(value, 0.0) + float(width / (high - low))
    return table


def norm(node: d.Node):
    if isinstance(node, d.Mapping):
        fields = tuple((k, norm(v)) for k, v in node.fields)
        if all(n[0] == "const" for _, n in fields):  # folded like distributions.mapping()
            return ("const", key({k: json.loads(n[1]) for k, n in fields}))
        return ("map", fields)
    if isinstance(node, d.Constant):
        return ("const", key(node.value))
    if isinstance(node, d.IntUniform) and node.low == node.high:  # a one-point law is its constant
        return ("const", key(node.low))
    if isinstance(node, d.Choice):
        table: dict[str, float] = {}
        for option, p in zip(node.options, node.support()[1], strict=True):
            table[key(option.value)] = table.get(key(option.value), 0.0) + p
        return ("table", table)
    if isinstance(node, d.QUniform):
        return ("table", pmf(node))
    if isinstance(node, d.GridAxis):
        return ("grid", tuple(key(v) for v in node.values))
    kind = "loguniform" if node.kind == "invloguniform" else node.kind
    return (kind, tuple(getattr(node, f.name) for f in dataclasses.fields(node) if f.name != "label"))


def assert_same(a, b, where: str = "") -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), (where, a, b)
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (where, a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (where, a, b)
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k}]")
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}/{i}")
    else:
        assert a == b and type(a) is type(b), (where, a, b)


# ---- W&B sweeps covering every kind, nesting, omitted keys and the deprecated kinds ----

names = st.from_regex(r"[a-z][a-z0-9_]{0,4}", fullmatch=True)
plain = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-20, 20),
    st.floats(-100, 100, allow_nan=False).map(float),
    st.text("xyz", max_size=2),
    st.lists(st.integers(0, 3), max_size=2),
)
mu_sigma = st.fixed_dictionaries({}, optional={"mu": st.floats(-3, 3), "sigma": st.floats(0.1, 3)})
Q = st.sampled_from([0.25, 0.5, 1.0, 1, 2, 5])


def maybe_named(kind: str, spec: dict, draw) -> dict:
    return spec if draw(st.booleans()) else {"distribution": kind, **spec}


@st.composite
def leaf(draw) -> dict:
    which = draw(st.integers(0, 18))
    if which == 0:
        return {"value": draw(plain)}
    if which in (1, 2):
        values = draw(st.lists(plain, min_size=1, max_size=4))
        if which == 1:
            return maybe_named("categorical", {"values": values}, draw)
        weights = draw(st.lists(st.integers(1, 6), min_size=len(values), max_size=len(values)))
        return {"values": values, "probabilities": [w / sum(weights) for w in weights]}
    if which == 3:
        low = draw(st.integers(-30, 30))
        return maybe_named("int_uniform", {"min": low, "max": low + draw(st.integers(1, 20))}, draw)
    if which == 4:
        low = draw(st.floats(-10, 10))
        return maybe_named("uniform", {"min": float(low), "max": low + draw(st.floats(0.5, 10))}, draw)
    if which == 5:
        q = draw(Q)
        low = draw(st.integers(-8, 8)) * q / 4
        spec = {"distribution": "q_uniform", "min": low, "max": low + draw(st.integers(1, 40)) * q / 4, "q": q}
        return spec if q != 1.0 or draw(st.booleans()) else {k: v for k, v in spec.items() if k != "q"}
    if which in (6, 7):
        low = 10 ** draw(st.floats(-4, 1))
        kind = "log_uniform_values" if which == 6 else "inv_log_uniform_values"
        return {"distribution": kind, "min": low, "max": low * (1 + draw(st.floats(0.1, 100)))}
    if which == 8:
        q = draw(Q)
        low = draw(st.integers(1, 5)) * q
        return {"distribution": "q_log_uniform_values", "min": low, "max": low + draw(st.integers(1, 50)) * q, "q": q}
    if which in (9, 10, 11, 12):
        kind = ["normal", "q_normal", "log_normal", "q_log_normal"][which - 9]
        spec = {"distribution": kind, **draw(mu_sigma)}
        return {**spec, "q": draw(Q)} if kind.startswith("q_") and draw(st.booleans()) else spec
    if which in (13, 14):
        spec = {"distribution": "beta" if which == 13 else "q_beta"}
        return {**spec, **draw(st.fixed_dictionaries({}, optional={"a": st.floats(0.5, 5), "b": st.floats(0.5, 5)}))}
    if which in (15, 16, 17):
        kind = ["log_uniform", "q_log_uniform", "inv_log_uniform"][which - 15]
        low = draw(st.floats(-5, 2))
        spec = {"distribution": kind, "min": low, "max": low + draw(st.floats(0.1, 3))}
        return {**spec, "q": draw(Q)} if kind == "q_log_uniform" else spec
    return {"value": draw(st.dictionaries(names, plain, max_size=2))}


specs = st.recursive(
    leaf(),
    lambda inner: st.dictionaries(names, inner, min_size=1, max_size=3).map(lambda p: {"parameters": p}),
    max_leaves=6,
)
sweeps_ = st.dictionaries(names, specs, min_size=1, max_size=4).map(lambda p: {"method": "random", "parameters": p})

HYPEROPT_REFUSES = {"beta": "reverse.hyperopt.beta", "qbeta": "reverse.hyperopt.beta"}
TUNE_REFUSES: dict[str, set[str]] = {}
"""IR kind → the refusals Ray may answer with (every kind translates: tune.sample_from where no
domain samples W&B's values; test_reverse measures those against W&B's engine)."""


def has_sample_from(tree) -> bool:
    from ray.tune.search.sample import Function

    if isinstance(tree, dict):
        return any(has_sample_from(v) for v in tree.values())
    return isinstance(tree, Function)


def nodes_by_path(node: d.Node) -> dict[str, d.Node]:
    return dict(d.walk(node))


@SETTINGS
@given(sweeps_)
def test_sweep_to_hyperopt_to_sweep(cfg):
    space = parse_sweep(cfg).space
    try:
        hp_space = to_hyperopt(cfg)
    except UnsupportedFeatureError as exc:
        assert nodes_by_path(space)[exc.path].kind in HYPEROPT_REFUSES, exc
        assert exc.feature == HYPEROPT_REFUSES[nodes_by_path(space)[exc.path].kind]
        event("refused: beta")
        return
    event("translated")
    assert not any(n.kind in HYPEROPT_REFUSES for n in nodes_by_path(space).values())
    assert_same(norm(space), norm(parse_space(hp_space)))
    assert_same(norm(space), norm(parse_sweep(to_sweep(hp_space)).space))


@SETTINGS
@given(sweeps_)
def test_sweep_to_tune_to_sweep(cfg):
    space = parse_sweep(cfg).space
    try:
        spec = to_tune(cfg)
    except UnsupportedFeatureError as exc:
        kind = nodes_by_path(space)[exc.path].kind
        assert exc.feature in TUNE_REFUSES.get(kind, set()), exc
        event(f"refused: {exc.feature}")
        return
    if has_sample_from(spec.param_space):
        event("tune.sample_from")
        return
    event("translated")
    assert_same(norm(space), norm(read(spec.param_space)))


# ---- real hyperopt spaces covering every hp operator (and scope.int over q operators) ----


@st.composite
def hp_leaf(draw):
    which = draw(st.integers(0, 14))
    lo = draw(st.integers(-10, 10))
    span = draw(st.integers(1, 20))
    q = draw(st.sampled_from([0.5, 1.0, 2.0]))
    args = {
        0: ("choice", (draw(st.lists(plain, min_size=1, max_size=3)),)),
        1: ("pchoice", (draw(st.lists(st.tuples(st.integers(1, 5), plain), min_size=1, max_size=3)),)),
        2: ("randint", (span,)),
        3: ("randint", (lo, lo + span)),
        4: ("uniform", (lo / 3, lo / 3 + span)),
        5: ("quniform", (lo / 3, lo / 3 + span, q)),
        6: ("uniformint", (lo, lo + span)),
        7: ("int_quniform", (lo, lo + span, 2)),
        8: ("loguniform", (lo / 4, lo / 4 + span / 4)),
        9: ("qloguniform", (lo / 4, lo / 4 + span / 4, q)),
        10: ("normal", (lo / 3, span / 4)),
        11: ("qnormal", (lo / 3, span / 4, q)),
        12: ("lognormal", (lo / 10, span / 10)),
        13: ("qlognormal", (lo / 10, span / 10, q)),
    }
    return args.get(which, ("const", (draw(plain),)))


hp_specs = st.recursive(hp_leaf(), lambda inner: st.dictionaries(names, inner, min_size=1, max_size=3), max_leaves=6)


def build_hp(spec, path: str):
    from hyperopt import hp
    from hyperopt.pyll import scope

    if isinstance(spec, dict):
        return {k: build_hp(v, f"{path}.{k}" if path else k) for k, v in spec.items()}
    op, args = spec
    if op == "const":
        return args[0]
    if op == "pchoice":
        total = sum(w for w, _ in args[0])
        return hp.pchoice(path, [(w / total, o) for w, o in args[0]])
    if op == "int_quniform":
        return scope.int(hp.quniform(path, *args))
    return getattr(hp, op)(path, *args)


@pytest.mark.slow
@SETTINGS
@given(st.dictionaries(names, hp_specs, min_size=1, max_size=4))
def test_hyperopt_to_sweep_to_hyperopt(spec):
    space = build_hp(spec, "")
    back = to_hyperopt(to_sweep(space))
    assert_same(norm(parse_space(space)), norm(parse_space(back)))


def test_tune_to_sweep_to_tune():
    """Needs the Tune front-end (built in its own issue)."""
    from ray import tune

    space = {
        "a": tune.uniform(0, 1),
        "b": tune.randint(0, 10),
        "c": tune.choice(["x", "y"]),
        "d": tune.loguniform(1e-4, 1e-1),
        "e": tune.quniform(0, 10, 0.5),
        "f": tune.randn(1, 2),
        "g": tune.qrandn(0, 1, 0.5),
        "h": {"i": tune.qloguniform(1, 100, 1.0)},
    }
    back = to_tune(to_sweep(space)).param_space
    assert_same(norm(parse_space(space)), norm(parse_space(back)))
