"""How `sweepbridge convert` finds and converts the object in a SOURCE (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweepbridge import ApproximationWarning, SpecError, UnsupportedFeatureError, to_sweep
from sweepbridge.hyperopt import hp
from sweepbridge.sources import SourceError, SourceUsageError, load_source, pick, split_source


@pytest.mark.parametrize(
    "source, expected",
    [
        ("a.py", (Path("a.py"), None)),
        ("dir/a.py:space", (Path("dir/a.py"), "space")),
        ("C:/x/a.py", (Path("C:/x/a.py"), None)),
        ("spec.yaml", (Path("spec.yaml"), None)),
        ("spec.JSON", (Path("spec.JSON"), None)),
    ],
)
def test_split_source(source, expected):
    assert split_source(source) == expected


@pytest.mark.parametrize("source", ["a.txt", "a", "spec.yaml:x", "a.py:not-an-identifier"])
def test_split_source_usage_errors(source):
    with pytest.raises(SourceUsageError):
        split_source(source)


def test_lookup_rule_order():
    s1, s2 = to_sweep({"a": hp.choice("a", [1, 2])}), to_sweep({"b": hp.choice("b", [1, 2])})
    space = {"c": hp.uniform("c", 0, 1)}
    assert pick({"sweep": space, "other": s1}, "f.py") == ("sweep", space)  # the name `sweep` wins
    assert pick({"other": s1, "space": space}, "f.py") == ("other", s1)  # then the only SweepConfig
    assert pick({"space": space, "config": 3}, "f.py") == ("space", space)  # then a space name
    assert pick({"_private": s1, "search_space": space}, "f.py") == ("search_space", space)
    with pytest.raises(SourceError, match=r"2 SweepConfigs \(x, y\).*f.py:NAME"):
        pick({"x": s1, "y": s2}, "f.py")
    with pytest.raises(SourceError, match="defines nothing to convert"):
        pick({"hp": hp, "n": 3}, "f.py")


class _TunerLike:
    """Any object with to_sweep() (what sweepbridge.tune.Tuner offers) is converted through it."""

    def to_sweep(self):
        return {"method": "random", "parameters": {"a": {"values": [1, 2]}}}


def test_tuner_like_objects_are_asked_for_their_sweep(tmp_path):
    tuner = _TunerLike()
    assert pick({"tuner": tuner, "x": 1}, "f.py") == ("tuner", tuner)
    src = tmp_path / "t.py"
    src.write_text(
        "class T:\n    def to_sweep(self):\n"
        "        return {'method': 'random', 'parameters': {'a': {'values': [1, 2]}}}\nt = T()\n"
    )
    assert load_source(str(src)) == {"method": "random", "parameters": {"a": {"values": [1, 2]}}}
    with pytest.raises(SpecError, match="--allow-approximate does not apply here: T.to_sweep"):
        load_source(str(src), allow_approximate=True)


def test_real_tuner_source(tmp_path):
    from sweepbridge import tune

    src = tmp_path / "tuner.py"
    src.write_text(
        "from sweepbridge import tune\n"
        "tuner = tune.Tuner('train.py', param_space={'lr': tune.loguniform(1e-4, 1e-1)},\n"
        "                   tune_config=tune.TuneConfig(metric='loss', mode='min', num_samples=5))\n"
    )
    expected = tune.Tuner(
        "train.py",
        param_space={"lr": tune.loguniform(1e-4, 1e-1)},
        tune_config=tune.TuneConfig(metric="loss", mode="min", num_samples=5),
    ).to_sweep()
    assert load_source(str(src)) == expected


def test_our_tuner_takes_allow_approximate_as_its_refusal_recommends(tmp_path):
    """`convert tuner.py --allow-approximate` reaches sweepbridge's own Tuner (the refusal names the flag)."""
    src = tmp_path / "tuner.py"
    src.write_text(
        "from sweepbridge import tune\n"
        "tuner = tune.Tuner('train.py', param_space={'n': tune.lograndint(1, 10**7)},\n"
        "                   tune_config=tune.TuneConfig(metric='loss', mode='min', num_samples=5))\n"
    )
    with pytest.raises(UnsupportedFeatureError, match="allow_approximate=True"):
        load_source(str(src))
    with pytest.warns(ApproximationWarning, match="total variation"):
        sweep = load_source(str(src), allow_approximate=True)
    assert sweep["parameters"]["n"]["distribution"] == "q_log_uniform_values"
    assert set(sweep.approximations) == {"n"}
    assert load_source(str(src), engine="optuna")["method"] == "custom"  # exact there, without the flag


def test_invalid_plain_config_refused_with_its_problems(tmp_path):
    src = tmp_path / "plain.py"
    src.write_text("sweep = {'method': 'grid', 'parameters': {'x': {'distribution': 'uniform', 'min': 0, 'max': 1}}}\n")
    with pytest.raises(SpecError, match=r"plain.py:sweep is not a valid sweep config: x: method grid"):
        load_source(str(src))


def test_errors_keep_their_type_and_path(tmp_path):
    src = tmp_path / "cond.py"
    src.write_text(
        "from sweepbridge.hyperopt import hp\nspace = {'o': hp.choice('o', [{'lr': hp.uniform('lr', 0, 1)}, 1])}\n"
    )
    with pytest.raises(UnsupportedFeatureError) as info:
        load_source(str(src))
    assert info.value.path == "o"


def test_source_directory_is_importable_while_it_runs(tmp_path):
    (tmp_path / "shared_space.py").write_text(
        "from sweepbridge.hyperopt import hp\nSPACE = {'a': hp.uniform('a', 0, 1)}\n"
    )
    (tmp_path / "main_src.py").write_text("from shared_space import SPACE as space\n")
    assert load_source(str(tmp_path / "main_src.py"))["parameters"]["a"]["distribution"] == "uniform"
