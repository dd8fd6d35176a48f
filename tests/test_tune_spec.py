"""Tune spec files: schema, Ray-exact naming, and translation through sweepbridge.tune."""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepbridge import SpecError, schemas, tune_spec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tune_spec.yaml"
SPEC_WORDS = [
    "program",
    "param_space",
    "metric",
    "mode",
    "num_samples",
    "search_alg",
    "scheduler",
    "lr",
    "m",
    *tune_spec.DOMAINS,
    "lower",
    "upper",
    "q",
    "categories",
    "asha",
    "hyperopt",
]


def write(tmp_path: Path, spec) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(spec if isinstance(spec, str) else yaml.safe_dump(spec, sort_keys=False))
    return path


# --- the tables and the schema agree with each other and with Ray -------------------------------


def test_schema_is_valid_and_lists_exactly_the_tables():
    import jsonschema

    schema = schemas.load(tune_spec.SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["$defs"]["domain"]["properties"]) == set(tune_spec.DOMAINS)
    assert schema["$defs"]["node"]["if"]["propertyNames"]["enum"] == list(tune_spec.DOMAINS)
    assert schema["properties"]["search_alg"]["then"]["enum"] == list(tune_spec.search_algs())
    assert schema["properties"]["scheduler"]["then"]["enum"] == list(tune_spec.schedulers())
    run_keys = set(tune_spec.RUN_KEYWORDS) | {"program", "param_space", "search_alg", "scheduler", "$schema"}
    assert set(schema["properties"]) == run_keys


def test_domain_names_and_parameters_are_ray_tunes():
    ray_tune = pytest.importorskip("ray.tune")
    for name, params in tune_spec.DOMAINS.items():
        assert tuple(inspect.signature(getattr(ray_tune, name)).parameters) == params, name
    schema = schemas.load(tune_spec.SCHEMA)["$defs"]["domain"]["properties"]
    for name, params in tune_spec.DOMAINS.items():
        if name in tune_spec.LIST_IS_THE_ARGUMENT:
            continue
        sig = inspect.signature(getattr(ray_tune, name)).parameters
        required = [p for p in params if sig[p].default is inspect.Parameter.empty]
        assert schema[name]["else"]["required"] == required, name
        assert schema[name]["then"]["minItems"] == len(required) and schema[name]["then"]["maxItems"] == len(params)


def test_search_alg_and_scheduler_names_are_rays_registry_names():
    search = pytest.importorskip("ray.tune.search")
    from ray.tune import schedulers

    assert set(tune_spec.search_algs()) - set(search.SEARCH_ALG_IMPORT) == {"skopt"}  # removed from Ray 2.x
    assert set(tune_spec.schedulers()) - set(schedulers.SCHEDULER_IMPORT) == {"asha"}  # Ray's ASHAScheduler alias


# --- the spec describes Ray's own calls (checked against the real ray.tune) ----------------------


def test_spec_builds_the_same_ray_domains():
    ray_tune = pytest.importorskip("ray.tune")
    from ray.tune.search import sample

    spec = tune_spec.load(EXAMPLE)
    built = tune_spec.space(spec["param_space"], ray_tune)
    lr, layers, width = built["lr"], built["model"]["layers"], built["model"]["width"]
    assert isinstance(lr.get_sampler(), sample.LogUniform) and (lr.lower, lr.upper) == (1e-4, 1e-1)
    assert isinstance(layers, sample.Integer) and (layers.lower, layers.upper) == (1, 5)
    assert {layers.sample() for _ in range(400)} == {1, 2, 3, 4}  # upper bound excluded, as in Ray
    assert {width.sample() for _ in range(2000)} == set(range(16, 257, 16))
    assert built["batch_size"].categories == [32, 64, 128] and built["seed"] == 42


@pytest.mark.parametrize(
    "node, check",
    [
        ({"randint": {"lower": 1, "upper": 5}}, lambda d: (d.lower, d.upper) == (1, 5)),
        ({"choice": {"categories": ["a", "b"]}}, lambda d: d.categories == ["a", "b"]),
        ({"grid_search": [1, 2]}, lambda d: d == {"grid_search": [1, 2]}),
        ({"randn": []}, lambda d: (d.sampler.mean, d.sampler.sd) == (0.0, 1.0)),
        ({"loguniform": [1, 100, 10]}, lambda d: (d.lower, d.upper) == (1, 100)),
        ([{"choice": [1, 2]}, 3], lambda d: d[0].categories == [1, 2] and d[1] == 3),
        ({"choice": [{"uniform": [0, 1]}]}, lambda d: d.categories == [{"uniform": [0, 1]}]),  # literal escape
        ({"a": {"uniform": [0, 1]}, "b": 2}, lambda d: d["a"].lower == 0 and d["b"] == 2),
    ],
)
def test_argument_forms(node, check):
    ray_tune = pytest.importorskip("ray.tune")
    assert check(tune_spec.space(node, ray_tune))


# --- schema errors name the path --------------------------------------------------------------


@pytest.mark.parametrize(
    "param_space, where, what",
    [
        ({"lr": {"loguniform": ["1e-4", 0.1]}}, "param_space.lr.loguniform[0]", "write 1.0e-4 or 0.0001"),
        ({"m": {"n": {"randint": [1, 2.5]}}}, "param_space.m.n.randint[1]", "2.5 is not of type 'integer'"),
        ({"a": {"uniform": {"lower": 0}}}, "param_space.a.uniform", "'upper' is a required property"),
        ({"a": {"uniform": [0, 1, 2]}}, "param_space.a.uniform", "is too long"),
        ({"a": {"choice": []}}, "param_space.a.choice", "should be non-empty"),
        ({"a": [{"quniform": [0, 1]}]}, "param_space.a[0].quniform", "is too short"),
    ],
)
def test_schema_errors_name_the_path(tmp_path, param_space, where, what):
    path = write(tmp_path, {"program": "train.py", "param_space": param_space})
    with pytest.raises(SpecError) as info:
        tune_spec.load(path)
    assert f"{path}: {where}: " in str(info.value) and what in str(info.value)


@pytest.mark.parametrize(
    "spec, what",
    [
        ({"param_space": {"a": 1}}, "'program' is a required property"),
        ({"program": "t.py", "param_space": {"a": 1}, "mode": "minimize"}, "mode: 'minimize' is not one of"),
        ({"program": "t.py", "param_space": {"a": 1}, "search_alg": "tpe"}, "search_alg: 'tpe' is not one of"),
        ({"program": "t.py", "param_space": {"a": 1}, "scheduler": {"asha": 3}}, "scheduler.asha: 3 is not of type"),
        ({"program": "t.py", "param_space": {"a": 1}, "trials": 3}, "unexpected key `trials`"),
        ("- just\n- a list\n", "a tune spec is a mapping"),
        ("program: [unclosed\n", "not valid YAML/JSON"),
    ],
)
def test_malformed_specs(tmp_path, spec, what):
    with pytest.raises(SpecError, match=None) as info:
        tune_spec.load(write(tmp_path, spec))
    assert what in str(info.value)


def test_the_example_is_schema_valid():
    spec = tune_spec.load(EXAMPLE)
    assert spec["param_space"]["model"]["layers"] == {"randint": [1, 5]}


# --- translation through sweepbridge.tune (runs once the Ray Tune front-end is merged) -----------


def test_example_converts_through_tune_run():
    from sweepbridge import tune

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the example has nothing approximate in it
        sweep = tune_spec.convert(EXAMPLE)
    expected = tune.run(
        "train.py",
        name="tune-spec-example",
        metric="mean_loss",
        mode="min",
        num_samples=20,
        config={
            "lr": tune.loguniform(1e-4, 1e-1),
            "momentum": tune.uniform(0.1, 0.9),
            "batch_size": tune.choice([32, 64, 128]),
            "model": {
                "layers": tune.randint(1, 5),
                "width": tune.qrandint(16, 256, 16),
                "activation": tune.choice(["relu", "tanh"]),
            },
            "seed": 42,
        },
    )
    assert sweep == expected
    assert sweep["program"] == "train.py" and sweep["method"] == "random" and sweep["run_cap"] == 20
    assert sweep["metric"] == {"name": "mean_loss", "goal": "minimize"}
    assert sweep["parameters"]["model"]["parameters"]["layers"] == {"distribution": "int_uniform", "min": 1, "max": 4}


def test_spec_equals_real_ray_objects_through_tune_run():
    from sweepbridge import tune

    ray_tune = pytest.importorskip("ray.tune")
    spec = tune_spec.load(EXAMPLE)
    run, args, kwargs = tune_spec.to_call(spec)
    with_ray = {**kwargs, "config": tune_spec.space(spec["param_space"], ray_tune)}
    assert run is tune.run
    assert run(*args, **kwargs) == tune.run(*args, **with_ray)


def test_grid_spec_and_scheduler(tmp_path):
    from sweepbridge import ApproximationWarning

    path = write(
        tmp_path,
        {
            "program": "train.py",
            "metric": "loss",
            "mode": "max",
            "param_space": {"a": {"grid_search": [1, 2, 3]}, "b": {"grid_search": ["x", "y"]}},
            "scheduler": {"asha": {"time_attr": "training_iteration", "grace_period": 2, "reduction_factor": 3}},
        },
    )
    with pytest.warns(ApproximationWarning):
        sweep = tune_spec.convert(path)
    assert sweep["method"] == "grid" and sweep["metric"] == {"name": "loss", "goal": "maximize"}
    assert sweep["parameters"]["a"] == {"values": [1, 2, 3]}
    assert sweep["early_terminate"]["type"] == "hyperband"


def test_unknown_class_keywords_are_spec_errors(tmp_path):
    path = write(
        tmp_path,
        {
            "program": "t.py",
            "metric": "m",
            "mode": "min",
            "param_space": {"a": {"uniform": [0, 1]}},
            "scheduler": {"asha": {"no_such_option": 1}},
        },
    )
    with pytest.raises(SpecError, match="scheduler: asha: .*no_such_option"):
        tune_spec.convert(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 300) | st.floats(-1e3, 1e3) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(SPEC_WORDS), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(spec=st.dictionaries(st.sampled_from(SPEC_WORDS), json_values, max_size=6))
def test_arbitrary_data_is_a_valid_spec_or_a_spec_error(tmp_path_factory, spec):
    path = tmp_path_factory.mktemp("h") / "spec.json"
    path.write_text(json.dumps(spec))
    try:
        loaded = tune_spec.load(path)
    except SpecError as exc:
        assert str(path) in str(exc)
        return
    ray_tune = pytest.importorskip("ray.tune")
    try:
        tune_spec.space(loaded["param_space"], ray_tune)  # Ray's own checks become SpecErrors
    except SpecError as exc:
        assert "param_space" in str(exc)


def test_json_spec_reads_numbers_as_json(tmp_path):
    # Found in review: read as YAML 1.1, JSON's 1e-05 became the string '1e-05' and was refused.
    path = tmp_path / "spec.json"
    path.write_text('{"program": "train.py", "param_space": {"lr": {"loguniform": [1e-05, 0.1]}}}')
    assert tune_spec.convert(path)["parameters"]["lr"]["min"] == 1e-05


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join(" " * i + "- \n" for i in range(3000))])
def test_deeply_nested_spec_is_a_spec_error(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with pytest.raises(SpecError):
        tune_spec.load(path)


# --- typos are errors, never constants ---------------------------------------------------------


def test_a_misspelled_domain_is_refused_with_the_nearest_name(tmp_path):
    path = write(tmp_path, {"program": "t.py", "param_space": {"model": {"act": {"choise": ["relu", "tanh"]}}}})
    with pytest.raises(SpecError) as info:
        tune_spec.convert(path)
    first = str(info.value).splitlines()[0]
    assert first.startswith(f"{path}: param_space.model.act: unknown domain `choise`; did you mean `choice`?")
    ray_tune = pytest.importorskip("ray.tune")
    with pytest.raises(SpecError, match=r"^param_space.act: unknown domain `Uniform`; did you mean `uniform`\?"):
        tune_spec.space({"act": {"Uniform": [0, 1]}}, ray_tune)  # data that never went through load


@pytest.mark.parametrize(
    "node",
    [
        {"random": 3},  # a name near no domain
        {"optimizer": {"adam": {"lr": 0.1}}},
        {"choice": [{"choise": 1}]},  # the literal escape: a choice's categories are values
        {"a": 1, "choise": [1, 2]},  # two keys: a mapping, never a domain
    ],
)
def test_mappings_near_no_domain_stay_values(node):
    assert tune_spec.problems({"program": "t.py", "param_space": {"x": node}}) == []


@pytest.mark.parametrize(
    ("spec", "first"),
    [
        ({"num_sample": 3}, "(top level): unknown key `num_sample`; did you mean `num_samples`?"),
        ({"search_alg": "hyperop"}, "search_alg: 'hyperop' is not one of"),
        ({"param_space": {"m": {"randint": {"lower": 1, "uper": 4}}}}, "param_space.m.randint: unknown key `uper`;"),
    ],
)
def test_misspelled_keys_and_names_come_first_with_the_nearest(tmp_path, spec, first):
    found = tune_spec.problems({"program": "t.py", "param_space": {"a": 1}, **spec})
    assert found[0].startswith(first) and "did you mean `" in found[0], found
    with pytest.raises(SpecError) as info:
        tune_spec.load(write(tmp_path, {"program": "t.py", "param_space": {"a": 1}, **spec}))
    assert first in str(info.value).splitlines()[0]
