"""Stop criteria stop the trainable at the same iteration under the trial runtime as under Ray Tune.

The oracle is a real `ray.tune.Tuner` (this test starts a local Ray: it is about Ray running), one
small Tuner run per criterion, against `sweepbridge trial` given the command tune.run emitted for the
same criterion. The runtime uses our stopper mirrors for a trainable that does not import Ray, and
Ray's own classes for one that does: both are compared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import runtime_trainables as rt
from trialrun import start_trial
from wandb_offline import offline_runs

from sweepbridge import tune
from sweepbridge.tune import command as c

ray = pytest.importorskip("ray")
ray_tune = pytest.importorskip("ray.tune")
from ray.tune import stopper as rs  # noqa: E402

# end to end: real Ray Tune against the trial runtime; its Ray cluster hangs inside a pytest-xdist worker, so the
# module runs outside xdist (`-m serial`)
pytestmark = [pytest.mark.slow, pytest.mark.serial]

HERE = Path(__file__).parent
PLATEAU = dict(metric="loss", std=0.02, num_results=3, grace_period=3)

CRITERIA = {
    "dict training_iteration": ({"training_iteration": 7}, {}),
    "dict metric": ({"score": 5}, {}),
    "dict nested key": ({"info/x": 3}, {}),
    "callable": (rt.stop_when_loss_small, {}),
    "MaximumIterationStopper": (rs.MaximumIterationStopper(6), {}),
    "TrialPlateauStopper": (rs.TrialPlateauStopper(**PLATEAU), {}),
    "CombinedStopper": (rs.CombinedStopper(rs.MaximumIterationStopper(12), rs.TrialPlateauStopper(**PLATEAU)), {}),
    "list of Stoppers": ([rs.MaximumIterationStopper(9)], {}),
    "done=True in a result": (None, {"done_at": 4}),
}
RAY_CLASSES = ("MaximumIterationStopper", "TrialPlateauStopper", "CombinedStopper")


@pytest.fixture(scope="module")
def ray_iterations(tmp_path_factory):
    """criterion → the last training_iteration under a real ray.tune.Tuner."""
    import runtime_ray_trainables

    ray.cloudpickle.register_pickle_by_value(runtime_ray_trainables)
    ray.cloudpickle.register_pickle_by_value(rt)
    storage = tmp_path_factory.mktemp("ray")
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        out = {}
        for name, (stop, params) in CRITERIA.items():
            tuner = ray_tune.Tuner(
                runtime_ray_trainables.train_curve_ray,
                param_space=params,
                run_config=ray_tune.RunConfig(stop=stop, storage_path=str(storage), name=f"c{len(out)}", verbose=0),
            )
            (result,) = tuner.fit()
            out[name] = result.metrics["training_iteration"]
        return out
    finally:
        ray.shutdown()


def _runtime_iterations(tmp_path: Path, program: str, trainable: str, names: tuple[str, ...]) -> dict[str, int]:
    procs = {}
    for name in names:
        stop, params = CRITERIA[name]
        cfg = tune.run(rt.train_curve, config={"x": 1}, stop=stop)  # the command as emitted
        args = cfg["command"][len(c.COMMAND_HEAD) + 2 :]
        home = tmp_path / name.replace(" ", "_").replace("=", "")
        home.mkdir()
        procs[name] = (home, start_trial(home, home, program, trainable, params, *args))
    out = {}
    for name, (home, proc) in procs.items():  # started together: each is mostly wandb's start-up
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        (run,) = offline_runs(home).values()
        out[name] = run.history[-1]["training_iteration"]
        assert len(run.history) == out[name]
    return out


def test_runtime_stops_where_ray_stops(tmp_path, ray_iterations):
    ours = _runtime_iterations(tmp_path, str(HERE / "runtime_trainables.py"), "train_curve", tuple(CRITERIA))
    assert ours == ray_iterations
    assert len(set(ray_iterations.values())) > 3  # the criteria really stop at different iterations
    assert all(n < 30 for n in ray_iterations.values())  # and every one of them stops the trainable


def test_runtime_with_rays_own_stoppers(tmp_path, ray_iterations):
    """A trainable importing Ray Tune: the trial then builds Ray's own Stopper classes."""
    ours = _runtime_iterations(tmp_path, str(HERE / "runtime_ray_trainables.py"), "train_curve_ray", RAY_CLASSES)
    assert ours == {name: ray_iterations[name] for name in RAY_CLASSES}


def test_stop_spec_round_trip_keeps_json():
    for stop, _ in CRITERIA.values():
        spec = c.stop_spec(stop, "p", "t")
        assert spec is None or json.loads(json.dumps(spec)) == spec
