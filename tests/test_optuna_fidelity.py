"""Fidelity through W&B's own scheduler code: every hyperopt operator, every Ray Tune domain, conditional
spaces (two levels, the optional idiom, pchoice over branches) — emitted with engine="optuna", built by
wandb's `make_optimizer` from the generated source, asked with `ask_n_runs` under the seeded random
sampler, and compared with hyperopt's / Ray's own samples (tests/fidelity.py: full probability tables by
chi-square, KS for continuous kinds, identical Python types).

One space holds all parameters of a group, so one ask draws them all (independent parameters: sharing
draws changes no marginal). 20,000 draws for every kind (the support check needs them for long-tailed
quantized kinds); the discrete hyperopt group takes ~75 s on an idle CPU (~3.5 ms per 24-parameter ask).
"""

from __future__ import annotations

import json
import multiprocessing
import tempfile
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest
from engine import scheduler_optimizer, to_plain
from fidelity import compare, compare_discrete, compare_types
from test_fidelity_hyperopt import CASES as HYPEROPT_CASES
from test_fidelity_hyperopt import _fix_choice
from test_tune_fidelity import CONTINUOUS as RAY_CONTINUOUS
from test_tune_fidelity import DISCRETE as RAY_DISCRETE

from sweepbridge import to_sweep, tune
from sweepbridge.check import hyperopt_samples
from sweepbridge.stats import key, type_name

pytest.importorskip("optuna")
pytest.importorskip("hyperopt")
np = pytest.importorskip("numpy")

pytestmark = pytest.mark.slow  # oracle sampling: 20,000 draws per side through W&B's scheduler code

N_CONTINUOUS = 20_000
N_DISCRETE = 20_000


def scheduler_draws(cfg, n: int) -> list[dict]:
    """n configs from W&B's Optuna scheduler (make_optimizer + ask_n_runs), as the program receives them."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna's experimental/deprecation notes
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        runs = optimizer.ask_n_runs(n)
    assert len(runs) == n
    return [to_plain(run.config.flat_dict()) for run in runs]


def hyperopt_space_draws(space_factory: str, n: int, seed: int) -> list:
    """n samples of the space built by `space_factory` (a name in this module), by hyperopt itself."""
    return hyperopt_samples(globals()[space_factory](), n, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def worker():
    """A process drawing hyperopt's samples while this one asks W&B's scheduler."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


# --- every hyperopt operator -----------------------------------------------------------------------------


def _expression(op: str, label: str, args: tuple):
    """Real `hp.<op>(label, *args)`; "int:<op>" is `scope.int(hp.<op>(...))`."""
    from hyperopt import hp
    from hyperopt.pyll import scope

    if op.startswith("int:"):
        return scope.int(getattr(hp, op[4:])(label, *args))
    return getattr(hp, op)(label, *args)


def operator_space(kind: str = "") -> dict:
    cases = [c for c in HYPEROPT_CASES if not kind or c[2] == kind]
    return {f"p{i}": _expression(op, f"p{i}", _fix_choice(op, args)) for i, (op, args, _) in enumerate(cases)}


def continuous_operators() -> dict:
    return operator_space("continuous")


def discrete_operators() -> dict:
    return operator_space("discrete")


@pytest.mark.parametrize(("factory", "kind", "n"), [("continuous_operators", "continuous", N_CONTINUOUS),
                                                    ("discrete_operators", "discrete", N_DISCRETE)])  # fmt: skip
def test_every_hyperopt_operator(worker, factory, kind, n):
    source_future = worker.submit(hyperopt_space_draws, factory, n, 11)
    cfg = to_sweep(globals()[factory](), engine="optuna", metric="loss", seed=5)
    ours = scheduler_draws(cfg, n)
    source = source_future.result()
    ops = [c for c in HYPEROPT_CASES if c[2] == kind]
    for name in source[0]:
        p = compare([s[name] for s in source], [o[name] for o in ours], kind)
        op, args, _ = ops[int(name[1:])]
        print(f"{op}{args}: p={p:.3g}")


# --- every Ray Tune domain -------------------------------------------------------------------------------


def _ray_space(cases) -> dict:
    from ray import tune as ray_tune

    return {f"p{i}": getattr(ray_tune, op)(*args) for i, (op, args) in enumerate(cases)}


@pytest.mark.parametrize(("cases", "kind", "n"), [(RAY_CONTINUOUS, "continuous", N_CONTINUOUS),
                                                  (RAY_DISCRETE, "discrete", N_DISCRETE)])  # fmt: skip
def test_every_ray_domain(cases, kind, n):
    space = _ray_space(cases)
    search = tune.search.BasicVariantGenerator(random_state=17)  # → RandomSampler(seed=17)
    cfg = tune.run(
        "train.py", config=space, num_samples=n, metric="loss", mode="min", search_alg=search, engine="optuna"
    )
    assert cfg["run_cap"] == n
    ours = scheduler_draws(cfg, n)
    rng = np.random.default_rng(3)
    for name, domain in space.items():
        ray = [v.item() if hasattr(v, "item") else v for v in domain.sample(size=n, random_state=rng)]
        p = compare(ray, [o[name] for o in ours], kind)
        print(f"{name} {domain}: p={p:.3g}")


# --- conditional spaces ------------------------------------------------------------------------------------


def classifier_space() -> dict:
    """hyperopt's classic classifier space, two levels deep, with the optional idiom and pchoice over branches."""
    from hyperopt import hp

    return {
        "classifier": hp.pchoice(
            "classifier",
            [
                (0.2, {"type": "naive_bayes"}),
                (
                    0.5,
                    {
                        "type": "svm",
                        "C": hp.lognormal("svm_C", 0, 1),
                        "kernel": hp.choice(
                            "kernel",
                            [{"ktype": "linear"}, {"ktype": "rbf", "width": hp.loguniform("width", -3, 3)}],
                        ),
                    },
                ),
                (
                    0.3,
                    {
                        "type": "dtree",
                        "criterion": hp.choice("crit", ["gini", "entropy"]),
                        "depth": hp.randint("d", 1, 8),
                    },  # fmt: skip
                ),
            ],
        ),
        "weight_decay": hp.choice("wd", [None, hp.loguniform("wd_value", -9, -3)]),
    }


def _shape(value):
    """The structure of a draw: dict keys and discrete values kept, each float replaced by its type."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    return "float" if isinstance(value, float) else value


def test_conditional_space_two_levels_optional_and_pchoice(worker):
    n = N_CONTINUOUS
    source_future = worker.submit(hyperopt_space_draws, "classifier_space", n, 21)
    cfg = to_sweep(classifier_space(), engine="optuna", metric="loss", seed=9)
    assert "parameters" not in cfg
    ours = scheduler_draws(cfg, n)
    source = [to_plain(s) for s in source_future.result()]
    compare_types(source, ours)
    # Branch frequencies and key sets: the full table of shapes (each branch's keys and discrete values).
    p_shapes = compare_discrete([_shape(s) for s in source], [_shape(o) for o in ours])
    assert {key(_shape(s)) for s in source} == {key(_shape(o)) for o in ours}
    by_type = lambda draws, t: [d["classifier"] for d in draws if d["classifier"]["type"] == t]  # noqa: E731
    for branch in ("naive_bayes", "svm", "dtree"):
        src_keys = Counter(json.dumps(sorted(c)) for c in by_type(source, branch))
        our_keys = Counter(json.dumps(sorted(c)) for c in by_type(ours, branch))
        assert set(src_keys) == set(our_keys), branch
    # Continuous values inside branches: KS on each active parameter.
    pairs = {
        "svm C": lambda ds: [c["C"] for c in by_type(ds, "svm")],
        "rbf width": lambda ds: [c["kernel"]["width"] for c in by_type(ds, "svm") if c["kernel"]["ktype"] == "rbf"],
        "weight_decay": lambda ds: [d["weight_decay"] for d in ds if d["weight_decay"] is not None],
    }
    for name, pick in pairs.items():
        p = compare(pick(source), pick(ours), "continuous")
        print(f"{name}: {len(pick(ours))} draws, KS p={p:.3g}")
    print(f"shapes: chi-square p={p_shapes:.3g}")
    assert {type_name(o["weight_decay"]) for o in ours} == {"NoneType", "float"}


def test_inactive_branches_are_absent():
    cfg = to_sweep(classifier_space(), engine="optuna", metric="loss", seed=1)
    for draw in scheduler_draws(cfg, 300):
        clf = draw["classifier"]
        expected = {"naive_bayes": {"type"}, "svm": {"type", "C", "kernel"}, "dtree": {"type", "criterion", "depth"}}
        assert set(clf) == expected[clf["type"]]
        if clf["type"] == "svm":
            assert set(clf["kernel"]) == ({"ktype"} if clf["kernel"]["ktype"] == "linear" else {"ktype", "width"})


def test_wrong_sampling_is_detected():
    """The comparison can fail: a normal sampled with the wrong sigma is rejected."""
    from hyperopt import hp

    cfg = to_sweep({"x": hp.normal("x", 0, 1.1)}, engine="optuna", metric="loss", seed=2)
    ours = [d["x"] for d in scheduler_draws(cfg, N_CONTINUOUS)]
    rng = np.random.default_rng(0)
    source = list(rng.normal(0, 1.0, size=N_CONTINUOUS).tolist())
    with pytest.raises(AssertionError, match="KS"):
        compare(source, ours, "continuous")
