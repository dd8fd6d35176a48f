"""tune.run / Tuner with a trainable: program + the trial command, stop criteria, config['wandb']."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import runtime_trainables as rt

from sweepbridge import tune
from sweepbridge.errors import SpecError, UnsupportedFeatureError
from sweepbridge.tune import command as c
from sweepbridge.tune import session
from sweepbridge.tune.stopper import CombinedStopper, MaximumIterationStopper, TimeoutStopper, TrialPlateauStopper

SPACE = {"mean": tune.choice([1, 2, 3]), "sd": tune.uniform(0.2, 0.8)}
HERE = Path(__file__).parent


def _args(cfg) -> dict:
    """The trial's options in the emitted command (after the fixed head)."""
    cmd = cfg["command"]
    assert cmd[: len(c.COMMAND_HEAD)] == list(c.COMMAND_HEAD)
    rest = cmd[len(c.COMMAND_HEAD) :]
    return dict(zip(rest[::2], rest[1::2], strict=True))


def test_function_from_an_importable_module(monkeypatch):
    cfg = tune.run(rt.train_fn, config=SPACE, metric="loss", mode="min", num_samples=3)
    assert cfg["program"] == "runtime_trainables"  # a dotted module: `${program}` is what the trial imports
    assert _args(cfg) == {"--trainable": "train_fn", "--metric": "loss"}
    assert set(cfg["parameters"]) == {"mean", "sd"} and cfg["run_cap"] == 3


def test_class_and_tuner_give_the_same_config_as_run():
    tuner = tune.Tuner(
        rt.MyTrainable,
        param_space=SPACE,
        tune_config=tune.TuneConfig(metric="loss", mode="min", num_samples=2),
        run_config=tune.RunConfig(stop={"training_iteration": 5}),
    )
    cfg = tuner.to_sweep()
    assert cfg == tune.run(
        rt.MyTrainable, config=SPACE, metric="loss", mode="min", num_samples=2, stop={"training_iteration": 5}
    )
    assert _args(cfg)["--trainable"] == "MyTrainable"
    assert json.loads(_args(cfg)["--stop"]) == {"criteria": {"training_iteration": 5}}


def test_function_defined_in_a_script_uses_its_path(tmp_path, monkeypatch):
    script = tmp_path / "train.py"
    script.write_text("def train_fn(config):\n    pass\n")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__", "__file__": str(script)}
    monkeypatch.setitem(sys.modules, "__main__", type(sys)("__main__"))
    sys.modules["__main__"].__file__ = str(script)
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    namespace["train_fn"].__module__ = "__main__"
    cfg = tune.run(namespace["train_fn"], config=SPACE)
    assert cfg["program"] == "train.py" and _args(cfg) == {"--trainable": "train_fn"}


@pytest.mark.parametrize(
    ("given", "program", "name"),
    [("train.py:train_fn", "train.py", "train_fn"), ("pkg.train:MyTrainable", "pkg.train", "MyTrainable")],
)
def test_reference_strings(given, program, name):
    cfg = tune.run(given, config=SPACE)
    assert cfg["program"] == program and _args(cfg)["--trainable"] == name


def test_a_plain_script_stays_a_program_without_command():
    cfg = tune.run("train.py", config=SPACE)
    assert cfg["program"] == "train.py" and "command" not in cfg


@pytest.mark.parametrize("bad", [lambda config: None, "closure", "notebook"])
def test_unimportable_trainables_are_refused_with_advice(bad):
    if bad == "closure":

        def bad(config):
            pass

    elif bad == "notebook":
        code = compile("def cell_fn(config):\n    pass\n", "<ipython-input-3>", "exec")
        namespace: dict = {"__name__": "__main__"}
        exec(code, namespace)
        bad = namespace["cell_fn"]
        bad.__module__ = "__nb_cell__"
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run(bad, config=SPACE)
    assert info.value.feature == "tune.run.callable" and info.value.path == "run_or_experiment"
    assert "top level of a .py file" in str(info.value)


def my_stop(trial_id, result):
    return result["loss"] < 0.1


PLATEAU = TrialPlateauStopper("loss", std=0.01, num_results=3, grace_period=2)


@pytest.mark.parametrize(
    ("stop", "spec"),
    [
        ({"training_iteration": 10, "info/acc": 0.9}, {"criteria": {"training_iteration": 10, "info/acc": 0.9}}),
        (MaximumIterationStopper(7), {"stopper": "MaximumIterationStopper", "kwargs": {"max_iter": 7}}),
        (
            CombinedStopper(MaximumIterationStopper(7), PLATEAU),
            {"any": [{"stopper": "MaximumIterationStopper", "kwargs": {"max_iter": 7}}, c.stop_spec(PLATEAU, "", "")]},
        ),
        (my_stop, {"ref": "test_runtime_translate:my_stop"}),
    ],
)
def test_stop_criteria_are_carried_in_the_command(stop, spec):
    cfg = tune.run(rt.train_fn, config=SPACE, stop=stop)
    assert json.loads(_args(cfg)["--stop"]) == spec
    assert "stop" not in json.dumps(cfg["parameters"])  # never a sweep parameter


def test_real_ray_stoppers_translate_like_ours():
    ray_stopper = pytest.importorskip("ray.tune.stopper")
    ours = CombinedStopper(MaximumIterationStopper(5), PLATEAU)
    theirs = ray_stopper.CombinedStopper(
        ray_stopper.MaximumIterationStopper(5),
        ray_stopper.TrialPlateauStopper("loss", std=0.01, num_results=3, grace_period=2),
    )
    assert c.stop_spec(theirs, "", "") == c.stop_spec(ours, "", "")
    assert c.stop_spec([ray_stopper.MaximumIterationStopper(5)], "", "")["any"][0]["kwargs"] == {"max_iter": 5}


def test_experiment_wide_and_unimportable_stoppers_are_refused():
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run(rt.train_fn, config=SPACE, stop=TimeoutStopper(60))
    assert info.value.feature == "tune.run.stop.experiment"
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run(rt.train_fn, config=SPACE, stop=lambda trial_id, result: False)
    assert info.value.feature == "tune.run.stop.unimportable"
    with pytest.raises(SpecError, match="forward slashes"):
        tune.run(rt.train_fn, config=SPACE, stop={"info": {"acc": 0.9}})


KEY = "sk-0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize("secret", [{"api_key": KEY}, {"api_key_file": "/home/me/.wandb_key"}])
def test_api_keys_are_refused(secret, tmp_path):
    config = {**SPACE, "wandb": {"project": "P", **secret}}
    for make in (
        lambda: tune.run(rt.train_fn, config=config),
        lambda: tune.Tuner(rt.train_fn, param_space=config).to_sweep(),
        lambda: tune.run("train.py", config=config),
    ):
        with pytest.raises(UnsupportedFeatureError) as info:
            make()
        assert info.value.feature == "tune.wandb.api_key"
        assert "wandb login" in info.value.suggestion and "WANDB_API_KEY" in info.value.suggestion
        assert KEY not in str(info.value)


def test_the_wandb_block_goes_to_top_level_keys_and_the_run():
    block = {"project": "Optimization_Project", "entity": "team", "group": "g", "tags": ["a"], "excludes": ["pid"]}
    cfg = tune.run(rt.train_fn, config={**SPACE, "wandb": block})
    assert cfg["project"] == "Optimization_Project" and cfg["entity"] == "team"
    assert "wandb" not in cfg["parameters"]
    assert json.loads(_args(cfg)["--wandb"]) == block  # the trainable gets the whole block back


def test_tune_run_does_nothing_inside_a_trial():
    class Trial:
        pass

    session.activate(Trial())  # what the trial runtime does before importing the user's script
    try:
        assert tune.run(rt.train_fn, config=SPACE) is None
        assert tune.Tuner(rt.train_fn, param_space=SPACE).to_sweep() is None
        with pytest.raises(session.ExperimentReached):  # ends the trial's import of the script there
            tune.Tuner(rt.train_fn, param_space=SPACE).fit()
    finally:
        session.activate(None)


def test_report_outside_a_trial_warns_and_reports_nothing():
    with pytest.warns(UserWarning, match="inside a trainable"):
        tune.report({"loss": 1.0})
    assert tune.get_checkpoint() is None and tune.get_context().get_trial_id() is None


def _callback_classes():
    from sweepbridge.tune.integration.wandb import WandbLoggerCallback

    out = [WandbLoggerCallback]
    try:
        from ray.air.integrations.wandb import WandbLoggerCallback as RayCallback

        out.append(RayCallback)
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("callback", _callback_classes())
def test_wandb_logger_callback_settings_are_honoured(callback, recwarn):
    tuner = tune.Tuner(
        rt.train_fn,
        param_space={**SPACE, "wandb": {"tags": ["t"]}},
        tune_config=tune.TuneConfig(metric="loss", mode="min"),
        run_config=tune.RunConfig(callbacks=[callback(project="Wandb_example", group="x", excludes=["pid"])]),
    )
    cfg = tuner.to_sweep()
    assert cfg["project"] == "Wandb_example"
    expected = {"project": "Wandb_example", "group": "x", "excludes": ["pid"], "tags": ["t"], "_config_keys": ["tags"]}
    block = json.loads(_args(cfg)["--wandb"])
    assert block == expected
    from sweepbridge.runtime.config import ray_config

    assert ray_config({"a": 1}, block) == {"a": 1, "wandb": {"tags": ["t"]}}  # the callback's settings are not config
    assert not [w for w in recwarn if "callbacks" in str(w.message)]  # honoured, so not warned as dropped
    with pytest.raises(UnsupportedFeatureError) as info:
        tune.run(rt.train_fn, config=SPACE, callbacks=[callback(project="p", api_key=KEY)])
    assert info.value.feature == "tune.wandb.api_key" and KEY not in str(info.value)
