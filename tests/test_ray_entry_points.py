"""Ray's init and experiment calls replaced while a block runs (the helper of script_run and the trial loader)."""

from __future__ import annotations

import pytest

from sweepbridge.ray_entry_points import CALLS, replaced


def test_the_calls_are_replaced_in_both_ray_modules_and_restored_even_when_nested():
    ray = pytest.importorskip("ray")
    tune = pytest.importorskip("ray.tune")
    import ray.tune.tune as tune_module
    from ray.tune.tuner import Tuner

    originals = (ray.init, ray.shutdown, Tuner.fit, tune.run, tune_module.run, tune.run_experiments)
    calls: list[tuple[str, tuple]] = []

    def outer(name):
        return lambda *args, **kwargs: calls.append((f"outer {name}", args)) or name

    with replaced(outer, no_op=("init", "shutdown")):
        assert ray.init(num_cpus=1) is None and ray.shutdown() is None  # nothing starts
        assert tune.run("t") == tune_module.run("t") == "tune.run"
        assert tune.run_experiments({}) == "tune.run_experiments"
        with replaced(lambda name: lambda *a, **k: f"inner {name}"):
            assert tune.run("t") == "inner tune.run"
            assert ray.shutdown() is None  # still the outer block's
        assert tune.run("t") == "tune.run"
        tuner = Tuner.__new__(Tuner)
        assert tuner.fit() == "Tuner.fit" and calls[-1] == ("outer Tuner.fit", (tuner,))  # a method: gets the Tuner
    assert (ray.init, ray.shutdown, Tuner.fit, tune.run, tune_module.run, tune.run_experiments) == originals
    assert {name for name, _ in calls} >= {f"outer {c}" for c in CALLS}
