"""How `sweepbridge convert` finds and converts the object in a SOURCE (in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- `load`: the one loader behind convert, check and run -------------------------------------

WANDB_SWEEP = {
    "program": "train.py",
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"distribution": "uniform", "min": 0.0, "max": 1.0}, "k": {"values": [1, 2]}},
}
BETA_DOC = {
    "program": "train.py",
    "tune": {
        "run_or_experiment": "train.py",
        "num_samples": 4,
        "config": {"x": {"tune.uniform": [0, 1]}, "c": {"tune.choice": [["a", "b"]]}},
    },
}
TUNE_SPEC = (
    "program: train.py\nmetric: loss\nmode: min\nparam_space:\n  x: {uniform: [0.0, 1.0]}\n  c: {choice: [a, b]}\n"
)
PYTHON_SPACE = "from sweepbridge import tune\nspace = {'x': tune.uniform(0, 1), 'c': tune.choice(['a', 'b'])}\n"
PYTHON_RUN = (
    "from sweepbridge import tune\n"
    "space = {'x': tune.uniform(0, 1), 'c': tune.choice(['a', 'b'])}\n"
    "sweep = tune.run('train.py', config=space, metric='loss', mode='min')\n"
)
PYTHON_TUNER = (
    "from sweepbridge import tune\n"
    "tuner = tune.Tuner('train.py', param_space={'x': tune.uniform(0, 1), 'c': tune.choice(['a', 'b'])},\n"
    "                   tune_config=tune.TuneConfig(metric='loss', mode='min'))\n"
)
PYTHON_WANDB = f"sweep = {WANDB_SWEEP!r}\n"


def _write_source(tmp_path, form):
    import json

    files = {
        "wandb": ("sweep.yaml", json.dumps(WANDB_SWEEP)),
        "beta": ("beta.json", json.dumps(BETA_DOC)),
        "tune-spec": ("spec.yml", TUNE_SPEC),
        "space": ("space.py", PYTHON_SPACE),
        "sweep": ("run.py", PYTHON_RUN),
        "tuner": ("tuner.py", PYTHON_TUNER),
        "wandb-in-python": ("plain.py", PYTHON_WANDB),
    }
    name, text = files[form]
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


@pytest.mark.parametrize("form", ["wandb", "beta", "tune-spec", "space", "sweep", "tuner", "wandb-in-python"])
def test_load_states_the_form_and_where_paths_are_relative_to(tmp_path, form):
    from sweepbridge.sources import FORMS, load

    source = _write_source(tmp_path, form)
    loaded = load(source)
    assert loaded.form == form.replace("-in-python", "") and loaded.form in FORMS
    assert loaded.base == tmp_path.resolve()
    assert loaded.where.startswith(source) and loaded.sweep.problems() == []
    if form.startswith("wandb"):
        assert dict(loaded.sweep) == WANDB_SWEEP
    else:  # a translation: the translator's own object, which records the space it translated
        assert loaded.sweep.source_space is not None


@pytest.mark.parametrize("form", ["wandb", "beta", "tune-spec", "space", "sweep", "tuner", "wandb-in-python"])
def test_convert_check_and_run_load_the_same_sweep(tmp_path, form):
    from sweepbridge import check
    from sweepbridge.runner import load_sweep

    source = _write_source(tmp_path, form)
    converted = load_source(source)
    ran, base = load_sweep(source)
    checked = check.load(source)
    assert dict(ran) == dict(converted) == dict(checked.sweep)
    assert base == tmp_path.resolve()


def test_objects_load_without_a_file(tmp_path):
    from sweepbridge import tune
    from sweepbridge.sources import load

    space = {"x": tune.uniform(0, 1)}
    by_form = {
        "wandb": WANDB_SWEEP,
        "sweep": to_sweep(space),
        "space": space,
        "tuner": tune.Tuner("train.py", param_space=space),
    }
    for form, obj in by_form.items():
        loaded = load(obj)
        assert (loaded.form, loaded.where, loaded.base) == (form, "", None)
        assert loaded.sweep.problems() == []
    assert dict(load(space).sweep) == dict(to_sweep(space))


def test_a_broken_wandb_sweep_file_is_reported_as_one_by_every_command(tmp_path):
    """A mapping with `method` is a W&B sweep file for all three (convert used to read it as a tune spec)."""
    from sweepbridge import check
    from sweepbridge.runner import load_sweep

    (tmp_path / "bad.yaml").write_text("method: grid\nparameters:\n  x: {min: 1}\n")
    source = str(tmp_path / "bad.yaml")
    for load_it in (load_source, load_sweep, check.load):
        with pytest.raises(SpecError, match=r"bad.yaml is not a valid sweep config: .*x"):
            load_it(source)


def test_load_sweep_returns_a_copy_that_keeps_the_translators_attributes():
    from sweepbridge.runner import load_sweep
    from sweepbridge.sweep_config import SweepConfig

    original = SweepConfig(WANDB_SWEEP)
    original.scheduler_source = "# generated\n"
    config, base = load_sweep(original)
    assert config == original and config is not original and base is None
    assert config.scheduler_source == "# generated\n"
    config["method"] = "grid"
    assert original["method"] == "random"


@pytest.mark.parametrize(
    "source, options, words",
    [
        ("sweep.yaml", {"space_options": {"metric": "loss"}}, "--metric apply only to a bare space"),
        ("sweep.yaml", {"engine": "optuna"}, "--engine optuna: .*sweep.yaml is a finished sweep config"),
        ("spec.yml", {"engine": "optuna"}, "--engine optuna applies to Python sources"),
        ("spec.yml", {"space_options": {"method": "grid"}}, "apply only to a bare space; a tune spec sets them"),
        ("space.py", {"allow_approximate": True}, "--allow-approximate does not apply to a bare space"),
        ("space.py:nothing", {}, r"defines no 'nothing' \(it defines: tune, space\)"),
        ("missing.yaml", {}, "cannot read .*missing.yaml: no such file"),
        ("missing.py", {}, "cannot read .*missing.py: no such file"),
    ],
)
def test_options_that_do_not_apply_are_refused_by_name(tmp_path, source, options, words):
    from sweepbridge.sources import load

    for form in ("wandb", "tune-spec", "space"):
        _write_source(tmp_path, form)
    with pytest.raises(SourceError, match=words):
        load(str(tmp_path / source), **options)


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".py"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_any_file_content_loads_or_fails_with_a_sweepbridge_error(tmp_path, suffix, text):
    from sweepbridge.errors import SweepBridgeError
    from sweepbridge.sources import load

    path = tmp_path / f"src{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        loaded = load(str(path))
    except SweepBridgeError as exc:
        assert str(exc).strip()
    else:
        assert loaded.sweep.problems() == []


class _FailingTuner:
    def to_sweep(self):
        raise RuntimeError("boom")


class _WrongTuner:
    def to_sweep(self):
        return 3


@pytest.mark.parametrize(
    "obj, words",
    [
        (42, "top level is a constant"),
        (b"x", "bytes value b'x' is neither"),
        (_FailingTuner(), r"_FailingTuner.to_sweep\(\) failed: RuntimeError: boom"),
        (_WrongTuner(), r"_WrongTuner.to_sweep\(\) returned int, not a sweep config"),
        ({"method": "grid", "parameters": 3}, "^not a valid sweep config: parameters: 3 is not of type 'object'"),
        (Path("notes.txt"), "SOURCE must be a Python file"),
    ],
)
def test_bad_objects_are_sweepbridge_errors(obj, words):
    from sweepbridge.errors import SweepBridgeError
    from sweepbridge.sources import load

    with pytest.raises(SweepBridgeError, match=words):
        load(obj)


@pytest.mark.parametrize(
    "text, form",
    [
        ("method: random\nparameters: {a: {values: [1]}}\n", "wandb"),
        ("parameters: {a: {values: [1]}}\n", "wandb"),  # method missing: reported as a broken sweep file
        ("job: me/train:latest\nscheduler: {job: me/optuna:latest}\nrun_cap: 5\n", "wandb"),  # a launch sweep
        ("program: t.py\nnum_samples: 2\nparam_spce: {}\n", "tune-spec"),  # a tune-spec-only key
        ("program: t.py\ntune: {run_or_experiment: t.py}\n", "beta"),
    ],
)
def test_which_form_a_yaml_file_is_read_as(tmp_path, text, form):
    from sweepbridge import tune_beta
    from sweepbridge.sources import is_wandb_file

    data = yaml.safe_load(text)
    assert is_wandb_file(data) == (form == "wandb")
    assert tune_beta.is_beta(data) == (form == "beta")
