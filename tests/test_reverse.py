"""Reverse translation: W&B's engine vs the hyperopt / Ray Tune spaces we produce (fidelity),
refusals, run settings, rendered source and the missing-extra error."""

from __future__ import annotations

import copy
import json
import math
import sys
import warnings
from collections import Counter

import pytest
from engine import sample, to_plain

from sweepbridge import ApproximationWarning, SpecError, UnsupportedFeatureError, render_python, to_hyperopt, to_tune
from sweepbridge.check import hyperopt_samples
from sweepbridge.frontends.structure import parse_space

np = pytest.importorskip("numpy")
stats = pytest.importorskip("scipy.stats")

N = 20_000
N_DISCRETE = 5_000
COMMON = {
    "values": {"values": ["a", 2, 2.5, None, [1, 2], {"k": [1]}]},
    "probs": {"values": [1, 2, 3], "probabilities": [0.2, 0.3, 0.5]},
    "int_uniform": {"distribution": "int_uniform", "min": -3, "max": 4},
    "uniform": {"distribution": "uniform", "min": -1.5, "max": 2.0},
    "q_uniform": {"distribution": "q_uniform", "min": 0.0, "max": 3.0, "q": 0.5},
    "q_uniform_odd": {"distribution": "q_uniform", "min": 0.1, "max": 1.0, "q": 0.25},
    "q_uniform_int": {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2},
    "q_uniform_int1": {"distribution": "q_uniform", "min": 0, "max": 10, "q": 1},
    "log_uniform_values": {"distribution": "log_uniform_values", "min": 1e-3, "max": 10},
    "q_log_uniform_values": {"distribution": "q_log_uniform_values", "min": 1.0, "max": 100.0, "q": 1.0},
    "inv_log_uniform_values": {"distribution": "inv_log_uniform_values", "min": 0.01, "max": 1},
    "normal": {"distribution": "normal", "mu": 1, "sigma": 2},
    "q_normal": {"distribution": "q_normal", "sigma": 3, "q": 0.5},
    "log_uniform": {"distribution": "log_uniform", "min": -3, "max": 0},
    "inv_log_uniform": {"distribution": "inv_log_uniform", "min": 0, "max": 2},
    "nested": {"parameters": {"w": {"min": 0, "max": 3}, "u": {"min": 0.5, "max": 2}}},
    "const": {"value": [1, {"a": [2]}]},
}
HYPEROPT_ONLY = {
    "q_log_uniform_values_int": {"distribution": "q_log_uniform_values", "min": 1, "max": 100, "q": 5},
    "q_normal_int": {"distribution": "q_normal", "sigma": 3, "q": 2},
    "log_normal": {"distribution": "log_normal", "sigma": 0.5},
    "q_log_normal": {"distribution": "q_log_normal", "mu": 1, "sigma": 0.5, "q": 0.1},
    "q_log_normal_int": {"distribution": "q_log_normal", "mu": 2, "sigma": 0.5, "q": 1},
    "q_log_uniform": {"distribution": "q_log_uniform", "min": 0, "max": 4, "q": 1.0},
}
CONTINUOUS = {"uniform", "log_uniform_values", "inv_log_uniform_values", "normal", "log_uniform", "inv_log_uniform"}
CONTINUOUS |= {"nested.u", "log_normal"}
FINITE = {"values", "probs", "int_uniform", "q_uniform", "q_uniform_odd", "q_uniform_int", "q_uniform_int1"}
FINITE |= {"nested.w", "const"}


def sweep(params: dict, method: str = "random", **more) -> dict:
    return {"method": method, "metric": {"name": "loss", "goal": "minimize"}, "parameters": params, **more}


def flat(config: dict) -> dict:
    out = {k: v for k, v in config.items() if k != "nested"}
    out.update({f"nested.{k}": v for k, v in config["nested"].items()})
    return out


def unwrap(value):
    """Numpy scalars → Python scalars; containers kept exactly (a tuple stays a tuple)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def key(value) -> str:
    """A type-sensitive key: 1, 1.0 and [1] differ; a tuple is not a list."""
    return repr(value) if isinstance(value, tuple) else json.dumps(value, sort_keys=True)


def assert_same_law(name: str, ours: list, engine: list) -> None:
    assert {type(v) for v in ours} == {type(v) for v in engine}, name
    if name in CONTINUOUS:
        assert stats.ks_2samp(ours, engine).pvalue > 0.001, name
        return
    a, b = Counter(key(v) for v in ours), Counter(key(v) for v in engine)
    cats = sorted(set(a) | set(b))
    counts = np.array([[a[c] for c in cats], [b[c] for c in cats]])
    if name in FINITE:
        assert set(a) == set(b), name
    else:  # unbounded lattice: merge rare values into one bin
        rare = counts.sum(axis=0) < 40
        if rare.any():
            counts = np.column_stack([counts[:, ~rare], counts[:, rare].sum(axis=1)])
    if counts.shape[1] > 1:
        assert stats.chi2_contingency(counts).pvalue > 0.001, name


def groups(params: dict) -> list[tuple[dict, int]]:
    """Continuous kinds get N draws; discrete ones N_DISCRETE (W&B's scalar engine is slow)."""
    slow = {k: v for k, v in params.items() if k in CONTINUOUS or k == "nested"}
    return [(slow, N), ({k: v for k, v in params.items() if k not in slow}, N_DISCRETE)]


def columns(configs: list[dict]) -> dict[str, list]:
    flat_configs = [flat(c) if "nested" in c else c for c in configs]
    return {name: [unwrap(c[name]) for c in flat_configs] for name in flat_configs[0]}


@pytest.fixture(scope="session")  # session: built once, even when the worker runs other modules' tests between
def engine_draws() -> dict[str, list]:
    out: dict[str, list] = {}
    for params, n in groups({**COMMON, **HYPEROPT_ONLY}):
        out.update(columns(sample(sweep(params), n, seed=0)))
    return out


@pytest.mark.slow
@pytest.mark.xdist_group("reverse_engine_draws")
def test_hyperopt_space_samples_like_wandbs_engine(engine_draws):
    rng = np.random.default_rng(1)
    for params, n in groups({**COMMON, **HYPEROPT_ONLY}):
        space = to_hyperopt(sweep(params))
        for name, draws in columns(hyperopt_samples(space, n, rng)).items():
            assert_same_law(name, draws, engine_draws[name])


def _ray_draws(domain_or_value, n: int) -> list:
    from ray.tune.search.sample import Domain

    if isinstance(domain_or_value, Domain):
        return [unwrap(domain_or_value.sample()) for _ in range(n)]
    return [copy.deepcopy(domain_or_value)] * n


@pytest.mark.slow
@pytest.mark.xdist_group("reverse_engine_draws")
def test_tune_space_samples_like_wandbs_engine(engine_draws):
    np.random.seed(2)
    spec = to_tune(sweep(COMMON))
    space = dict(spec.param_space)
    nested = space.pop("nested")
    space.update({f"nested.{k}": v for k, v in nested.items()})
    for name, domain in space.items():
        n = N if name in CONTINUOUS else N_DISCRETE
        assert_same_law(name, _ray_draws(domain, n), engine_draws[name])


SAMPLE_FROM = {
    **HYPEROPT_ONLY,
    "beta": {"distribution": "beta", "a": 2, "b": 3},
    "q_beta": {"distribution": "q_beta", "a": 2, "b": 3, "q": 0.1},
    "q_beta_int": {"distribution": "q_beta", "a": 0.5, "b": 0.5, "q": 1},
    "weighted": {"values": [1, "a", None], "probabilities": [1 / math.pi, 0.5, 0.5 - 1 / math.pi]},
    "q_uniform_irrational": {"distribution": "q_uniform", "min": 0, "max": 3141.59, "q": 1000},
    "q_uniform_signed_zero": {"distribution": "q_uniform", "min": -1.3, "max": 0.9, "q": 0.4},
}
"""W&B kinds no Tune domain samples: each becomes tune.sample_from (int q kinds, log-normal, beta,
weights that are not multiples of 1/N, q_uniform pmfs that are not)."""
SAMPLE_FROM_CONTINUOUS = {"log_normal", "beta"}


@pytest.mark.slow
def test_tune_sample_from_samples_like_wandbs_engine():
    """Ray's own variant generator (generate_variants, what BasicVariantGenerator runs) calls our
    tune.sample_from functions: 20,000 draws each, against W&B's engine on the same sweep."""
    from fidelity import compare
    from ray.tune.search.sample import Function
    from ray.tune.search.variant_generator import generate_variants

    cfg = sweep(SAMPLE_FROM)
    space = to_tune(cfg).param_space
    assert all(isinstance(space[name], Function) for name in SAMPLE_FROM if name != "q_uniform_signed_zero")
    rng = np.random.RandomState(3)
    ray = [next(generate_variants(space, random_state=rng))[1] for _ in range(N)]
    engine = sample(cfg, N, seed=4)
    for name in SAMPLE_FROM:
        kind = "continuous" if name in SAMPLE_FROM_CONTINUOUS else "discrete"
        p = compare([r[name] for r in ray], [e[name] for e in engine], kind)
        print(f"{name}: p={p:.3g}")
    assert {key(r["q_uniform_signed_zero"]) for r in ray} >= {"-0.0", "0.0"}  # numpy's sign of zero, as W&B


@pytest.mark.parametrize("kind", ["beta", "q_beta"])
def test_beta_is_refused_by_hyperopt(kind):
    cfg = sweep({"b": {"distribution": kind, "a": 2, "b": 3}})
    with pytest.raises(UnsupportedFeatureError, match="hyperopt") as info:
        to_hyperopt(cfg)
    assert info.value.path == "b" and info.value.feature == "reverse.hyperopt.beta"


def test_sample_from_renders_and_builds_the_same_function():
    cfg = sweep({"b": SAMPLE_FROM["q_beta_int"], "w": SAMPLE_FROM["weighted"]})
    source = render_python(cfg, "tune")
    assert "tune.sample_from(lambda: round(random.betavariate(0.5, 0.5) / 1) * 1)" in source
    assert "import random" in source
    scope: dict = {}
    exec(source, scope)  # noqa: S102 - the point: users paste this source
    assert scope["param_space"]["w"].func() in (1, "a", None)


def test_grid_becomes_ray_grid_search_with_the_engines_runs():
    import sweeps
    from engine import unwrap_run
    from ray.tune.search.variant_generator import generate_variants

    cfg = sweep(
        {"a": {"values": [1, 2]}, "n": {"parameters": {"b": {"min": 0, "max": 2}}}, "c": {"value": "x"}}, "grid"
    )
    runs = []
    while (run := sweeps.next_run(copy.deepcopy(cfg), runs)) is not None:
        run.state = sweeps.RunState.finished
        runs.append(run)
    wandb_configs = sorted(json.dumps(unwrap_run(r.config), sort_keys=True) for r in runs)
    spec = to_tune(cfg)
    assert spec.num_samples == 1 and spec.search_alg is None
    ray_configs = sorted(json.dumps(to_plain(c), sort_keys=True) for _, c in generate_variants(spec.param_space))
    assert ray_configs == wandb_configs
    with pytest.raises(UnsupportedFeatureError, match="grid") as info:
        to_hyperopt(cfg)
    assert info.value.feature == "reverse.hyperopt.grid"
    with pytest.warns(ApproximationWarning, match="run_cap 2 < 6"):
        to_tune({**cfg, "run_cap": 2})


def test_run_settings():
    spec = to_tune(sweep({"x": {"min": 0, "max": 3}}, run_cap=7, metric={"name": "acc", "goal": "maximize"}))
    assert (spec.metric, spec.mode, spec.num_samples, spec.scheduler) == ("acc", "max", 7, None)
    config = spec.tune_config()
    assert (config.metric, config.mode, config.num_samples) == ("acc", "max", 7)
    assert to_tune({"method": "random", "parameters": {"x": {"value": 1}}}).num_samples == -1


def test_hyperband_becomes_asha_with_a_warning():
    from ray.tune.schedulers import AsyncHyperBandScheduler

    cfg = sweep({"x": {"min": 0, "max": 3}}, early_terminate={"type": "hyperband", "max_iter": 27, "s": 2, "eta": 3})
    with pytest.warns(ApproximationWarning, match="ASHA"):
        spec = to_tune(cfg)
    kwargs = dict(spec.scheduler.kwargs)
    assert (kwargs["grace_period"], kwargs["reduction_factor"], kwargs["max_t"]) == (3, 3, 9)
    scheduler = spec.tune_config().scheduler
    assert isinstance(scheduler, AsyncHyperBandScheduler)
    assert milestones(scheduler) == [[3, 9]]  # W&B's bands for max_iter 27, s 2, eta 3
    with pytest.warns(ApproximationWarning):
        spec = to_tune(sweep({"x": {"value": 1}}, early_terminate={"type": "hyperband", "min_iter": 2}))
    assert dict(spec.scheduler.kwargs)["grace_period"] == 2


def test_bayes_gets_hyperopt_search_over_the_exact_space():
    from ray.tune.search.hyperopt import HyperOptSearch

    cfg = sweep({"x": {"min": 0, "max": 3}, "y": {"distribution": "log_uniform_values", "min": 0.1, "max": 1}}, "bayes")
    with pytest.warns(ApproximationWarning, match="TPE"):
        spec = to_tune(cfg)
    searcher = spec.tune_config().search_alg
    assert isinstance(searcher, HyperOptSearch)
    tuner = spec.tuner(lambda config: None)
    assert tuner is not None


def settings(obj) -> dict:
    out = {k: v for k, v in vars(obj).items() if isinstance(v, (int, float, str, type(None)))}
    return {**out, "rungs": milestones(obj)}


def milestones(scheduler) -> list[list]:
    return [sorted(m for m, _ in bracket._rungs) for bracket in scheduler._brackets]


@pytest.mark.parametrize("target", ["hyperopt", "tune"])
def test_rendered_source_builds_the_same_space(target):
    params = {k: v for k, v in {**COMMON, **HYPEROPT_ONLY}.items() if target == "hyperopt" or k in COMMON}
    cfg = sweep(params, run_cap=9, early_terminate={"type": "hyperband", "min_iter": 3})
    source = render_python(cfg, target)
    compile(source, "<rendered>", "exec")
    scope: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        exec(source, scope)  # noqa: S102 - the point: users paste this source
        if target == "hyperopt":
            from hyperopt.pyll import as_apply

            # pyll graphs print every node, label and literal
            assert str(as_apply(scope["space"])) == str(as_apply(to_hyperopt(cfg)))
            assert parse_space(scope["space"]) == parse_space(to_hyperopt(cfg))
        else:
            from ray_reader import read

            spec = to_tune(cfg)
            assert read(scope["param_space"]) == read(spec.param_space)
            rendered = scope["tune_config"]
            assert (rendered.metric, rendered.mode, rendered.num_samples) == ("loss", "min", 9)
            assert settings(rendered.scheduler) == settings(spec.tune_config().scheduler)


def test_render_python_needs_no_library_and_checks_target(monkeypatch):
    for name in ("hyperopt", "ray"):
        monkeypatch.setitem(sys.modules, name, None)
    source = render_python(sweep({"x": {"min": 0, "max": 3}}), "tune")
    assert "tune.randint(0, 4)" in source
    with pytest.raises(SpecError, match="target"):
        render_python(sweep({"x": {"value": 1}}), "optuna")


@pytest.mark.parametrize(("func", "module", "extra"), [(to_hyperopt, "hyperopt", "hyperopt"), (to_tune, "ray", "ray")])
def test_missing_library_names_the_extra(monkeypatch, func, module, extra):
    monkeypatch.setitem(sys.modules, module, None)
    for name in list(sys.modules):
        if name.startswith(f"{module}."):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=rf"pip install 'sweepbridge\[{extra}\]'"):
        func(sweep({"x": {"min": 0, "max": 3}}))


def test_sweep_from_a_yaml_path(tmp_path):
    from sweepbridge import SweepConfig

    path = SweepConfig(sweep({"x": {"min": 0, "max": 3}})).save(tmp_path / "s.yaml")
    assert parse_space(to_hyperopt(path)) == parse_space(to_hyperopt(str(path)))


# Found in review: each of these once escaped as TypeError / ZeroDivisionError / ValueError, was
# accepted though W&B's validator refuses it, or (the grid) ran out of memory enumerating.
BAD_SWEEPS = {
    "probabilities_not_a_list": {"parameters": {"a": {"values": [1, 2], "probabilities": 5}}},
    "early_terminate_not_a_mapping": {"early_terminate": 5},
    "early_terminate_list": {"early_terminate": [1]},
    "max_iter_string": {"early_terminate": {"type": "hyperband", "max_iter": "a", "s": 2}},
    "s_string": {"early_terminate": {"type": "hyperband", "max_iter": 9, "s": "x"}},
    "eta_zero": {"early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 0}},
    "eta_one": {"early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 1}},
    "min_iter_zero": {"early_terminate": {"type": "hyperband", "min_iter": 0}},
    "early_terminate_without_metric": {"metric": None, "early_terminate": {"type": "hyperband", "min_iter": 1}},
    "grid_q_zero": {"method": "grid", "parameters": {"a": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0}}},
    "huge_grid": {"method": "grid", "parameters": {"a": {"distribution": "int_uniform", "min": 0, "max": 10**8}}},
    "huge_q_grid": {
        "method": "grid",
        "parameters": {"a": {"distribution": "q_uniform", "max": 1, "min": 0, "q": 1e-9}},
    },
}


@pytest.mark.parametrize("name", sorted(BAD_SWEEPS))
@pytest.mark.parametrize("target", ["hyperopt", "tune"])
def test_invalid_sweeps_end_in_a_spec_error(name, target):
    from sweepbridge import SweepBridgeError, render_python

    cfg = {"method": "random", "metric": {"name": "loss"}, "parameters": {"a": {"values": [1, 2]}}}
    cfg.update(BAD_SWEEPS[name])
    cfg = {k: v for k, v in cfg.items() if v is not None}
    with pytest.raises(SweepBridgeError):
        render_python(cfg, target=target)


def test_constant_holding_a_grid_search_marker_is_refused_for_tune():
    # Found in review: Ray would expand {"grid_search": [...]} inside a constant into a grid.
    from sweepbridge import UnsupportedFeatureError, render_python

    cfg = {"method": "random", "parameters": {"a": {"value": {"x": [0, {"grid_search": [1, 2]}]}}}}
    with pytest.raises(UnsupportedFeatureError) as info:
        render_python(cfg, target="tune")
    assert info.value.feature == "reverse.tune.marker" and info.value.path == "a.x[1]"
    render_python(cfg, target="hyperopt")  # a hyperopt Literal is just a value


def test_colliding_dotted_labels_are_refused_for_hyperopt():
    # Found in review: "a.b" beside nested a.b gave two hp labels "a.b" (hyperopt: DuplicateLabel).
    from sweepbridge import UnsupportedFeatureError, to_hyperopt

    cfg = {"method": "random", "parameters": {"a.b": {"values": [1, 2]}, "a": {"parameters": {"b": {"values": [3]}}}}}
    with pytest.raises(UnsupportedFeatureError) as info:
        to_hyperopt(cfg)
    assert info.value.feature == "reverse.hyperopt.labels"


def test_settings_a_tune_run_cannot_hold_are_warned_not_dropped():
    # Found in review: program, name and metric.target used to vanish without a word.
    from sweepbridge import ApproximationWarning, to_tune

    cfg = {
        "program": "train.py",
        "name": "n",
        "method": "random",
        "run_cap": 3,
        "metric": {"name": "loss", "goal": "minimize", "target": 0.1},
        "parameters": {"a": {"values": [1, 2]}},
    }
    with pytest.warns(ApproximationWarning, match=r"Not carried over: program, name, metric\.target\."):
        to_tune(cfg)
