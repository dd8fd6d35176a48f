"""Spaces built with the real `hyperopt.hp` translate exactly as the same spaces built with our mirror.

Each space is a function of the `hp` module, called once with each; the configs (or the refusals:
error type, feature and parameter path) must be identical.
"""

from __future__ import annotations

import copy
import json

import pytest

from sweepbridge import SpecError, SweepBridgeError, UnsupportedFeatureError, to_sweep
from sweepbridge.hyperopt import hp as mirror

hyperopt = pytest.importorskip("hyperopt")
from hyperopt import hp as real  # noqa: E402


def _every_operator(hp):
    return {
        "choice": hp.choice("choice", ["relu", "tanh", 3, None]),
        "pchoice": hp.pchoice("pchoice", [(0.25, "a"), (0.75, "b")]),
        "randint1": hp.randint("randint1", 10),
        "randint2": hp.randint("randint2", -4, 4),
        "uniform": hp.uniform("uniform", -1.5, 2),
        "quniform": hp.quniform("quniform", -3, 3, 0.5),
        "quniform_int_q": hp.quniform("quniform_int_q", 0, 10, 1),
        "uniformint": hp.uniformint("uniformint", 0, 2),
        "loguniform": hp.loguniform("loguniform", -7, 0),
        "qloguniform": hp.qloguniform("qloguniform", 0, 4, 1),
        "normal": hp.normal("normal", -1, 0.5),
        "qnormal": hp.qnormal("qnormal", 0, 2, 0.1),
        "lognormal": hp.lognormal("lognormal", 0, 1),
        "qlognormal": hp.qlognormal("qlognormal", 1, 0.5, 1),
    }


SPACES = {
    "every_operator": _every_operator,
    "nested_dicts": lambda hp: {
        "model": {"optimizer": {"lr": hp.loguniform("lr", -9, -2), "name": "adam"}, "depth": hp.randint("d", 2, 9)},
        "data": {"batch": hp.choice("batch", [16, 32, 64]), "augment": {"flip": True, "rot": [0, 90]}},
        "seed": 0,
    },
    "list_of_discrete_items": lambda hp: {
        "layers": [hp.choice("l0", [16, 64]), 32, hp.randint("l1", 3)],
        "pair": (hp.pchoice("p", [(0.3, "x"), (0.7, "y")]), hp.choice("q", [True, False])),
    },
    "choice_over_dict_constants": lambda hp: {
        "opt": hp.choice("opt", [{"name": "sgd", "momentum": [0.9, 0.99]}, {"name": "adam"}, (1, "a")]),
    },
    "constants_only_inside_choice": lambda hp: {"x": hp.choice("x", [[1, 2], [], {}, "", 1e-05, 2**70])},
    "bare_labelled_expression": lambda hp: hp.loguniform("learning_rate", -5, 0),
    "bare_labelled_choice": lambda hp: hp.choice("activation", ["relu", "tanh"]),
    "single_index_of_a_choice": lambda hp: {
        "metric": hp.pchoice("metric", [(0.5, ("euclidean", 2)), (0.2, ("manhattan", 1)), (0.3, ("cosine", None))])[0],
        "shape": hp.choice("shape", [{"w": 1, "h": [2, 3]}, {"w": 4, "h": [5, 6]}])["h"],
    },
    "index_of_a_conditional_choice": lambda hp: {
        "p": hp.pchoice("dist", [(0.6, ("l2", 2)), (0.4, ("minkowski", hp.randint("power", 3, 6)))])[1],
    },
    "seed_example": lambda hp: dict(
        width=hp.uniform("width", 0, 20),
        height=hp.uniform("height", -100, 100),
        activation=hp.choice("activation", ["relu", "tanh"]),
    ),
}


@pytest.mark.parametrize("method", ["random", "bayes", "grid"])
@pytest.mark.parametrize("name", list(SPACES))
def test_real_and_mirror_spaces_give_identical_configs(name, method):
    outcomes = []
    for hp in (real, mirror):
        try:
            outcomes.append(to_sweep(SPACES[name](hp), method=method, metric="loss"))
        except SweepBridgeError as exc:
            outcomes.append((type(exc), exc.path, getattr(exc, "feature", None)))
    assert outcomes[0] == outcomes[1]
    if method == "random":  # every space above is translatable under random search
        cfg = outcomes[0]
        assert isinstance(cfg, dict) and cfg["parameters"]
        # Same text too, up to key order inside dict *values*: hyperopt's pyll sorts the keys of
        # dicts it holds (choice options), so the real config lists them sorted (as hyperopt samples them).
        texts = [json.dumps(to_sweep(SPACES[name](hp)), sort_keys=True) for hp in (real, mirror)]
        assert texts[0] == texts[1]


def test_every_operator_translates_as_the_compat_table_says():
    params = to_sweep(_every_operator(real))["parameters"]
    assert params["choice"] == {"values": ["relu", "tanh", 3, None]}
    assert params["pchoice"] == {"values": ["a", "b"], "probabilities": [0.25, 0.75]}
    assert params["randint1"] == {"distribution": "int_uniform", "min": 0, "max": 9}
    assert params["randint2"] == {"distribution": "int_uniform", "min": -4, "max": 3}
    assert params["uniformint"] == {"distribution": "q_uniform", "min": 0, "max": 2, "q": 1}
    assert type(params["uniformint"]["q"]) is int
    assert params["quniform_int_q"]["q"] == 1.0 and type(params["quniform_int_q"]["q"]) is float
    assert params["loguniform"]["distribution"] == "log_uniform_values"
    assert params["loguniform"]["min"] == pytest.approx(2.718281828459045**-7)
    assert params["qloguniform"]["distribution"] == "q_log_uniform_values"
    assert {params[k]["distribution"] for k in ("normal", "qnormal", "lognormal", "qlognormal")} == {
        "normal",
        "q_normal",
        "log_normal",
        "q_log_normal",
    }


def test_nested_dicts_become_nested_parameters():
    cfg = to_sweep(SPACES["nested_dicts"](real))
    model = cfg["parameters"]["model"]["parameters"]
    assert model["optimizer"]["parameters"]["name"] == {"value": "adam"}
    assert cfg["parameters"]["data"]["parameters"]["augment"] == {"value": {"flip": True, "rot": [0, 90]}}
    assert cfg["parameters"]["seed"] == {"value": 0}


def test_lists_of_discrete_items_are_one_categorical_over_the_product():
    params = to_sweep(SPACES["list_of_discrete_items"](real))["parameters"]
    assert params["layers"] == {"values": [[a, 32, b] for a in (16, 64) for b in (0, 1, 2)]}
    assert params["pair"]["values"] == [["x", True], ["x", False], ["y", True], ["y", False]]
    assert params["pair"]["probabilities"] == pytest.approx([0.15, 0.15, 0.35, 0.35])


def _conditional(hp):
    return {"model": {"opt": hp.choice("opt", [{"lr": hp.uniform("lr", 0, 1)}, "sgd"])}}


def _nested_choice(hp):
    return {"c": hp.choice("c", [hp.choice("d", [1, hp.normal("e", 0, 1)]), 3])}


def _shared(hp):
    x = hp.uniform("x", 0, 1)
    return {"a": x, "b": {"c": x}}


def _duplicate(hp):
    return {"a": hp.uniform("x", 0, 1), "b": {"c": hp.normal("x", 0, 1)}}


def _duplicate_choice(hp):
    return {"a": {"b": hp.choice("x", [1, 2])}, "c": hp.randint("x", 3)}


def _continuous_in_list(hp):
    return {"l": [hp.uniform("u", 0, 1), 2]}


def _neighbours(hp):
    """The shape of hyperopt-sklearn's KNN space: one weighted choice of (metric, p) pairs, indexed twice."""
    distance = hp.pchoice(
        "distance",
        [
            (0.5, ("euclidean", 2)),
            (0.2, ("manhattan", 1)),
            (0.3, ("minkowski", hp.quniform("minkowski_p", 2.5, 4.5, 1))),
        ],
    )
    return {
        "k": hp.randint("k", 1, 30),
        "weights": hp.choice("weights", ["uniform", "distance"]),
        "metric": distance[0],
        "p": distance[1],
    }


def _bad_name(hp):
    return {"ok": {"not ok": hp.uniform("x", 0, 1)}}


REFUSALS = {
    "conditional_choice": (_conditional, UnsupportedFeatureError, "model.opt", "hyperopt.conditional"),
    "choice_of_choice": (_nested_choice, UnsupportedFeatureError, "c", "hyperopt.conditional"),
    "shared_label": (_shared, UnsupportedFeatureError, "b.c", "space.shared"),
    "duplicate_label": (_duplicate, SpecError, "b.c", None),
    "duplicate_choice_label": (_duplicate_choice, SpecError, "c", None),
    "continuous_item_in_list": (_continuous_in_list, UnsupportedFeatureError, "l", "space.sequence"),
    "bad_name": (_bad_name, UnsupportedFeatureError, "ok.not ok", "space.name"),
    "one_choice_indexed_twice": (_neighbours, UnsupportedFeatureError, "p", "space.shared"),
    "derived_and_shared_after_a_deep_copy": (
        lambda hp: copy.deepcopy((lambda x: {"a": 2 * x, "b": {"c": x + 1}})(hp.randint("x", 5))),
        UnsupportedFeatureError,
        "b.c",
        "space.shared",
    ),
    "comparison": (lambda hp: {"c": hp.uniform("c", 0, 1) > 0.5}, UnsupportedFeatureError, "c", "hyperopt.expression"),
    "index_out_of_range": (lambda hp: {"i": hp.choice("i", [(1, 2), (3,)])[1]}, SpecError, "i", None),
    "index_of_a_draw": (lambda hp: {"i": hp.choice("i", [hp.uniform("u", 0, 1)])[0]}, SpecError, "i", None),
    "sampled_index": (
        lambda hp: {"i": hp.choice("i", [(1, 2)])[hp.randint("j", 2)]},
        UnsupportedFeatureError,
        "i",
        "hyperopt.expression",
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusals_are_the_same_for_real_and_mirror(name):
    """Same error, path, feature and message: the mirror space builds wherever the real one does."""
    build, error, path, feature = REFUSALS[name]
    messages = []
    for hp in (real, mirror):
        with pytest.raises(error) as info:
            to_sweep(build(hp))
        messages.append(str(info.value))
        assert info.value.path == path
        assert str(info.value).startswith(f"{path}: ")
        assert getattr(info.value, "feature", None) == feature
        if isinstance(info.value, UnsupportedFeatureError):
            assert info.value.status == "unsupported" and info.value.suggestion
    assert messages[0] == messages[1]


def test_one_choice_indexed_twice_is_refused_as_shared():
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep(_neighbours(mirror))
    assert "Label 'distance' is used at metric and at p." in str(info.value)


def test_a_single_index_of_a_choice_keeps_its_probabilities():
    params = to_sweep(SPACES["single_index_of_a_choice"](real))["parameters"]
    assert params["metric"] == {"values": ["euclidean", "manhattan", "cosine"], "probabilities": [0.5, 0.2, 0.3]}
    assert params["shape"] == {"values": [[2, 3], [5, 6]]}
    params = to_sweep(SPACES["index_of_a_conditional_choice"](real))["parameters"]
    assert params["p"]["values"] == [2, 3, 4, 5]
    assert params["p"]["probabilities"] == pytest.approx([0.6, 0.4 / 3, 0.4 / 3, 0.4 / 3])


def test_the_mirror_is_not_iterable():
    """pyll's Apply indexes forever when unpacked; the mirror says it cannot."""
    with pytest.raises(TypeError):
        a, b = mirror.choice("c", [(1, 2)])


@pytest.mark.parametrize(
    "build",
    [
        lambda: {"m": {"lr": real.lognormal("lr", 0, 1) + 1}},
        lambda: {"m": {"lr": real.uniform("lr", 0, 1) * real.uniform("b", 0, 1)}},
        lambda: {"m": {"lr": real.uniform("lr", 0, real.uniform("hi", 1, 2))}},
        lambda: {"m": {"lr": hyperopt.pyll.scope.int(real.uniform("lr", 0, 10))}},
        lambda: {"m": {"lr": hyperopt.pyll.scope.exp(real.uniform("lr", 0, 1))}},
    ],
    ids=["lognormal_plus_constant", "product", "bound_from_expression", "int_of_uniform", "scope_exp"],
)
def test_arithmetic_expressions_are_refused_with_the_path(build):
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep(build())
    assert info.value.feature == "hyperopt.expression"
    assert info.value.path == "m.lr" and "m.lr" in str(info.value)


@pytest.mark.parametrize(
    "build, path",
    [
        (lambda hp: {"u": hp.uniform("u", 1, 0)}, "u"),
        (lambda hp: {"u": hp.quniform("u", 0, 1, 0)}, "u"),
        (lambda hp: {"u": hp.pchoice("u", [(0.5, 1), (0.6, 2)])}, "u"),
        (lambda hp: {"u": hp.normal("u", 0, -1)}, "u"),
        (lambda hp: {"u": hp.loguniform("u", 1000, 2000)}, "u"),
        (lambda hp: {"u": hp.choice("u", [])}, "u"),
        (lambda hp: {"u": hp.randint("u", 3, 3)}, "u"),
    ],
    ids=["uniform_low_ge_high", "q_zero", "probabilities", "sigma", "exp_overflow", "empty_choice", "empty_randint"],
)
def test_malformed_operators_are_spec_errors_for_both(build, path):
    """Errors are located at the operator's label (the mirror raises when the operator is built)."""
    for hp in (real, mirror):
        with pytest.raises(SpecError) as info:
            to_sweep(build(hp))
        assert info.value.path == path
