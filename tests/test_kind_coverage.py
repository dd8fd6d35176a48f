"""Every back-end covers every IR kind: each per-kind table has an entry (or a named refusal) for every
class in `distributions.BY_KIND`, and emitting a node of each kind gives a result or a SweepBridgeError,
never a KeyError. A new kind added without its table entries fails here, not at a user's run time
(docs/adding-a-kind.md is the checklist)."""

from __future__ import annotations

import pytest

from sweepbridge import arithmetic, compat, ir_data
from sweepbridge import distributions as d
from sweepbridge.backends import hyperopt_space, optuna_points, optuna_source, tune_space, wandb
from sweepbridge.errors import SweepBridgeError, UnsupportedFeatureError
from sweepbridge.frontends import wandb_config
from sweepbridge.wandb_kinds import METHODS, NUMERIC

SAMPLES: dict[type[d.Node], d.Node] = {
    d.Constant: d.Constant({"a": [1, "x"]}),
    d.Choice: d.Choice((d.Constant(1), d.Constant("b")), (0.25, 0.75)),
    d.IntUniform: d.IntUniform(0, 8, 2),
    d.Uniform: d.Uniform(-1, 2),
    d.QUniform: d.QUniform(0, 10, 2, integer=True),
    d.LogUniform: d.LogUniform(1e-3, 1),
    d.QLogUniform: d.QLogUniform(1, 100, 0.5),
    d.InvLogUniform: d.InvLogUniform(1e-3, 1),
    d.Normal: d.Normal(0, 2),
    d.QNormal: d.QNormal(1, 2, 0.5),
    d.LogNormal: d.LogNormal(0, 1),
    d.QLogNormal: d.QLogNormal(0, 1, 1, integer=True),
    d.Beta: d.Beta(2, 3),
    d.QBeta: d.QBeta(2, 3, 0.1),
    d.FiniteDiscrete: d.FiniteDiscrete((1, [2]), (0.5, 0.5), source="x // 2"),
    d.LogInteger: d.LogInteger(1, 50),
    d.GridAxis: d.GridAxis((16, 64)),
    d.Mapping: d.Mapping((("lr", d.Uniform(0, 1)), ("k", d.Constant(3)))),
    d.Sequence: d.Sequence((d.Choice((d.Constant(1), d.Constant(2))), d.Constant("x"))),
    d.Unsupported: d.Unsupported("hyperopt.expression", "uniform * uniform combines 2 sampled values.", "compute it"),
}
"""One node of every kind (conditional and nested forms are covered by each back-end's own tests)."""

KINDS = list(d.BY_KIND.values())
ALL = frozenset(KINDS)


def _ids(cls: type) -> str:
    return cls.kind


def test_every_kind_has_a_sample():
    assert set(SAMPLES) == ALL
    assert all(type(node) is cls for cls, node in SAMPLES.items())


TABLES = {
    "wandb": (wandb.EMITTERS, {}),
    "optuna_source": (optuna_source.EXPRESSIONS, optuna_source.REFUSED),
    "hyperopt_space": (hyperopt_space.EMITTERS, hyperopt_space.REFUSED),
    "tune_space": (tune_space.EMITTERS, {}),
}
"""Back-end → (emitters, refusals by compat row), both keyed by IR class."""


@pytest.mark.parametrize("name", list(TABLES))
def test_each_back_end_table_names_every_kind_once(name):
    emitters, refused = TABLES[name]
    assert set(emitters) | set(refused) == ALL, (
        f"{name} misses {sorted(c.kind for c in ALL - set(emitters) - set(refused))}"
    )
    assert not set(emitters) & set(refused)
    for row in refused.values():
        assert compat.row(row).fidelity == "unsupported"


def test_the_optuna_points_and_the_wandb_vocabulary_name_only_kinds():
    """A point is read for exactly the kinds the generated source draws with a value (grid axes take none)."""
    assert set(optuna_points.RULES) | set(optuna_source.REFUSED) | {d.GridAxis, d.Unsupported} == ALL
    assert set(NUMERIC) == {cls for cls in ALL if cls.family is not None}
    for kinds, _ in arithmetic.RULES.values():
        assert kinds <= ALL


def _outcome(emit, node):
    """The emitted result, or the refusal's (type, feature): anything else (KeyError, ...) fails the test."""
    try:
        return emit(node)
    except SweepBridgeError as exc:
        return type(exc), getattr(exc, "feature", None)


@pytest.mark.parametrize("cls", KINDS, ids=_ids)
def test_every_back_end_emits_or_refuses_every_kind(cls):
    node = SAMPLES[cls]
    outcomes = {
        **{f"wandb {m}": _outcome(lambda n, m=m: wandb.emit(n, wandb.Context(m, "x")), node) for m in METHODS},
        "optuna": _outcome(lambda n: optuna_source._Writer(("x",)).expr(n, "x", 1), node),
        "optuna points": _outcome(lambda n: optuna_points._Points(("x",)).walk(n, _value(n), "x", {}), node),
        "hyperopt": _outcome(lambda n: hyperopt_space.emit(n, "x"), node),
        "tune": _outcome(lambda n: tune_space.emit(n, "x"), node),
        "arithmetic": _outcome(lambda n: arithmetic.apply("add", [n, d.Constant(1)]), node),
    }
    if cls is d.Unsupported:  # every emitter refuses it with its own compat row (grid refuses any sampled kind first)
        emitters = ("wandb random", "wandb bayes", "optuna", "hyperopt", "tune")
        assert {outcomes[k] for k in emitters} == {(UnsupportedFeatureError, "hyperopt.expression")}
    # the serialized IR reads back as the same node
    assert ir_data.from_data(ir_data.to_data(node)) == node


def _value(node: d.Node):
    """A value the node can take (what a point would give)."""
    support = node.support()
    if support is not None:
        return support[0][0]
    return {"uniform": 0.5, "normal": 0.0, "beta": 0.5}.get(node.family or "", 1.0)


@pytest.mark.parametrize("cls", [c for c in KINDS if c.family is not None], ids=_ids)
def test_what_wandb_writes_for_a_numeric_kind_reads_back_as_that_kind(cls):
    spec = wandb.emit(SAMPLES[cls], wandb.Context("random", "x"))
    assert wandb_config.parameter(spec, "random", "x") == SAMPLES[cls]


@pytest.mark.parametrize("cls", KINDS, ids=_ids)
def test_declared_traits_match_the_fields(cls):
    """family ⇔ its parameters, quantized ⇔ q and integer, unquantized is the same law without rounding."""
    fields = {f for f in cls.__dataclass_fields__ if f != "label"}
    laws = {"uniform": {"low", "high"}, "normal": {"mu", "sigma"}, "beta": {"a", "b"}}
    if cls.family is None:
        assert not cls.quantized and not cls.log and cls.unquantized is None
        return
    assert laws[cls.family] <= fields
    assert cls.quantized == ({"q", "integer"} <= fields)
    if cls.quantized:
        base = cls.unquantized
        assert base is not None and not base.quantized
        assert (base.family, base.log) == (cls.family, cls.log)
    else:
        assert cls.unquantized is None and not cls.int_valued
