"""Ray's real TuneBOHB (hpbandster + ConfigSpace) under engine="optuna": read exactly like the mirror's, its
space given each way Ray accepts (Tune domains, a ConfigSpace object, Tuner's param_space); a ConfigSpace
translated where exact (measured against ConfigSpace's own sampling), refused elsewhere naming the parameter."""

from __future__ import annotations

import tempfile
import warnings

import pytest
from engine import scheduler_optimizer, to_plain
from fidelity import compare

from sweepbridge import ApproximationWarning, UnsupportedFeatureError, tune
from sweepbridge.tune import schedulers as mirror_schedulers

pytest.importorskip("optuna")
CS = pytest.importorskip("ConfigSpace")
pytest.importorskip("hpbandster")
from ray import tune as ray_tune  # noqa: E402
from ray.tune.schedulers import HyperBandForBOHB  # noqa: E402
from ray.tune.search.bohb import TuneBOHB  # noqa: E402

KW = {"metric": "loss", "mode": "min", "seed": 4}


def ray_space() -> dict:
    """In name order: a ConfigSpace (Ray's conversion included) holds its hyperparameters sorted by name, and
    the order the study suggests them in is part of the emitted source (and of the seeded random stream).
    Float bounds written as floats: ConfigSpace keeps them as floats (0 and 0.0 bound the same draws)."""
    return {"act": ray_tune.choice(["relu", 2]), "drop": ray_tune.uniform(0.0, 0.5), "layers": ray_tune.randint(1, 9),
            "lr": ray_tune.loguniform(1e-4, 1e-1), "opt": {"momentum": ray_tune.uniform(0.5, 1.0)}}  # fmt: skip


def mirror_space() -> dict:
    return {"act": tune.choice(["relu", 2]), "drop": tune.uniform(0.0, 0.5), "layers": tune.randint(1, 9),
            "lr": tune.loguniform(1e-4, 1e-1), "opt": {"momentum": tune.uniform(0.5, 1.0)}}  # fmt: skip


def config_space() -> CS.ConfigurationSpace:
    """The ConfigSpace Ray's TuneBOHB.convert_search_space builds from ray_space(), written by hand."""
    cs = CS.ConfigurationSpace()
    cs.add(CS.UniformFloatHyperparameter("lr", 1e-4, 1e-1, log=True))
    cs.add(CS.UniformFloatHyperparameter("drop", 0, 0.5))
    cs.add(CS.CategoricalHyperparameter("act", ["relu", 2]))
    cs.add(CS.UniformIntegerHyperparameter("layers", 1, 8))
    cs.add(CS.UniformFloatHyperparameter("opt/momentum", 0.5, 1.0))
    return cs


def _translate(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ApproximationWarning)
        cfg = make()
    texts = " ".join(str(w.message) for w in caught if issubclass(w.category, ApproximationWarning))
    assert "kernel density" in texts and "synchronously" in texts  # TuneBOHB → TPE, HyperBandForBOHB → Hyperband
    return cfg


def _mirror():
    searcher = tune.search.TuneBOHB(space=mirror_space(), **KW)
    sched = mirror_schedulers.HyperBandForBOHB(max_t=27, reduction_factor=3)
    return _translate(lambda: tune.run("t.py", search_alg=searcher, scheduler=sched, num_samples=8, engine="optuna"))


WAYS = {
    "Tune domains": lambda: tune.run("t.py", search_alg=TuneBOHB(space=ray_space(), **KW), num_samples=8,
                                     scheduler=HyperBandForBOHB(max_t=27), engine="optuna"),
    "ConfigSpace": lambda: tune.run("t.py", search_alg=TuneBOHB(space=config_space(), **KW), num_samples=8,
                                    scheduler=HyperBandForBOHB(max_t=27), engine="optuna"),
    "Tuner param_space": lambda: tune.Tuner("t.py", param_space=ray_space(), engine="optuna",
        tune_config=ray_tune.TuneConfig(search_alg=TuneBOHB(**KW), scheduler=HyperBandForBOHB(max_t=27),
                                        num_samples=8)).to_sweep(),
    "mirror given a ConfigSpace": lambda: tune.run("t.py", search_alg=tune.search.TuneBOHB(space=config_space(), **KW),
        scheduler=mirror_schedulers.HyperBandForBOHB(max_t=27), num_samples=8, engine="optuna"),
}  # fmt: skip


@pytest.mark.parametrize("way", list(WAYS))
def test_real_tunebohb_translates_like_the_mirror(way):
    ours, real = _mirror(), _translate(WAYS[way])
    assert dict(real) == dict(ours)
    assert real.scheduler_source == ours.scheduler_source  # the same origin line: TuneBOHB, HyperBandForBOHB
    assert "TPESampler(" in real.scheduler_source and "seed=4" in real.scheduler_source
    with tempfile.TemporaryDirectory() as folder:
        study = scheduler_optimizer(dict(real), real.scheduler_source, folder).study
    assert (study.pruner._min_resource, study.pruner._max_resource, study.pruner._reduction_factor) == (1, 27, 3)


def test_a_real_tunebohb_reads_what_ray_kept():
    """Ray's converter drops quantization: a real TuneBOHB given tune.quniform samples (and translates as)
    tune.uniform, while the mirror given tune.quniform refuses (it would not sample what Ray samples)."""
    real = TuneBOHB(space={"x": ray_tune.quniform(0, 1, 0.25)}, **KW)
    cfg = tune.run("t.py", search_alg=real, engine="optuna")
    mirror = tune.search.TuneBOHB(space={"x": tune.uniform(0.0, 1.0)}, **KW)
    again = tune.run("t.py", search_alg=mirror, engine="optuna")
    assert dict(cfg) == dict(again) and cfg.scheduler_source == again.scheduler_source


@pytest.mark.parametrize(
    ("domain", "kind"),
    [(tune.quniform(0, 1, 0.25), "quniform"), (tune.lograndint(1, 100), "log_integer"), (tune.randn(0, 1), "normal"),
     (tune.qrandint(0, 10, 2), "int_uniform"), (tune.choice([{"a": tune.uniform(0, 1)}, None]), "choice")],
)  # fmt: skip
def test_tune_domains_bohb_samples_otherwise_are_refused(domain, kind):
    with pytest.raises(UnsupportedFeatureError, match="TuneBOHB converts") as info:
        tune.run("t.py", config={"ok": tune.uniform(0, 1), "p": {"x": domain}}, engine="optuna",
                 search_alg=tune.search.TuneBOHB(**KW))  # fmt: skip
    assert info.value.path == "p.x" and kind in str(info.value)
    tune.run("t.py", config={"p": {"x": domain}}, engine="optuna", search_alg=tune.search.OptunaSearch(**KW))


def _refused_space(kind: str) -> CS.ConfigurationSpace:
    cs = CS.ConfigurationSpace()
    cs.add(CS.UniformFloatHyperparameter("ok", 0, 1))
    if kind == "log int":
        cs.add(CS.UniformIntegerHyperparameter("bad", 1, 9, log=True))
    elif kind == "normal":
        cs.add(CS.NormalFloatHyperparameter("bad", mu=0, sigma=1, lower=-3, upper=3))
    elif kind == "beta":
        cs.add(CS.BetaFloatHyperparameter("bad", alpha=2, beta=3, lower=0, upper=1))
    elif kind == "list position":
        cs.add(CS.UniformFloatHyperparameter("bad/0", 0, 1))
    elif kind == "condition":
        cs.add(CS.CategoricalHyperparameter("bad", ["a", "b"]), CS.UniformFloatHyperparameter("x", 0, 1))
        cs.add(CS.EqualsCondition(cs["x"], cs["bad"], "a"))
    return cs


@pytest.mark.parametrize("kind", ["log int", "normal", "beta", "list position", "condition"])
def test_configspace_without_an_exact_counterpart_is_refused(kind):
    for searcher in (TuneBOHB, tune.search.TuneBOHB):
        with pytest.raises(UnsupportedFeatureError, match="ConfigSpace hyperparameter without an exact") as info:
            tune.run("t.py", search_alg=searcher(space=_refused_space(kind), **KW), engine="optuna")
        assert info.value.path.startswith("search_alg.space")
        assert kind == "condition" or info.value.path.endswith(".bad") or info.value.path.endswith(".bad/0")
        assert "OptunaSearch" in info.value.suggestion


N = 20_000


@pytest.mark.slow
def test_configspace_samples_as_configspace():
    """Every kind read, through W&B's scheduler under a random sampler, against ConfigSpace's own sampling:
    KS for floats, chi-square for the rest, identical Python types (20,000 draws)."""
    from sweepbridge.tune import configspace

    cs = CS.ConfigurationSpace(seed=3)
    cs.add(CS.UniformFloatHyperparameter("u", -2, 3.5))
    cs.add(CS.UniformFloatHyperparameter("lu", 1e-3, 10, log=True))
    cs.add(CS.UniformIntegerHyperparameter("i", -3, 4))
    cs.add(CS.CategoricalHyperparameter("w", ["a", 1, 2.5, None], weights=[1, 2, 3, 4]))
    cs.add(CS.CategoricalHyperparameter("c", ["x", "y", 7]))
    cs.add(CS.OrdinalHyperparameter("o", ["lo", "mid", "hi"]))
    cs.add(CS.Constant("k", "fixed"))
    source = [dict(c) for c in cs.sample_configuration(N)]
    cfg = tune.run("t.py", config=configspace.to_tune(cs), num_samples=N, metric="loss", mode="min", engine="optuna")
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = [to_plain(r.config.flat_dict()) for r in scheduler_optimizer(dict(cfg), cfg.scheduler_source,
                                                                              folder).ask_n_runs(N)]  # fmt: skip
    p = {}
    for name in ("u", "lu"):
        p[name] = compare([float(c[name]) for c in source], [c[name] for c in ours], "continuous")
    for name in ("i", "w", "c", "o"):  # types as the program gets them (ConfigSpace's numpy scalars unwrapped)
        p[name] = compare([c[name] for c in source], [c[name] for c in ours], "discrete")
    assert {(type(c["k"]), c["k"]) for c in ours} == {(str, "fixed")} == {(type(c["k"]), c["k"]) for c in source}
    print("p-values:", {k: round(v, 3) for k, v in p.items()})


def test_points_with_flat_names_nest_as_ray_gives_them():
    """Ray's TuneBOHB hands a point to the trial through unflatten_list_dict: {"opt/momentum": x} is nested."""
    from ray._private.dict import unflatten_list_dict

    point = {"act": "relu", "drop": 0.25, "layers": 3, "lr": 0.01, "opt/momentum": 0.75}
    cfgs = [tune.run("t.py", search_alg=searcher(space=config_space(), points_to_evaluate=[dict(point)], **KW),
                     engine="optuna") for searcher in (TuneBOHB, tune.search.TuneBOHB)]  # fmt: skip
    assert cfgs[0].scheduler_source == cfgs[1].scheduler_source
    with tempfile.TemporaryDirectory() as folder:
        (run,) = scheduler_optimizer(dict(cfgs[0]), cfgs[0].scheduler_source, folder).ask_n_runs(1)
    assert run.config.flat_dict() == unflatten_list_dict(point)
