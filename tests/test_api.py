import pytest

import sweepbridge
from sweepbridge import SpecError, UnsupportedFeatureError, to_sweep
from sweepbridge.hyperopt import hp


def seed_space():
    return dict(
        width=hp.uniform("width", 0, 20),
        height=hp.uniform("height", -100, 100),
        activation=hp.choice("activation", ["relu", "tanh"]),
    )


def test_seed_space_translates():
    cfg = to_sweep(seed_space(), method="bayes", metric="mean_loss", program="train.py", run_cap=10)
    assert isinstance(cfg, sweepbridge.SweepConfig)
    assert list(cfg) == ["program", "method", "metric", "run_cap", "parameters"]
    assert cfg["parameters"]["width"] == {"distribution": "uniform", "min": 0, "max": 20}
    assert cfg["parameters"]["activation"] == {"values": ["relu", "tanh"]}
    assert cfg["metric"] == {"name": "mean_loss", "goal": "minimize"}


def test_bayes_needs_metric():
    with pytest.raises(SpecError, match="bayes needs a metric"):
        to_sweep(seed_space(), method="bayes")


def test_unknown_top_level_key_refused():
    with pytest.raises(SpecError, match="no top-level key bogus"):
        to_sweep(seed_space(), bogus=1)


@pytest.mark.parametrize(
    "method, probabilities",
    [("grid", (0.2, 0.8)), ("bayes", (0.2 + 1e-9, 0.8 - 1e-9)), ("bayes", (1 / 3**0.5, 1 - 1 / 3**0.5))],
)
def test_pchoice_refused_outside_random(method, probabilities):
    space = {"p": hp.pchoice("p", list(zip(probabilities, ["a", "b"], strict=True)))}
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep(space, method=method, metric="m")
    assert info.value.path == "p" and "random" in str(info.value)


def test_pchoice_under_bayes_repeats_values_in_proportion():
    """Bayes cannot take probabilities: multiples of 1/N become equally likely repeated values."""
    cfg = to_sweep({"p": hp.pchoice("p", [(0.2, "a"), (0.8, "b")])}, method="bayes", metric="m")
    assert cfg["parameters"]["p"] == {"values": ["a", "b", "b", "b", "b"]}


def test_grid_accepts_only_values():
    cfg = to_sweep({"a": hp.choice("a", [1, 2]), "b": 3}, method="grid")
    assert cfg["parameters"] == {"a": {"values": [1, 2]}, "b": {"value": 3}}
    with pytest.raises(UnsupportedFeatureError, match="grid") as info:
        to_sweep({"m": {"lr": hp.uniform("lr", 0, 1)}}, method="grid")
    assert info.value.path == "m.lr"


def test_conditional_choice_refused_with_path():
    space = {"model": {"opt": hp.choice("opt", [{"lr": hp.uniform("lr", 0, 1)}, "sgd"])}}
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep(space)
    assert info.value.path == "model.opt"
    assert info.value.feature == "hyperopt.conditional"
    assert info.value.suggestion


def test_bare_expression_uses_label():
    assert list(to_sweep(hp.uniform("lr", 0, 1))["parameters"]) == ["lr"]


def test_empty_and_unnamed_spaces_refused():
    for space in ({}, [hp.uniform("a", 0, 1)], 3):
        with pytest.raises(SpecError):
            to_sweep(space)
