"""What real users write: finite conditional choices, arithmetic on expressions, options as ranges,
tuples or NumPy arrays, scope.int on mirror expressions.

Fidelity: one space holding every case is sampled 20,000 times by real hyperopt
(`pyll.stochastic.sample`) and, translated, by W&B's engine; each parameter's draws compare by
their full probability table (chi-square, discrete) or a two-sample KS test (continuous), with
the same Python types. Tune's conditional choices are sampled by Ray's own variant generator.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest
from engine import sample
from fidelity import compare
from test_tune_grid import wandb_grid_runs

from sweepbridge import SpecError, SweepBridgeError, UnsupportedFeatureError, to_sweep
from sweepbridge.check import hyperopt_samples
from sweepbridge.hyperopt import hp as mirror
from sweepbridge.hyperopt import scope as mirror_scope
from sweepbridge.stats import key

hyperopt = pytest.importorskip("hyperopt")
np = pytest.importorskip("numpy")
from hyperopt import hp as real  # noqa: E402
from hyperopt.pyll import scope as real_scope  # noqa: E402

N = 20_000
D, C = "discrete", "continuous"

CONDITIONALS = {
    "optional": ('hp.choice("optional", [None, hp.choice("optional_v", [16, 32, 64])])', D),
    "weighted_dicts": (
        'hp.pchoice("weighted_dicts", [(0.3, {"opt": "sgd", "m": hp.choice("wd_m", [0.9, 0.99])}),'
        ' (0.7, {"opt": "adam", "beta": hp.randint("wd_b", 3)})])',
        D,
    ),
    "merged": ('hp.choice("merged", [1, hp.choice("merged_v", [1, 2]), hp.uniformint("merged_u", 0, 2)])', D),
    "lists": ('hp.choice("lists", [[hp.randint("lists_a", 2), 5], "none", (hp.choice("lists_b", ["x", 1.5]),)])', D),
    "deep": (
        'hp.choice("deep", [{"a": hp.choice("deep_a", [None, {"b": hp.pchoice("deep_b", [(0.25, 1), (0.75, 2)])}])},'
        ' hp.quniform("deep_q", 0, 1, 0.25)])',
        D,
    ),
}
"""Conditional choices whose every branch has a finite support: (hyperopt source, kind)."""

ARITHMETIC = {
    "shift_randint": ('1 + hp.randint("shift_randint", 5)', D),
    "choice_over_256": ('hp.choice("choice_over_256", [1, 2, 3]) / 256', D),
    "scaled_uniform": ('hp.uniform("scaled_uniform", -1, 3) * 2', C),
    "reflected_uniform": ('10 - hp.uniform("reflected_uniform", 0, 1)', C),
    "normal_affine": ('hp.normal("normal_affine", 1, 2) * 3 + 1', C),
    "loguniform_scaled": ('hp.loguniform("loguniform_scaled", -3, 0) / 10', C),
    "quniform_scaled": ('hp.quniform("quniform_scaled", -1, 1, 0.5) * 3', D),
    "quniform_shifted": ('hp.quniform("quniform_shifted", 0, 1, 0.1) + 0.3', D),
    "uniformint_shifted": ('hp.uniformint("uniformint_shifted", 0, 4) - 2', D),
    "randint_scaled": ('hp.randint("randint_scaled", 1, 6) * 10', D),
    "int_of_quniform": ('scope.int(hp.quniform("int_of_quniform", 0, 5, 0.5))', D),
    "randint_over_3": ('hp.randint("randint_over_3", 7) // 3', D),
    "pchoice_squared": ('hp.pchoice("pchoice_squared", [(0.5, -2), (0.5, 2)]) ** 2', D),
    "range_options": ('hp.choice("range_options", range(2, 8, 2))', D),
    "tuple_options": ('hp.choice("tuple_options", ("a", "b", None))', D),
    "numpy_options": ('hp.choice("numpy_options", np.array([0.1, 0.2, 0.4]))', D),
}
"""Expressions with an exact W&B form: (source, kind)."""

CASES = {**CONDITIONALS, **ARITHMETIC}


def build(source: str, hp, scope=None):
    return eval(source, {"hp": hp, "scope": scope or (real_scope if hp is real else mirror_scope), "np": np})  # noqa: S307


def hyperopt_space_draws(seed: int, n: int) -> list[dict]:
    """n configs of the whole CASES space from real hyperopt (a worker process runs this)."""
    space = {name: build(src, real) for name, (src, _) in CASES.items()}
    return hyperopt_samples(space, n, np.random.default_rng(seed))


@pytest.fixture(scope="session")  # session: built once, even when the worker runs other modules' tests between
def draws():
    cfg = to_sweep({name: build(src, real) for name, (src, _) in CASES.items()})
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        source = pool.submit(hyperopt_space_draws, 11, N)
        half = pool.submit(sample, dict(cfg), N // 2, 12)  # W&B's engine is the slow side: two seeded halves
        engine = sample(dict(cfg), N - N // 2, 13) + half.result()
        return cfg, source.result(), engine


@pytest.mark.slow
@pytest.mark.xdist_group("realworld_draws")  # one worker draws them once (the fixture is per module and worker)
@pytest.mark.parametrize("name", list(CASES))
def test_wandb_samples_what_hyperopt_samples(name, draws):
    cfg, source, engine = draws
    p = compare([s[name] for s in source], [e[name] for e in engine], CASES[name][1])
    print(f"{name}: {cfg['parameters'][name]} p={p:.3g}")


@pytest.mark.parametrize("name", list(CASES))
def test_mirror_and_real_hyperopt_give_identical_configs(name):
    src = CASES[name][0]
    for method in ("random", "bayes", "grid"):
        outcomes = []
        for hp in (real, mirror):
            try:
                outcomes.append(to_sweep({name: build(src, hp)}, method=method, metric="m"))
            except SweepBridgeError as exc:
                outcomes.append((type(exc), exc.path, getattr(exc, "feature", None)))
        assert outcomes[0] == outcomes[1], method


def test_real_scope_int_applies_to_mirror_expressions():
    expected = to_sweep({"x": real_scope.int(real.quniform("x", 0, 10, 2))})
    assert to_sweep({"x": real_scope.int(mirror.quniform("x", 0, 10, 2))}) == expected
    assert to_sweep({"x": mirror_scope.int(mirror.quniform("x", 0, 10, 2))}) == expected
    assert expected["parameters"]["x"] == {"distribution": "q_uniform", "min": 0, "max": 10, "q": 2}


def test_int_of_a_whole_q_kind_needs_no_enumeration():
    """int(quniform(q whole)) is W&B's int q by construction, however large its support."""
    for hp, scope in ((real, real_scope), (mirror, mirror_scope)):
        params = to_sweep({"n": scope.int(hp.quniform("n", 0, 1e6, 1))})["parameters"]
        assert params["n"] == {"distribution": "q_uniform", "min": 0, "max": 1e6, "q": 1}


def test_closed_forms_that_would_be_invalid_fall_back_to_values_or_refusal():
    params = to_sweep({"h": mirror.uniformint("h", 0, 2) * 0.5})["parameters"]  # q would be 0.5 for ints
    assert params["h"] == {"values": [0.0, 0.5, 1.0], "probabilities": [0.25, 0.5, 0.25]}
    with pytest.raises(UnsupportedFeatureError) as info:  # bounds collapse: 1 + 1e-20 == 1
        to_sweep({"u": mirror.uniform("u", 0, 1e-20) + 1})
    assert info.value.path == "u" and info.value.feature == "hyperopt.expression"


def test_exact_forms_and_mapped_values():
    params = to_sweep({name: build(src, mirror) for name, (src, _) in CASES.items()})["parameters"]
    assert params["shift_randint"] == {"distribution": "int_uniform", "min": 1, "max": 5}
    assert params["choice_over_256"] == {"values": [1 / 256, 2 / 256, 3 / 256]}
    assert params["scaled_uniform"] == {"distribution": "uniform", "min": -2, "max": 6}
    assert params["normal_affine"] == {"distribution": "normal", "mu": 4, "sigma": 6}
    assert params["quniform_scaled"] == {"distribution": "q_uniform", "min": -3, "max": 3, "q": 1.5}
    # 0.1 * k + 0.3 differs from W&B's q_uniform(0.3, 1.3, 0.1) in the last bits: values mapped.
    shifted = params["quniform_shifted"]["values"]
    assert shifted == [k * 0.1 + 0.3 for k in range(11)] and shifted[4] != 7 * 0.1
    assert params["randint_scaled"] == {"distribution": "q_uniform", "min": 5, "max": 55, "q": 10}
    assert params["optional"] == {"values": [None, 16, 32, 64], "probabilities": [0.5, 1 / 6, 1 / 6, 1 / 6]}
    merged = params["merged"]  # 1 from the constant, the nested choice and uniformint's middle
    assert merged["values"] == [1, 2, 0] and merged["probabilities"] == pytest.approx(
        [1 / 3 + 1 / 6 + 1 / 6, 1 / 6 + 1 / 12, 1 / 12]
    )


def test_grid_enumerates_each_branch_value_once():
    space = {
        "opt": mirror.choice("opt", [None, {"name": "sgd", "m": mirror.choice("m", [0.9, 0.99])}, None]),
        "act": mirror.choice("act", ["relu", mirror.choice("a2", ["relu", "tanh"])]),
    }
    cfg = to_sweep(space, method="grid")
    values = cfg["parameters"]["opt"]["values"]
    assert values == [None, {"name": "sgd", "m": 0.9}, {"name": "sgd", "m": 0.99}]
    assert cfg["parameters"]["act"] == {"values": ["relu", "tanh"]}
    runs = wandb_grid_runs(dict(cfg))
    assert Counter(key(r["opt"]) for r in runs) == Counter({key(v): 2 for v in values})
    # Grid enumerates choices only (as for unconditional parameters): randint and pchoice are refused.
    for option in (mirror.randint("r", 3), mirror.pchoice("p", [(0.2, 1), (0.8, 2)])):
        with pytest.raises(UnsupportedFeatureError) as info:
            to_sweep({"c": mirror.choice("c", [None, option])}, method="grid")
        assert info.value.path == "c" and info.value.feature == "wandb.grid.kind"


def test_bayes_repeats_branch_values_in_proportion():
    space = {"c": real.choice("c", [None, real.choice("d", [1, 2])]), "u": real.uniform("u", 0, 1)}
    cfg = to_sweep(space, method="bayes", metric="loss")
    assert cfg["parameters"]["c"] == {"values": [None, None, 1, 2]}
    irrational = {"c": real.pchoice("c", [(1 / 3**0.5, None), (1 - 1 / 3**0.5, real.choice("d", [1, 2]))])}
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep(irrational, method="bayes", metric="loss")
    assert info.value.path == "c" and info.value.feature == "wandb.bayes.probabilities"


def test_size_cap_names_the_path_and_the_size():
    for hp in (real, mirror):
        space = {"m": {"c": hp.choice("c", [None, [hp.randint("a", 100), hp.randint("b", 101)]])}}
        with pytest.raises(UnsupportedFeatureError) as info:
            to_sweep(space)
        assert info.value.path == "m.c" and "10,101 values (limit 10,000)" in str(info.value)
        assert info.value.feature == "space.conditional.finite"


@pytest.mark.parametrize("hp", [real, mirror], ids=["real", "mirror"])
def test_continuous_conditionals_suggest_the_scheduler_engine(hp):
    space = {"model": {"opt": hp.choice("opt", [{"lr": hp.uniform("lr", 0, 1)}, "sgd"])}}
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep(space)
    assert info.value.path == "model.opt" and info.value.feature == "hyperopt.conditional"
    assert "model.opt[option 0].lr is a uniform distribution" in str(info.value)
    assert "--engine optuna" in info.value.suggestion and 'engine="optuna"' in info.value.suggestion


REFUSED = {
    "two_operands": 'hp.uniform("x", 0, 1) * hp.uniform("y", 0, 1)',
    "negative_scale_of_loguniform": 'hp.loguniform("x", 0, 1) * -1',
    "shift_of_lognormal": 'hp.lognormal("x", 0, 1) + 1',
    "int_of_uniform": 'scope.int(hp.uniform("x", 0, 10))',
    "too_many_values": 'hp.randint("x", 10**6) / 3',
    "inside_a_choice": 'hp.choice("c", [hp.uniform("x", 0, 1) * hp.uniform("y", 0, 1), 1])',
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_arithmetic_without_an_exact_form_is_refused_with_the_path(name):
    for hp in (real, mirror):
        with pytest.raises(UnsupportedFeatureError) as info:
            to_sweep({"m": {"v": build(REFUSED[name], hp)}})
        assert info.value.path.startswith("m.v") and info.value.feature in (
            "hyperopt.expression",
            "hyperopt.conditional",
        )
        assert str(info.value).startswith(f"{info.value.path}: ")


def test_arithmetic_errors_are_spec_errors_with_the_path():
    for hp in (real, mirror):
        with pytest.raises(SpecError) as info:
            to_sweep({"m": {"v": hp.choice("v", [0, 1]) / 0 if hp is real else mirror.choice("v", [0, 1]) / 0}})
        assert info.value.path == "m.v" and "ZeroDivisionError" in str(info.value)


def test_tune_domains_keep_rays_operators():
    """Ray's domains have no arithmetic: the mirror raises TypeError as Ray does."""
    from sweepbridge import tune

    with pytest.raises(TypeError):
        tune.uniform(0, 1) * 2  # noqa: B018


# --- Tune: tune.choice over categories holding domains, sampled by Ray's variant generator ------------

TUNE_CASES = {
    "optional": "tune.choice([None, tune.choice([16, 32, 64])])",
    "dicts": 'tune.choice([{"opt": "sgd", "m": tune.choice([0.9, 0.99])}, {"opt": "adam", "b": tune.randint(0, 3)}])',
    "lists": 'tune.choice([[tune.qrandint(0, 10, 5), 1], "none"])',
}


def ray_draws(n: int, seed: int) -> list[dict]:
    from ray import tune
    from ray.tune.search.variant_generator import generate_variants

    space = {name: eval(src, {"tune": tune}) for name, src in TUNE_CASES.items()}  # noqa: S307
    rng = np.random.RandomState(seed)
    return [next(generate_variants(space, random_state=rng))[1] for _ in range(n)]


@pytest.mark.slow
def test_tune_conditional_choices_sample_like_ray():
    from ray import tune as ray_tune

    from sweepbridge import tune

    real_space = {name: eval(src, {"tune": ray_tune}) for name, src in TUNE_CASES.items()}  # noqa: S307
    mirror_space = {name: eval(src, {"tune": tune}) for name, src in TUNE_CASES.items()}  # noqa: S307
    cfg = to_sweep(real_space)
    assert cfg == to_sweep(mirror_space)
    engine = sample(dict(cfg), N, 5)
    ray = ray_draws(N, 6)
    for name in TUNE_CASES:
        p = compare([r[name] for r in ray], [e[name] for e in engine], D)
        print(f"{name}: {cfg['parameters'][name]} p={p:.3g}")
    with pytest.raises(UnsupportedFeatureError) as info:
        to_sweep({"m": ray_tune.choice([{"lr": ray_tune.uniform(0, 1)}, None])})
    assert info.value.path == "m" and info.value.feature == "tune.choice.nested"
    assert "--engine optuna" in info.value.suggestion
