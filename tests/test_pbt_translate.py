"""PBT's translation: the mirror and Ray's real object give one sweep; what the generated scheduler reads;
storage; refusals (path, feature, way out); a population run in waves through wandb's optimizer."""

from __future__ import annotations

import ast
import json
import sys
import warnings

import pbt_harness as h
import pytest
from optional import needs

from sweepbridge import tune
from sweepbridge.errors import SpecError, UnsupportedFeatureError
from sweepbridge.tune import schedulers

MUTATIONS = {"lr": tune.loguniform(1e-4, 1e-1), "batch": [16, 32, 64]}


def pbt(**kwargs):
    return schedulers.PopulationBasedTraining(
        **{"time_attr": "training_iteration", "metric": "loss", "mode": "min", "perturbation_interval": 2,
           "hyperparam_mutations": MUTATIONS, **kwargs})  # fmt: skip


def spec(cfg) -> dict:
    text = cfg.scheduler_source.split('r"""\n', 1)[1].split('\n"""', 1)[0]
    return json.loads(text)


def top_explore(config: dict) -> dict:
    return config


def test_the_sweep_and_its_settings():
    with pytest.warns(Warning, match="population 4, perturbation every 2"):
        cfg = tune.run(h.TRAINABLE, config={"lr": 0.01}, scheduler=pbt(synch=True, custom_explore_fn=top_explore),
                       num_samples=4, engine="optuna", stop={"training_iteration": 8}, name="exp")  # fmt: skip
    assert cfg["method"] == "custom" and cfg["scheduler"]["engine"] == "optuna" and "run_cap" not in cfg
    assert cfg["metric"] == {"name": "loss", "goal": "minimize"}
    settings = spec(cfg)["pbt"]
    assert settings["num_samples"] == 4 and settings["synch"] is True and settings["stop_iteration"] == 8
    assert settings["storage"] == "~/sweepbridge_results/exp"
    assert settings["mutations"]["batch"] == {"list": [16, 32, 64]}
    assert settings["mutations"]["lr"]["domain"]["kind"] == "loguniform"
    assert settings["custom_explore_fn"].endswith(":top_explore")
    imported = {
        (n.module if isinstance(n, ast.ImportFrom) else a.name).split(".")[0]
        for n in ast.walk(ast.parse(cfg.scheduler_source)) if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names
    }  # fmt: skip
    # pyarrow: only for a storage URI; wandb: only for a wandb:// storage (W&B artifacts, W&B's public API)
    assert imported - set(sys.stdlib_module_names) == {"optuna", "pyarrow", "wandb"}


def test_storage_path_and_name_from_tune_run_and_tuner(tmp_path):
    cfg = h.sweep(pbt(), storage_path=str(tmp_path), name="exp1")
    assert spec(cfg)["pbt"]["storage"] == f"{tmp_path}/exp1"
    cfg = h.sweep(pbt(), storage_path="s3://bucket/runs/")
    assert spec(cfg)["pbt"]["storage"] == "s3://bucket/runs/pbt"
    tuner = tune.Tuner(h.TRAINABLE, param_space={"lr": 0.01},
                       tune_config=tune.TuneConfig(scheduler=pbt(), num_samples=3),
                       run_config=tune.RunConfig(storage_path=str(tmp_path), name="exp2"))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tuner.to_sweep(engine="optuna")
    assert spec(cfg)["pbt"]["storage"] == f"{tmp_path}/exp2" and spec(cfg)["pbt"]["num_samples"] == 3


@needs("ray")
def test_rays_object_reads_as_the_mirror():
    from ray import tune as rt
    from ray.tune.schedulers import PopulationBasedTraining as RayPBT

    ray = RayPBT(time_attr="training_iteration", metric="loss", mode="min", perturbation_interval=2,
                 hyperparam_mutations={"lr": rt.loguniform(1e-4, 1e-1), "batch": [16, 32, 64]},
                 quantile_fraction=0.5, resample_probability=0.5, perturbation_factors=(2.0, 0.5))  # fmt: skip
    ours = pbt(quantile_fraction=0.5, resample_probability=0.5, perturbation_factors=(2.0, 0.5))
    assert spec(h.sweep(ray))["pbt"] == spec(h.sweep(ours))["pbt"]


def test_auto_engine_chooses_the_sweep_scheduler(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = tune.run(h.TRAINABLE, config={}, scheduler=pbt(), num_samples=2, engine="auto")
    assert cfg["method"] == "custom" and "PopulationBasedTraining" in capsys.readouterr().err


@pytest.mark.parametrize(
    "call, feature, path",
    [
        (lambda: tune.run("train.py", config={}, scheduler=pbt(), engine="optuna"), "tune.scheduler.pbt.program",
         "run_or_experiment"),
        (lambda: h.sweep(pbt(time_attr="timesteps_total")), "tune.scheduler.pbt.time_attr", "scheduler.time_attr"),
        (lambda: h.sweep(pbt(hyperparam_mutations={"lr": lambda: 0.1})), "tune.scheduler.pbt.mutation",
         "scheduler.hyperparam_mutations.lr"),
        (lambda: h.sweep(pbt(hyperparam_mutations={"lr": tune.sample_from(lambda _: 0.1)})),
         "tune.sample_from", "scheduler.hyperparam_mutations.lr"),
        (lambda: h.sweep(pbt(), config={"a": tune.grid_search([1, 2])}), "tune.scheduler.pbt.grid", "a"),
        (lambda: tune.run(h.TRAINABLE, config={}, scheduler=pbt()), "tune.scheduler.pbt", "scheduler"),
    ],
)  # fmt: skip
def test_refusals_name_path_feature_and_way_out(call, feature, path):
    with pytest.raises(UnsupportedFeatureError) as info:
        call()
    assert info.value.feature == feature and info.value.path == path and info.value.suggestion


def test_bad_settings_and_search_algorithms_are_errors():
    for kwargs in ({"quantile_fraction": 0.7}, {"perturbation_interval": 0}, {"hyperparam_mutations": {}},
                   {"perturbation_factors": ()}, {"resample_probability": "x"}):  # fmt: skip
        with pytest.raises(SpecError):
            pbt(**kwargs)
    with pytest.raises(SpecError, match="search algorithms cannot be used"):
        h.sweep(pbt(), search_alg=tune.search.HyperOptSearch())
    with pytest.raises(SpecError, match="W&B artifacts") as info:  # the times are read from the storage
        h.sweep(pbt(time_attr="time_total_s"), storage_path="wandb://team/proj")
    assert info.value.path == "scheduler.time_attr"
    assert h.sweep(pbt(time_attr="time_total_s"), storage_path="/shared/pbt").scheduler_source


@needs("optuna", "wandb")
def test_waves_pause_and_resume_every_trial(tmp_path):
    """Population 4 on 2 slots: a trial at a perturbation point is paused (pruned, continued later from its own
    checkpoint) so the waiting ones run; every trial reaches the stop iteration."""
    cfg = h.sweep(pbt(synch=True, hyperparam_mutations={"batch": [16, 32, 64]}), num_samples=4,
                  storage_path=str(tmp_path), name="w", stop={"training_iteration": 6})  # fmt: skip
    _, source = h.load(cfg, tmp_path, "pbt_waves")
    driver = h.Driver(cfg, source)
    storage, at, reached = tmp_path / "w" / "sweep1", {}, {}
    slots = 2
    for _ in range(60):
        live = [i for i, r in driver.runs.items() if r["state"] == "running"]
        for run_id, config in driver.ask(slots - len(live)) if len(live) < slots else []:
            meta = config["_pbt"]
            at[run_id] = [meta["trial"], meta["generation"], meta["iteration"] or 0]
            if meta["iteration"]:
                run, iteration = meta["donor"], meta["iteration"]
                assert (storage / run / f"checkpoint_{iteration:06d}").is_dir()
        for run_id in [i for i, r in driver.runs.items() if r["state"] == "running"]:
            name, generation, i = at[run_id]
            i = at[run_id][2] = i + 1
            h.checkpoint(storage, f"{name}/{generation:04d}", i)
            driver.report(run_id, i, float(int(name[4:]) + i))
            if i == 6:
                driver.finish(run_id)
                reached[name] = True
        driver.poll()
        if len(reached) == 4:
            break
    events = [e["event"] for e in driver.population.log]
    assert len(reached) == 4 and "pause" in events and "close" not in events


def test_reverse_refuses_a_pbt_sweep_rather_than_dropping_pbt():
    from sweepbridge import reverse

    cfg = h.sweep(pbt(), config={"lr": 0.01})
    with pytest.raises(UnsupportedFeatureError) as info:
        reverse.to_tune(cfg)
    assert info.value.feature == "reverse.tune.pbt" and info.value.suggestion


@needs("optuna", "wandb")
def test_a_new_trial_takes_the_config_and_draws_missing_mutated_keys(tmp_path):
    """Constants of the config stay; a mutated key the config lacks is drawn from its mutation (Ray's fill)."""
    cfg = h.sweep(pbt(), config={"lr": 0.01, "opt": {"name": "adam"}})
    _, source = h.load(cfg, tmp_path, "pbt_fill")
    configs = [c for _, c in h.Driver(cfg, source).ask(4)]
    assert all(c["lr"] == 0.01 and c["opt"] == {"name": "adam"} and c["batch"] in (16, 32, 64) for c in configs)
    assert [c["_pbt"]["trial"] for c in configs] == [f"pbt_{k:05d}" for k in range(4)]
    assert all(c["_pbt"]["generation"] == 0 and c["_pbt"]["donor"] is None for c in configs)


def test_pb2_without_its_dependencies_is_refused(monkeypatch):
    """Where numpy / pandas / scipy / scikit-learn are missing, PB2 is refused naming them (the check is the
    real one, over a list holding a module that is not installed)."""
    from sweepbridge.tune.schedulers import pb2 as home

    monkeypatch.setattr(home, "NEEDS", (*home.NEEDS, "a_module_not_installed"))
    with pytest.raises(UnsupportedFeatureError) as info:
        h.sweep(schedulers.PB2(time_attr="training_iteration", metric="loss", mode="min",
                               hyperparam_bounds={"lr": [1e-4, 1e-1]}))  # fmt: skip
    assert info.value.feature == "optuna.scheduler.pb2" and "a_module_not_installed" in info.value.message
    assert info.value.path == "scheduler" and info.value.suggestion


def _closing(tmp_path, finish_first: bool) -> list:
    tmp_path.mkdir()
    cfg = h.sweep(pbt(hyperparam_mutations={"batch": [16, 32, 64]}), num_samples=4, storage_path=str(tmp_path))
    _, source = h.load(cfg, tmp_path, f"pbt_close_{int(finish_first)}")
    driver = h.Driver(cfg, source)
    runs = driver.ask(4)
    for step in (1, 2):  # pbt_00000 is the worst
        for k, (run_id, _) in enumerate(runs):
            h.checkpoint(tmp_path / "pbt" / "sweep1", f"pbt_{k:05d}/0000", step)
            driver.report(run_id, step, float(3 - k))
    if finish_first:
        driver.finish(runs[0][0])
    assert driver.poll() == []  # at 2 no top trial had a checkpoint yet (as in Ray)
    if finish_first:  # the finished run's slot is asked for
        assert driver.ask(1) == []
    first = 1 if finish_first else 0
    for step in (3, 4):
        for k, (run_id, _) in enumerate(runs[first:], start=first):
            h.checkpoint(tmp_path / "pbt" / "sweep1", f"pbt_{k:05d}/0000", step)
            driver.report(run_id, step, float(3 - k) + (1 if k == 1 else 0))
    driver.poll()
    return [e["event"] for e in driver.population.log]


@needs("optuna", "wandb")
def test_an_ask_with_no_trial_waiting_closes_the_population(tmp_path):
    """A trial that finishes while others run frees a slot no trial waits for: the ask gets no run (W&B's
    scheduler then stops asking), so the population is closed and the perturbation point at 4 exploits nothing
    (pbt_00001, now the worst, would take pbt_00003's checkpoint); without the early finish, 4 exploits."""
    closed = _closing(tmp_path / "a", finish_first=True)
    assert "close" in closed and "exploit" not in closed[closed.index("close") :]
    assert "exploit" in _closing(tmp_path / "b", finish_first=False)


@needs("optuna", "wandb")
def test_a_restarted_scheduler_does_not_start_a_second_population_nor_closes_it(tmp_path):
    """W&B's scheduler, restarted over a sweep's runs, adopts them (tell_existing_finished_run): their trials
    are rebuilt (a finished run: its trial is done), no second population starts, and the population stays open."""
    from wandb.sdk.sweeps import RunState
    from wandb.sdk.sweeps.scheduler.optimizer import RunConfig, RunWithMetrics

    cfg = h.sweep(pbt(), config={"lr": 0.01})
    _, source = h.load(cfg, tmp_path, "pbt_adopt")
    first = h.Driver(cfg, source)
    (_, old), *_ = first.ask(4)
    again = h.Driver(cfg, source, sweep_id="sweep1")
    again.optimizer.tell_existing_finished_run(RunWithMetrics(
        config=RunConfig.from_values(old), state=RunState.FINISHED, wandb_run_id="r0",
        summary_metrics={"loss": 1.0}, history_metrics=[{"_step": 1, "loss": 1.0}]))  # fmt: skip
    names = [c["_pbt"]["trial"] for _, c in again.ask(3)]
    assert names == ["pbt_00001", "pbt_00002", "pbt_00003"]
    log = again.population.log
    assert [e["trials"] for e in log if e["event"] == "rebuild"] == [{"pbt_00000": "done (pbt_00000/0000)"}]
    assert not again.population.closed and "close" not in [e["event"] for e in log]


def test_pb2_bounds_nest_as_rays_and_clashing_names_are_refused():
    """PB2(hyperparam_bounds) flat names ("a/b") nest as Ray's unflatten_dict; a clash is a SpecError, not a
    TypeError."""
    bounds = schedulers.PB2(hyperparam_bounds={"opt/lr": [0.001, 0.1], "batch": [16, 64]}).hyperparam_mutations
    assert set(bounds) == {"opt", "batch"} and set(bounds["opt"]) == {"lr"}
    with pytest.raises(SpecError, match="clashes") as info:
        schedulers.PB2(hyperparam_bounds={"opt": [0, 1], "opt/lr": [0, 1]})
    assert info.value.path == "scheduler.hyperparam_bounds"
