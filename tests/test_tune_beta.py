"""The 2020 W&B beta's `tune:` sweep files convert to what the equivalent `tune.run(...)` call gives."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from optional import needs

from sweepbridge import (
    ApproximationWarning,
    SpecError,
    SweepBridgeError,
    UnsupportedFeatureError,
    to_sweep,
    tune,
    tune_beta,
)
from sweepbridge.hyperopt import hp
from sweepbridge.tune.schedulers import AsyncHyperBandScheduler, FIFOScheduler, HyperBandScheduler
from sweepbridge.tune.suggest.bayesopt import BayesOptSearch
from sweepbridge.tune.suggest.hyperopt import HyperOptSearch

ROOT = Path(__file__).resolve().parent.parent


def corpus() -> Path | None:
    for base in (ROOT.parent / "shared" / "corpus", ROOT.parents[1] / "shared" / "corpus", Path("/work/shared/corpus")):
        if base.is_dir():
            return base
    return None


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def outcome(fn, *args, **kwargs):
    """The config, or the error's type and text: a beta file must fail exactly as its call does."""
    try:
        return dict(quiet(fn, *args, **kwargs))
    except SweepBridgeError as exc:
        return type(exc).__name__, str(exc)


SEED_DOC = {  # the seed's example as the beta saved it, plus its scheduler
    "program": "train.py",
    "tune": {
        "_wandb": {"seed": 1138535874, "versions": {"hyperopt": "0.2.1", "tune": "0.7.6", "wandb": "0.8.19"}},
        "run_or_experiment": "train.py",
        "num_samples": 10,
        "search_alg": {
            "hyperopt.HyperOptSearch": {
                "space": {
                    "width": {"hyperopt.hp.uniform": ["width", 0, 20]},
                    "height": {"hyperopt.hp.uniform": ["height", -100, 100]},
                    "activation": {"hyperopt.hp.choice": ["activation", ["relu", "tanh"]]},
                },
                "metric": "mean_loss",
                "mode": "min",
            }
        },
        "scheduler": {"AsyncHyperBandScheduler": {"metric": "mean_loss", "mode": "min"}},
    },
}


def seed_call(hp_module=hp):
    return tune.run(
        "train.py",
        search_alg=HyperOptSearch(
            dict(
                width=hp_module.uniform("width", 0, 20),
                height=hp_module.uniform("height", -100, 100),
                activation=hp_module.choice("activation", ["relu", "tanh"]),
            ),
            metric="mean_loss",
            mode="min",
        ),
        scheduler=AsyncHyperBandScheduler(metric="mean_loss", mode="min"),
        num_samples=10,
    )


@needs("hyperopt")
def test_seed_example_converts_like_its_call_with_mirror_and_real_hyperopt(tmp_path):
    import hyperopt

    expected = quiet(seed_call)
    assert quiet(to_sweep, SEED_DOC) == expected
    assert quiet(seed_call, hyperopt.hp) == expected
    path = tmp_path / "sweep-hyperopt.yaml"
    path.write_text(yaml.safe_dump(SEED_DOC, sort_keys=False))
    assert quiet(to_sweep, path) == expected
    assert quiet(to_sweep, str(path)) == expected
    assert expected["method"] == "bayes" and expected["early_terminate"]["type"] == "hyperband"


HP_KINDS = {  # every hp operator, in each of the beta's argument encodings
    "a": ({"hyperopt.hp.randint": ["a", 1, 6]}, lambda: hp.randint("a", 1, 6)),
    "b": ({"hyperopt.hp.pchoice": ["b", [[0.25, 32], [0.75, 64]]]}, lambda: hp.pchoice("b", [(0.25, 32), (0.75, 64)])),
    "c": (
        {"hyperopt.hp.quniform": {"label": "c", "low": 0, "high": 10, "q": 0.5}},
        lambda: hp.quniform("c", 0, 10, 0.5),
    ),
    "d": ({"hyperopt.hp.uniformint": ["d", 16, 256]}, lambda: hp.uniformint("d", 16, 256)),
    "e": (
        {"hyperopt.hp.loguniform": {"args": ["e", -9], "kwargs": {"high": -2}}},
        lambda: hp.loguniform("e", -9, high=-2),
    ),
    "f": ({"hyperopt.hp.qloguniform": ["f", 0, 5, 1]}, lambda: hp.qloguniform("f", 0, 5, 1)),
    "g": ({"hyperopt.hp.normal": ["g", 0, 1]}, lambda: hp.normal("g", 0, 1)),
    "h": ({"hyperopt.hp.qnormal": ["h", 10, 2, 0.5]}, lambda: hp.qnormal("h", 10, 2, 0.5)),
    "i": ({"hyperopt.hp.lognormal": ["i", 0, 0.5]}, lambda: hp.lognormal("i", 0, 0.5)),
    "j": ({"hyperopt.hp.qlognormal": ["j", 1, 0.5, 0.25]}, lambda: hp.qlognormal("j", 1, 0.5, 0.25)),
    "k": ({"hyperopt.hp.choice": ["k", [None, "sgd", 3]]}, lambda: hp.choice("k", [None, "sgd", 3])),
}


def test_every_hp_kind_and_argument_encoding():
    space = {name: beta for name, (beta, _) in HP_KINDS.items()}
    space["model"] = {"depth": {"hyperopt.hp.randint": ["depth", 4]}, "act": "relu"}  # nested, with a constant
    doc = {  # random search (pchoice's probabilities need it), the space in config
        "program": "t.py",
        "tune": {"num_samples": 30, "config": space, "search_alg": {"basic_variant.BasicVariantGenerator": None}},
    }
    call_space = {name: make() for name, (_, make) in HP_KINDS.items()}
    call_space["model"] = {"depth": hp.randint("depth", 4), "act": "relu"}
    expected = quiet(tune.run, "t.py", config=call_space, num_samples=30)
    assert quiet(to_sweep, doc) == expected
    assert expected["parameters"]["b"]["probabilities"] == [0.25, 0.75]
    del space["b"], call_space["b"]  # and under HyperOptSearch (method bayes)
    doc = {
        "program": "t.py",
        "tune": {"search_alg": {"hyperopt.HyperOptSearch": {"space": space, "metric": "loss", "mode": "max"}}},
    }
    expected = quiet(tune.run, "t.py", search_alg=HyperOptSearch(call_space, metric="loss", mode="max"))
    assert quiet(to_sweep, doc) == expected


def test_tune_domains_in_config_random_search_and_hyperband():
    doc = {
        "program": "train.py",
        "name": "beta-random",
        "description": "migrated",
        "controller": {"type": "local"},
        "tune": {
            "run_or_experiment": "train.py",
            "num_samples": 20,
            "config": {
                "lr": {"tune.loguniform": {"min_bound": 1e-4, "max_bound": 1e-1, "base": 10}},
                "momentum": {"tune.uniform": [0.8, 0.99]},
                "dropout": {"tune.uniform": {"low": 0.0, "high": 0.5}},
                "layers": {"tune.randint": {"low": 1, "high": 5}},
                "act": {"tune.choice": [["relu", "tanh"]]},
                "epochs": 12,
            },
            "scheduler": {"HyperBandScheduler": {"metric": "acc", "mode": "max", "max_t": 81}},
            "verbose": 1,
        },
    }
    config = {
        "lr": tune.loguniform(1e-4, 1e-1),
        "momentum": tune.uniform(0.8, 0.99),
        "dropout": tune.uniform(0.0, 0.5),
        "layers": tune.randint(1, 5),
        "act": tune.choice(["relu", "tanh"]),
        "epochs": 12,
    }
    sched = HyperBandScheduler(metric="acc", mode="max", max_t=81)
    expected = quiet(
        tune.run, "train.py", name="beta-random", config=config, num_samples=20, scheduler=sched, verbose=1
    )
    got = quiet(to_sweep, doc)
    assert got == {**expected, "description": "migrated", "controller": {"type": "local"}}
    assert got["method"] == "random" and got["parameters"]["layers"] == {
        "distribution": "int_uniform",
        "min": 1,
        "max": 4,
    }


def test_bayesopt_fifo_grid_and_the_2020_reward_attr():
    doc = {
        "program": "train.py",
        "tune": {
            "num_samples": 5,
            "config": {"x": {"tune.uniform": [0, 1]}},
            "search_alg": {"bayesopt.BayesOptSearch": {"metric": "loss", "mode": "min"}},
            "scheduler": {"FIFOScheduler": None},
        },
    }
    expected = quiet(
        tune.run,
        "train.py",
        config={"x": tune.uniform(0, 1)},
        num_samples=5,
        search_alg=BayesOptSearch(metric="loss", mode="min"),
        scheduler=FIFOScheduler(),
    )
    assert quiet(to_sweep, doc) == expected
    grid = {"program": "p.py", "tune": {"num_samples": 2, "config": {"w": {"grid_search": [16, 64]}}}}
    assert quiet(to_sweep, grid) == quiet(tune.run, "p.py", config={"w": tune.grid_search([16, 64])}, num_samples=2)
    old = {  # Ray 0.7: reward_attr (maximised) instead of metric/mode
        "program": "p.py",
        "tune": {
            "search_alg": {
                "hyperopt.HyperOptSearch": {"space": {"x": {"hyperopt.hp.uniform": ["x", 0, 1]}}, "reward_attr": "acc"}
            },
            "scheduler": {"AsyncHyperBandScheduler": {"reward_attr": "acc", "grace_period": 2}},
        },
    }
    got = quiet(to_sweep, old)
    assert got["metric"] == {"name": "acc", "goal": "maximize"} and got["early_terminate"]["min_iter"] == 2


def test_refusals_and_stop_are_those_of_the_call():
    stop = {**SEED_DOC, "tune": {**SEED_DOC["tune"], "stop": {"training_iteration": 10}}}
    space = {"x": hp.uniform("x", 0, 1)}
    beta_space = {"x": {"hyperopt.hp.uniform": ["x", 0, 1]}}
    stop_doc = {
        "program": "p.py",
        "tune": {"stop": {"training_iteration": 10}, "search_alg": {"hyperopt.HyperOptSearch": {"space": beta_space}}},
    }
    assert outcome(to_sweep, stop_doc) == outcome(
        tune.run, "p.py", stop={"training_iteration": 10}, search_alg=HyperOptSearch(space)
    )
    assert "stop" in str(outcome(to_sweep, stop))
    bohb = {
        "program": "p.py",
        "tune": {"config": {"x": 1}, "search_alg": {"bohb.TuneBOHB": {"metric": "m", "mode": "min"}}},
    }
    with pytest.raises(UnsupportedFeatureError, match="BOHB"):
        quiet(to_sweep, bohb)
    conditional = {"program": "p.py", "tune": {"search_alg": {"hyperopt.HyperOptSearch": {"space": {
        "opt": {"hyperopt.hp.choice": ["opt", [{"lr": {"hyperopt.hp.uniform": ["lr", 0, 1]}}, "sgd"]]}}}}}}  # fmt: skip
    expected = outcome(tune.run, "p.py", search_alg=HyperOptSearch(
        {"opt": hp.choice("opt", [{"lr": hp.uniform("lr", 0, 1)}, "sgd"])}))  # fmt: skip
    assert outcome(to_sweep, conditional) == expected


UNKNOWN = [
    ({"method": "bayes"}, "method"),
    ({"tune": {"foo": 1}}, "tune.foo"),
    ({"tune": {"_wandb": {"results": []}}}, "tune._wandb.results"),
    ({"tune": {"search_alg": {"hyperopt.TPE": {}}}}, 'tune.search_alg["hyperopt.TPE"]'),
    ({"tune": {"scheduler": {"Median": {}}}}, "tune.scheduler.Median"),
    ({"tune": {"config": {"x": {"tune.sample_from": ["f"]}}}}, 'tune.config.x["tune.sample_from"]'),
    ({"tune": {"config": {"m": {"n": {"hyperopt.hp.foo": ["n", 1]}}}}}, 'tune.config.m.n["hyperopt.hp.foo"]'),
]


@pytest.mark.parametrize(("change", "path"), UNKNOWN, ids=[p for _, p in UNKNOWN])
def test_unknown_entries_are_refused_with_their_path(change, path):
    doc = {"program": "p.py", "tune": {"config": {"x": {"tune.uniform": [0, 1]}}}}
    for key, value in change.items():
        doc[key] = {**doc[key], **value} if key == "tune" else value
    with pytest.raises(SpecError) as err:
        quiet(to_sweep, doc)
    assert str(err.value).startswith(f"{path}: unknown entry"), str(err.value)


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"program": "p.py", "settings": {"agent_report_interval": 0}, "tune": {"config": {"x": 1}}}, "settings: "),
        (
            {"program": "p.py", "tune": {"config": {"x": {"hyperopt.loguniform": {"min_bound": 1, "max_bound": 2}}}}},
            'tune.config.x["hyperopt.loguniform"]: the 2020 beta wrote',
        ),  # fmt: skip
        ({"program": "a.py", "tune": {"run_or_experiment": "b.py", "config": {"x": 1}}}, "conflicting programs"),
        (
            {"program": "p.py", "tune": {"config": {"x": {"tune.uniform": "0, 1"}}}},
            'tune.config.x["tune.uniform"]: arguments',
        ),
        (
            {"program": "p.py", "tune": {"config": {"x": {"tune.uniform": [0]}}}},
            'tune.config.x["tune.uniform"]: tune.uniform',
        ),
    ],
)
def test_beta_entries_without_an_exact_reading_are_one_clear_sentence(doc, words):
    with pytest.raises(SpecError) as err:
        quiet(to_sweep, doc)
    assert str(err.value).startswith(words) and "\n" not in str(err.value), str(err.value)


def test_to_sweep_reads_only_beta_files_and_takes_no_options(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("program: p.py\nparam_space: {x: 1}\n")
    with pytest.raises(SpecError, match="2020 W&B beta's format"):
        to_sweep(spec)
    with pytest.raises(SpecError, match="pass it alone"):
        to_sweep(SEED_DOC, metric="loss")
    assert tune_beta.is_beta(SEED_DOC) and not tune_beta.is_beta({"tune": {}, "parameters": {}})


def test_to_sweep_passes_engine_to_the_beta_documents_tune_run(tmp_path):
    """engine= is honoured for a beta document (mapping or file), as tune.run(..., engine=) takes it."""
    expected = quiet(tune_beta.convert, SEED_DOC, engine="optuna")
    assert expected["method"] == "custom" and "TPESampler" in expected.scheduler_source
    path = tmp_path / "beta.yaml"
    path.write_text(yaml.safe_dump(SEED_DOC, sort_keys=False))
    for doc in (SEED_DOC, path):
        got = quiet(to_sweep, doc, engine="optuna")
        assert got == expected and got.scheduler_source == expected.scheduler_source
        assert quiet(to_sweep, doc, engine="wandb")["method"] == "bayes"
        with pytest.raises(SpecError, match="engine must be one of wandb, optuna, got 'bogus'"):
            to_sweep(doc, engine="bogus")


def test_cli_converts_the_corpus_beta_file():
    base = corpus()
    path = base / "wandb" / "wandb-examples_sweep-tune-hyperopt.yaml" if base else None
    if path is None or not path.is_file():
        pytest.skip("shared corpus not present")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "sweepbridge", "convert", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    sweep = yaml.safe_load(proc.stdout)
    assert sweep["method"] == "bayes" and sweep["run_cap"] == 10 and len(sweep["parameters"]) == 7
    assert quiet(to_sweep, path) == sweep


def test_every_keyword_of_the_betas_tune_run_is_one_of_ours():
    import inspect

    from sweepbridge.tune.translate import KEYWORDS

    ours = set(inspect.signature(tune.run).parameters) | set(KEYWORDS)
    assert set(tune_beta.RUN_KEYWORDS) <= ours
    doc = {"program": "p.py", "tune": {"config": {"x": 1}, "return_trials": True, "global_checkpoint_period": 10}}
    with pytest.warns(ApproximationWarning, match="return_trials"):
        got = to_sweep(doc)
    assert got == quiet(tune.run, "p.py", config={"x": 1}, return_trials=True)
