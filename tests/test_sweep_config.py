"""SweepConfig: plain-typed dict, validated atomic save, exact YAML/JSON I/O, safe loading, wandb.sweep."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from sweepbridge import SpecError, SweepBridgeError, SweepConfig, to_sweep
from sweepbridge.hyperopt import hp
from sweepbridge.sweep_config import KEY_ORDER


def seed_config() -> SweepConfig:
    space = dict(
        width=hp.uniform("width", 0, 20),
        height=hp.uniform("height", -100, 100),
        activation=hp.choice("activation", ["relu", "tanh"]),
        model={"lr": hp.loguniform("lr", -9, -2), "tag": "008"},
    )
    return to_sweep(space, method="bayes", metric="mean_loss", program="train.py", run_cap=10, name="seed")


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- construction and plain values -------------------------------------------------------------


def test_is_a_plain_dict_with_tuples_as_lists():
    cfg = SweepConfig(method="random", parameters={"x": {"values": [(1, 2), 3]}})
    assert isinstance(cfg, dict) and isinstance(cfg, SweepConfig)
    assert cfg["parameters"]["x"]["values"] == [[1, 2], 3]
    assert json.loads(json.dumps(cfg)) == cfg


@pytest.mark.parametrize(
    "bad",
    [object(), {1, 2}, b"bytes", 1 + 2j, {1: "int key"}, Path("x")],
    ids=["object", "set", "bytes", "complex", "int_key", "path"],
)
def test_non_plain_values_are_refused(bad):
    with pytest.raises(SpecError) as info:
        SweepConfig({"method": "random", "parameters": {"x": {"value": bad}}})
    assert "parameters.x.value" in str(info.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_numbers_are_refused(bad):
    with pytest.raises(SweepBridgeError, match="parameters.x.value"):
        SweepConfig({"method": "random", "parameters": {"x": {"value": bad}}})


# --- text forms -----------------------------------------------------------------------------------


def test_str_is_the_yaml():
    cfg = seed_config()
    assert str(cfg) == cfg.to_yaml()
    assert yaml.safe_load(str(cfg)) == cfg


def test_key_order_is_stable_whatever_the_insertion_order():
    cfg = SweepConfig(
        parameters={"x": {"value": 1}},
        description="d",
        early_terminate={"type": "hyperband", "min_iter": 3},
        run_cap=5,
        metric={"name": "m"},
        method="random",
        name="n",
        program="p.py",
        project="proj",
    )
    expected = [*(k for k in KEY_ORDER if k != "metrics"), "description", "project"]  # metrics: a custom sweep's
    assert list(cfg) == expected
    assert list(yaml.safe_load(cfg.to_yaml())) == expected
    assert list(json.loads(cfg.to_json())) == expected
    # Keys added after construction still come out in the stable order.
    cfg2 = SweepConfig(parameters={"x": {"value": 1}})
    cfg2["program"] = "train.py"
    cfg2["method"] = "grid"
    assert list(yaml.safe_load(cfg2.to_yaml())) == ["program", "method", "parameters"]


def test_yaml_and_json_round_trip_exactly():
    values = [1e-05, 0.1, 1e16, -0.0, 2**70, -(2**63), "yes", "no", "null", "008", "1e3", "", "~", ".inf", "é✓"]
    cfg = SweepConfig(method="random", parameters={"x": {"values": values}})
    for text in (cfg.to_yaml(), cfg.to_json(), cfg.to_json(indent=None)):
        back = SweepConfig.from_text(text)
        assert back == cfg
        assert json.dumps(back) == json.dumps(cfg)  # same types and signs (-0.0), same order


def test_json_text_keeps_its_numbers():
    """JSON like 1e-05 is read as JSON (PyYAML's YAML 1.1 reader would make it the string '1e-05')."""
    back = SweepConfig.from_text('{"method": "random", "parameters": {"x": {"values": [1e-05, 1e+16, 5e-324]}}}')
    assert back["parameters"]["x"]["values"] == [1e-05, 1e16, 5e-324]
    assert all(type(v) is float for v in back["parameters"]["x"]["values"])


# --- safe loading ---------------------------------------------------------------------------------


def test_python_tags_are_refused_not_executed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("still here")
    text = f"method: random\nparameters:\n  x: !!python/object/apply:os.remove ['{victim}']\n"
    with pytest.raises(SpecError, match="not valid YAML"):
        SweepConfig.from_text(text)
    path = tmp_path / "evil.yaml"
    path.write_text(text)
    with pytest.raises(SpecError):
        SweepConfig.load(path)
    assert victim.read_text() == "still here"


@pytest.mark.parametrize(
    "text", ["- a list\n- of items\n", "just a string", "", "{unclosed", "method: [", "42"], ids=repr
)
def test_non_mapping_or_broken_text_is_a_spec_error(text):
    with pytest.raises(SpecError):
        SweepConfig.from_text(text)


def test_load_missing_file_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="cannot read"):
        SweepConfig.load(tmp_path / "nope.yaml")


# --- save -----------------------------------------------------------------------------------------


def test_save_writes_yaml_that_loads_back(tmp_path):
    cfg = seed_config()
    path = cfg.save(tmp_path / "sweep.yaml")
    assert path.read_text(encoding="utf-8") == cfg.to_yaml()
    assert SweepConfig.load(path) == cfg
    assert listing(tmp_path) == ["sweep.yaml"]


def test_save_json_by_suffix_or_format(tmp_path):
    cfg = seed_config()
    by_suffix = cfg.save(tmp_path / "sweep.json")
    assert json.loads(by_suffix.read_text()) == cfg
    by_format = cfg.save(tmp_path / "sweep.txt", format="json")
    assert json.loads(by_format.read_text()) == cfg
    assert SweepConfig.load(by_suffix) == cfg
    with pytest.raises(SpecError, match="format"):
        cfg.save(tmp_path / "sweep.toml", format="toml")
    assert listing(tmp_path) == ["sweep.json", "sweep.txt"]


MUTATIONS = {
    "bad_method": lambda c: c.__setitem__("method", "bogus"),
    "nested_min_ge_max": lambda c: c["parameters"]["model"]["parameters"]["lr"].__setitem__("min", 10.0),
    "deprecated_kind": lambda c: c["parameters"]["width"].__setitem__("distribution", "log_uniform"),
    "bayes_without_metric": lambda c: c.pop("metric"),
    "probabilities_under_bayes": lambda c: c["parameters"]["activation"].__setitem__("probabilities", [0.5, 0.5]),
    "object_value": lambda c: c["parameters"].__setitem__("junk", {"value": object()}),
    "nan_value": lambda c: c["parameters"].__setitem__("junk", {"value": float("nan")}),
    "bad_name": lambda c: c["parameters"].__setitem__("1bad", {"value": 1}),
    "unknown_top_level_key": lambda c: c.__setitem__("bogus", 1),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_save_validates_the_current_content_and_leaves_the_file_alone(tmp_path, mutation):
    path = tmp_path / "sweep.yaml"
    path.write_text("previous content\n")
    cfg = seed_config()
    MUTATIONS[mutation](cfg)
    assert cfg.problems()
    with pytest.raises(SpecError, match="not saving an invalid sweep config"):
        cfg.save(path)
    assert path.read_text() == "previous content\n"
    assert listing(tmp_path) == ["sweep.yaml"]


def test_a_failed_write_leaves_no_partial_or_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "sweep.yaml"
    path.write_text("previous content\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(SpecError, match="No space left"):
        seed_config().save(path)
    assert path.read_text() == "previous content\n"
    assert listing(tmp_path) == ["sweep.yaml"]


def test_save_into_a_missing_folder_or_onto_a_folder_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="cannot write"):
        seed_config().save(tmp_path / "missing" / "sweep.yaml")
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(SpecError, match="cannot write"):
        seed_config().save(tmp_path / "dir.yaml")
    assert listing(tmp_path) == ["dir.yaml"]


def test_save_replaces_an_existing_file_whole(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text("x" * 100_000)
    seed_config().save(path)
    assert SweepConfig.load(path) == seed_config()


def test_save_leaves_the_mode_a_plain_write_would(tmp_path):
    """A new file gets 0666 less the umask (not the temp file's 0600); a replaced one keeps its own."""
    old = os.umask(0o027)
    try:
        seed_config().save(tmp_path / "new.yaml")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o640
    kept = tmp_path / "kept.yaml"
    kept.write_text("x")
    kept.chmod(0o604)
    seed_config().save(kept)
    assert kept.stat().st_mode & 0o777 == 0o604


def test_the_translations_extras_are_declared_and_survive_copying():
    import copy
    import pickle

    from sweepbridge import tune

    custom = to_sweep({"x": hp.uniform("x", 0, 1)}, engine="optuna", metric="loss")
    approx = tune.run("t.py", config={"n": tune.lograndint(1, 10**7)}, allow_approximate=True)
    for cfg in (custom, approx, seed_config()):
        for again in (
            cfg.copy(),
            copy.copy(cfg),
            copy.deepcopy(cfg),
            pickle.loads(pickle.dumps(cfg)),
            SweepConfig(cfg),
        ):
            assert type(again) is SweepConfig and again == cfg
            assert again.scheduler_source == cfg.scheduler_source
            assert again.approximations == cfg.approximations and again.warnings == cfg.warnings
            assert (again.source_space is None) == (cfg.source_space is None)
        assert type(dict(cfg)) is dict and "scheduler_source" not in dict(cfg)  # the plain config alone
    assert custom.scheduler_source and set(approx.approximations) == {"n"} and approx.warnings
    assert seed_config().source_space is not None and seed_config().warnings == ()
    plain = SweepConfig({"method": "random", "parameters": {"a": {"value": 1}}})
    assert plain.scheduler_source is None and plain.source_space is None and plain.approximations == {}
