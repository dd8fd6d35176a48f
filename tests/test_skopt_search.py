"""SkOptSearch under engine="optuna" (tune/search/skopt.py, backends/asktell_source.py): Ray removed SkOptSearch in
2024, so the oracle is scikit-optimize's Optimizer driven as Ray's last SkOptSearch drove it (its converter's
dimensions in Ray's flat order, ask / tell with the negated metric when maximizing, points first, evaluated
rewards told up front); wandb's own optimizer asks the same, bit for bit; what Ray's converter distorts is refused;
an Optimizer instance is read back."""

from __future__ import annotations

import pytest
from asktell_oracle import BRANIN, CONSTANT, objective, space, translate, typed, wandb_suggestions
from engine import to_plain

from sweepbridge import SpecError, UnsupportedFeatureError, tune

optuna = pytest.importorskip("optuna")
skopt = pytest.importorskip("skopt")
np = pytest.importorskip("numpy")
from skopt.space import Categorical, Integer, Real  # noqa: E402

NAMES = ["x", "c", "li", "n/k", "n/lr"]
"""Ray's flat names for `space` in its order: plain keys first, a nested dict's names appended."""
DIMENSIONS = [
    Real(-5, 10, prior="uniform"),
    Categorical(["a", "b", "c"]),
    Integer(1, 99, prior="log-uniform"),  # lograndint(1, 100): upper - 1
    Integer(1, 9, prior="uniform"),  # randint(1, 10): upper - 1
    Real(1e-4, 1e-1, prior="log-uniform"),
]
"""Ray's SkOptSearch.convert_search_space of `space` (its last source: Real / Integer with their prior, Categorical)."""
FAST = {"n_initial_points": 8, "acq_optimizer": "sampling", "acq_func": "EI"}
"""Settings that keep two GP asks cheap enough for a test (the default acq_optimizer takes ~4 s an ask here)."""


@pytest.fixture(autouse=True)
def _quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield


def _nest(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        *parents, last = key.split("/")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return out


def rays_skopt(kwargs: dict, mode: str = "min", points=None, rewards=None, n: int = 10) -> list[dict]:
    """What Ray's SkOptSearch suggests: skopt.Optimizer(dimensions, **optimizer_kwargs); evaluated rewards told up
    front (as given), else the points first; each ask zipped with the names (numpy numbers made Python), nested,
    merged with the constant; the metric told negated when maximizing."""
    optimizer = skopt.Optimizer(DIMENSIONS, **kwargs)
    first = []
    if points and rewards:
        optimizer.tell([[p[name] for name in NAMES] for p in points], rewards)
    elif points:
        first = [[p[name] for name in NAMES] for p in points]
    out = []
    for _ in range(n):
        x = first.pop(0) if first else optimizer.ask()
        config = {
            **_nest({k: v.item() if isinstance(v, np.number) else v for k, v in zip(NAMES, x, strict=True)}),
            **CONSTANT,
        }
        out.append(to_plain(config))
        loss = objective(config)
        optimizer.tell(x, -loss if mode == "max" else loss)
    return out


def _ours(kwargs: dict, mode: str = "min", **options):
    search = tune.search.SkOptSearch(metric="loss", mode=mode, optimizer_kwargs=kwargs, **options)
    return translate(search, space(tune))


@pytest.mark.slow
def test_first_ten_suggestions_are_skopts_bit_for_bit():
    """Same random_state, same told results (maximized: told negated): 8 initial points, then two GP suggestions.
    Measured with 7 initial points and both modes too (equal)."""
    kwargs, mode = {"random_state": 5, **FAST}, "max"
    ours = wandb_suggestions(_ours(kwargs, mode), objective)
    assert typed(ours) == typed(rays_skopt(kwargs, mode))


def test_points_and_evaluated_rewards_as_in_ray():
    """Points run first, as given; with evaluated_rewards they are told up front and not run (20 initial points:
    skopt's own random draws, so the comparison is cheap; the told points still count among them)."""
    points = [{"x": 1.0, "n/k": 3, "n/lr": 0.01, "c": "b", "li": 20}, {"x": -2.0, "n/k": 9, "n/lr": 0.001,
                                                                         "c": "a", "li": 5}]  # fmt: skip
    kwargs = {"random_state": 1, "n_initial_points": 20}
    ours = wandb_suggestions(_ours(kwargs, points_to_evaluate=points), objective, n=5)
    assert typed(ours) == typed(rays_skopt(kwargs, points=points, n=5))
    assert ours[0] == {"x": 1.0, "n": {"k": 3, "lr": 0.01}, "c": "b", "li": 20, **CONSTANT}
    told = wandb_suggestions(_ours(kwargs, points_to_evaluate=points, evaluated_rewards=[3.0, 4.0]), objective, 5)
    assert typed(told) == typed(rays_skopt(kwargs, points=points, rewards=[3.0, 4.0], n=5))
    assert told[0]["x"] != 1.0


def test_an_optimizer_instance_is_read_as_rays_configuration():
    """Ray's other form: optimizer=skopt.Optimizer(dimensions, ...), space=the parameter names."""
    instance = skopt.Optimizer(DIMENSIONS, random_state=4, acq_func="EI")
    read = translate(tune.search.SkOptSearch(instance, NAMES, metric="loss", mode="min"))
    given = translate(tune.search.SkOptSearch(metric="loss", mode="min", optimizer_kwargs={"acq_func": "EI",
                                              "random_state": 4}), {k: v for k, v in space(tune).items()
                                                                            if k not in CONSTANT})  # fmt: skip

    def library(cfg):  # LIBRARY and PARAMS: the Optimizer's settings, dimensions and draws
        return cfg.scheduler_source.split("LIBRARY =")[1].split("class ")[0]

    assert library(read) == library(given) and '"acq_func": "EI", "random_state": 4' in library(read)
    instance.tell(instance.ask(), 1.0)
    with pytest.raises(SpecError, match="already told"):
        tune.search.SkOptSearch(instance, NAMES, metric="loss", mode="min")


def test_skopts_own_space_format_is_read():
    """space={"x": (-5.0, 10.0), "n": (1, 9), "c": ["a", "b"]}: skopt's check_dimension decides (floats: Real,
    ints: Integer with both bounds included, a list: Categorical), as when Ray passes the space on to skopt."""
    own = {"x": (-5.0, 10.0), "n": (1, 9), "c": ["a", "b"]}
    domains = {"x": tune.uniform(-5.0, 10.0), "n": tune.randint(1, 10), "c": tune.choice(["a", "b"])}
    kwargs = {"metric": "loss", "mode": "min", "optimizer_kwargs": {"random_state": 2}}
    read = translate(tune.search.SkOptSearch(space=own, **kwargs))
    assert read.scheduler_source == translate(tune.search.SkOptSearch(space=domains, **kwargs)).scheduler_source


def test_the_file_states_and_checks_its_requirements():
    cfg = _ours({"random_state": 0})
    assert "pip install optuna scikit-optimize" in cfg.scheduler_source.split('"""')[1]
    assert "import ray" not in cfg.scheduler_source and "sweepbridge." not in cfg.scheduler_source
    assert "optuna.pruners.NopPruner()" in cfg.scheduler_source
    assert "early_terminate" not in cfg and "controller" not in cfg


DISTORTED = [
    ({"q": tune.quniform(0, 1, 0.1)}, "q", "quantization"),
    ({"q": tune.qloguniform(1e-3, 1, 1e-3)}, "q", "log scale"),
    ({"a": {"q": tune.qrandint(0, 10, 2)}}, "a.q", "quantization"),
    ({"n": tune.randn(0, 2)}, "n", "Real"),
    ({"c": tune.choice([{"lr": tune.uniform(0, 1)}, 3])}, "c", "conditional"),
]


@pytest.mark.parametrize(("config", "path", "words"), DISTORTED, ids=[p for _, p, _ in DISTORTED])
def test_what_rays_converter_distorts_is_refused_by_path(config, path, words):
    with pytest.raises(UnsupportedFeatureError, match=words) as caught:
        translate(tune.search.SkOptSearch(metric="loss", mode="min"), config)
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"points_to_evaluate": [{"x": 1.0}]}, "flat names"),
        ({"points_to_evaluate": [{"x": 1.0, "y": 99.0}]}, "not a number in"),
        ({"points_to_evaluate": [{"x": 1.0, "y": 2.0}], "evaluated_rewards": [1.0, 2.0]}, "evaluated_rewards for"),
        ({"optimizer_kwargs": {"n_calls": 3}}, "takes no n_calls"),
        ({"optimizer_kwargs": {"base_estimator": "XYZ"}}, "skopt refuses .*XYZ"),
        ({"optimizer_kwargs": {"random_state": np.random.RandomState(0)}}, "plain values"),
    ],
)
def test_what_ray_fails_on_is_a_spec_error(options, words):
    with pytest.raises(SpecError, match=words):
        translate(tune.search.SkOptSearch(metric="loss", mode="min", **options), BRANIN)


def test_wandbs_own_engine_still_refuses_it_and_the_2020_path_imports():
    from sweepbridge.tune.suggest.skopt import SkOptSearch

    with pytest.raises(UnsupportedFeatureError, match="engine='optuna'"):
        tune.run("t.py", config=BRANIN, search_alg=SkOptSearch(), metric="loss", mode="min")
