"""The IR: frozen, validated-on-construction value classes, and the folding helpers."""

from __future__ import annotations

import ast
import dataclasses
import math
from pathlib import Path

import pytest

from sweepbridge import SpecError, SweepBridgeError
from sweepbridge import distributions as d
from sweepbridge.frontends.structure import SpaceBuilder
from sweepbridge.hyperopt import hp, scope

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    "build, field",
    [
        (lambda: d.Uniform(NAN, 1), "low"),
        (lambda: d.Uniform(0, INF), "high"),
        (lambda: d.Normal(-INF, 1), "mu"),
        (lambda: d.Normal(0, NAN), "sigma"),
        (lambda: d.QUniform(0, 1, INF), "q"),
        (lambda: d.LogUniform(1, INF), "high"),
        (lambda: d.Beta(NAN, 1), "a"),
        (lambda: d.Uniform("0", 1), "low"),
        (lambda: d.Uniform(True, 2), "low"),
        (lambda: d.Normal(0, None), "sigma"),
        (lambda: d.IntUniform(0.5, 3), "low"),
        (lambda: d.IntUniform(0, 3, 1.5), "step"),
    ],
)
def test_numbers_must_be_finite_reals(build, field):
    with pytest.raises(SpecError, match=field):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: d.Uniform(1, 1),
        lambda: d.Uniform(2, 1),
        lambda: d.QUniform(-1, -2, 1),
        lambda: d.LogUniform(5, 5),
        lambda: d.QLogUniform(10, 1, 1),
        lambda: d.InvLogUniform(2, 1),
    ],
)
def test_low_must_be_less_than_high(build):
    with pytest.raises(SpecError, match="low must be less than high"):
        build()


def test_int_uniform_bounds_and_step():
    assert d.IntUniform(3, 3).size == 1  # a single value is allowed (both ends inclusive)
    with pytest.raises(SpecError, match="high must be >= low"):
        d.IntUniform(3, 2)
    with pytest.raises(SpecError, match="multiple of step"):
        d.IntUniform(0, 5, 2)
    with pytest.raises(SpecError, match="step must be positive"):
        d.IntUniform(0, 4, 0)
    assert d.IntUniform(0, 4, 2).support() == ((0, 2, 4), (1 / 3, 1 / 3, 1 / 3))
    assert d.IntUniform(0, d.SUPPORT_LIMIT + 1).support() is None


@pytest.mark.parametrize(
    "build, field",
    [
        (lambda: d.QUniform(0, 1, 0), "q"),
        (lambda: d.QNormal(0, 1, -0.5), "q"),
        (lambda: d.Normal(0, 0), "sigma"),
        (lambda: d.LogNormal(0, -1), "sigma"),
        (lambda: d.QLogNormal(0, -1, 1), "sigma"),
        (lambda: d.LogUniform(0, 1), "low"),
        (lambda: d.QLogUniform(-1, 1, 1), "low"),
        (lambda: d.Beta(1, 0), "b"),
        (lambda: d.QBeta(0, 1, 1), "a"),
    ],
)
def test_scales_and_quanta_must_be_positive(build, field):
    with pytest.raises(SpecError, match=f"{field} must be positive"):
        build()


def test_integer_valued_kinds_need_a_whole_q():
    assert d.QUniform(0, 10, 2.0, integer=True).q == 2 and type(d.QUniform(0, 10, 2.0, integer=True).q) is int
    with pytest.raises(SpecError, match="integer"):
        d.QUniform(0, 10, 0.5, integer=True)


def test_choices():
    a, b = d.Constant("a"), d.Constant("b")
    with pytest.raises(SpecError, match="at least one option"):
        d.Choice(())
    with pytest.raises(SpecError, match="IR nodes"):
        d.Choice(("a", "b"))
    with pytest.raises(SpecError, match="1 probabilities for 2 options"):
        d.Choice((a, b), (1.0,))
    with pytest.raises(SpecError, match=">= 0"):
        d.Choice((a, b), (1.5, -0.5))
    with pytest.raises(SpecError, match="sum to 1"):
        d.Choice((a, b), (0.5, 0.6))
    with pytest.raises(SpecError, match="probability"):
        d.Choice((a, b), (0.5, NAN))
    choice = d.Choice([a, b], [0.25, 0.75])
    assert choice.options == (a, b) and choice.probabilities == (0.25, 0.75)
    assert choice.support() == (("a", "b"), (0.25, 0.75))
    assert not choice.is_uniform and not choice.is_conditional
    assert d.Choice((a, d.Uniform(0, 1))).is_conditional
    assert d.Choice((a, b)).support() == (("a", "b"), (0.5, 0.5))


def test_finite_discrete_and_grid():
    with pytest.raises(SpecError):
        d.FiniteDiscrete((1, 2), (1.0,))
    with pytest.raises(SpecError):
        d.FiniteDiscrete((), ())
    with pytest.raises(SpecError):
        d.FiniteDiscrete((1, 2), (0.7, 0.7))
    assert d.FiniteDiscrete((1, (2, 3)), (0.5, 0.5)).values == (1, [2, 3])
    with pytest.raises(SpecError, match="at least one value"):
        d.GridAxis(())
    with pytest.raises(SweepBridgeError):
        d.GridAxis((NAN,))


def test_constants_hold_plain_values_only():
    assert d.Constant((1, {"a": (2,)})).value == [1, {"a": [2]}]
    for bad in (object(), {1, 2}, b"x", {1: "a"}):
        with pytest.raises(SpecError):
            d.Constant(bad)
    with pytest.raises(SweepBridgeError):
        d.Constant(INF)


def test_numpy_scalars_become_python_numbers():
    np = pytest.importorskip("numpy")
    node = d.Uniform(np.float64(0.5), np.int64(3))
    assert (type(node.low), type(node.high)) == (float, int)
    assert type(d.IntUniform(np.int32(0), np.int64(4)).high) is int
    assert type(d.Constant(np.float32(0.5)).value) is float


def test_nodes_are_frozen_and_labels_are_not_compared():
    node = d.Uniform(0, 1, label="a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.low = 5  # type: ignore[misc]
    assert node == d.Uniform(0, 1, label="b")
    assert node != d.Uniform(0, 2)
    assert hash(d.Normal(0, 1)) == hash(d.Normal(0, 1, label="x"))


def test_mapping_and_sequence_fold_constants():
    assert d.mapping([("a", d.Constant(1)), ("b", d.Constant([2]))]) == d.Constant({"a": 1, "b": [2]})
    assert isinstance(d.mapping([("a", d.Constant(1)), ("b", d.Uniform(0, 1))]), d.Mapping)
    assert d.sequence([d.Constant(1), d.Constant("x")]) == d.Constant([1, "x"])
    assert isinstance(d.sequence([d.Constant(1), d.Choice((d.Constant(1),))]), d.Sequence)
    with pytest.raises(SpecError, match="not a string"):
        d.Mapping(((1, d.Uniform(0, 1)),))  # type: ignore[arg-type]


def test_walk_yields_paths():
    space = d.Mapping((("m", d.Mapping((("lr", d.Uniform(0, 1)),))), ("c", d.Choice((d.Constant(1),)))))
    paths = [p for p, _ in d.walk(space)]
    assert paths == ["", "m", "m.lr", "c", "c[option 0]"]


def test_log_integer_is_rays_rule_with_its_pmf_on_demand():
    node = d.LogInteger(2, 33, 2)
    assert node.source == "tune.qlograndint(4, 64, 2)" and node.feature == "tune.qlograndint"
    assert d.LogInteger(1, 10).source == "tune.lograndint(1, 10)" and d.LogInteger(1, 10).feature == "tune.lograndint"
    values, probabilities = node.support()
    assert values == tuple(range(4, 66, 2)) and all(type(v) is int for v in values)
    assert probabilities[0] == pytest.approx(math.log(3 / 2) / math.log(33 / 2), rel=1e-12) and sum(
        probabilities
    ) == pytest.approx(1, abs=1e-12)
    huge = d.LogInteger(1, 10**9)
    assert huge.support_size() == 10**9 - 1 and huge.pmf() is None and huge.support() is None
    for bad in [(0, 5), (5, 5), (1, 2.5), (1, 5, 0), (1, 5, 1.5), (True, 5)]:
        with pytest.raises(SpecError):
            d.LogInteger(*bad)
    with pytest.raises(SpecError):
        d.LogInteger(1, 5, approximate="yes")


PACKAGE = Path(d.__file__).parent


def test_nodes_are_changed_only_while_they_are_built():
    """`object.__setattr__` (the way around `frozen`) appears only in distributions.py's constructors."""
    users = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "object.__setattr__" in path.read_text(encoding="utf-8") and path.name != "distributions.py"
    )
    assert users == []


def test_the_ir_imports_nothing_but_errors_and_values():
    """The IR knows no front-end: the mirror's operators live on `frontends.expression.Expression`."""
    tree = ast.parse((PACKAGE / "distributions.py").read_text(encoding="utf-8"))
    relative = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}
    assert relative == {"errors", "values"}


def test_mirror_expressions_leave_nodes_with_their_declared_fields_only():
    """Arithmetic, [] and choices over mirror expressions build plain nodes (no extra attribute such as
    an `origin`); the identity a derived value shares lives on the Expression."""
    x = hp.randint("x", 4)
    spaces = [
        {"a": x + 1, "b": hp.choice("c", [(hp.randint("y", 3) * 2, 5), (1, hp.uniform("u", 0, 1))])[1]},
        {"s": scope.int(hp.quniform("q", 0, 10, 2)), "t": -hp.uniform("t", 0, 1), "v": hp.randint("v", 3) ** 2},
    ]
    for space in spaces:
        for _, child in d.walk(SpaceBuilder().node(space)):
            assert set(vars(child)) <= {f.name for f in dataclasses.fields(child)}, type(child)
    assert (x + 1).origin is x.node and (x + 1).node == d.IntUniform(1, 4) and (x + 1).label == "x"


def test_nodes_are_not_operands():
    """IR nodes have no operators (Ray's domains have none either); the mirror hp's Expression has."""
    with pytest.raises(TypeError):
        d.Uniform(0, 1, label="x") + 1  # type: ignore[operator]
