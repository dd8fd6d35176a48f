"""sweepbridge's ResultGrid against Ray's own ResultGrid built on the same trial histories (no cluster)."""

from __future__ import annotations

import json
import math
import random

import pytest

from sweepbridge.errors import SweepBridgeError
from sweepbridge.tune.result_grid import SCOPES, ResultGrid, TrialData, TuneError, metric_analysis

pd = pytest.importorskip("pandas")


def _histories(seed: int) -> list[tuple[dict, list[dict], bool]]:
    """(config, results, failed) per trial: nested metrics, NaN and inf, a bool, uneven lengths, a string."""
    rng = random.Random(seed)
    out = []
    for i in range(7):
        n = rng.randint(1, 14)
        rows = []
        for it in range(1, n + 1):
            loss = rng.uniform(0, 10)
            if rng.random() < 0.1:
                loss = math.nan
            if rng.random() < 0.05:
                loss = math.inf
            rows.append(
                {
                    "loss": loss,
                    "acc": rng.random(),
                    "eval": {"f1": rng.random(), "ok": rng.random() < 0.5},
                    "note": f"it{it}",
                    "training_iteration": it,
                    "done": False,
                    "trial_id": f"t{i}",
                    "pid": 1,
                }
            )
        config = {"lr": rng.choice([0.1, 0.01]), "net": {"width": rng.randint(1, 9)}, "i": i}
        out.append((config, rows, i == 3))
    out.append(
        ({"lr": 0.5, "net": {"width": 1}, "i": 7}, [{"acc": 0.2, "training_iteration": 1, "trial_id": "t7"}], False)
    )
    return out


def _ours(histories, metric=None, mode=None) -> ResultGrid:
    trials = [
        TrialData(
            trial_id=f"t{i}",
            config=config,
            results=[{**r, "config": config} for r in rows],
            path=f"/runs/t{i}",
            error=TuneError("failed") if failed else None,
            state="failed" if failed else "finished",
        )
        for i, (config, rows, failed) in enumerate(histories)
    ]
    return ResultGrid(trials, default_metric=metric, default_mode=mode)


def _rays(histories, tmp_path, metric=None, mode=None):
    from ray.train._internal.storage import StorageContext
    from ray.tune.analysis import ExperimentAnalysis
    from ray.tune.experiment import Trial
    from ray.tune.result_grid import ResultGrid as RayResultGrid

    trials = []
    for i, (config, rows, failed) in enumerate(histories):
        storage = StorageContext(storage_path=str(tmp_path), experiment_dir_name="exp", trial_dir_name=f"t{i}")
        trial = Trial("__fake", config=config, stub=True, trial_id=f"t{i}", storage=storage)
        (tmp_path / "exp" / f"t{i}").mkdir(parents=True)
        lines = []
        for row in rows:
            result = {**row, "config": config}
            trial.update_last_result(dict(result))
            lines.append(json.dumps(result))
        (tmp_path / "exp" / f"t{i}" / "result.json").write_text("\n".join(lines) + "\n")
        if failed:
            trial.set_status(Trial.ERROR)
        else:
            trial.last_result.update(done=True)  # what Ray's controller does when a trial ends
            trial.set_status(Trial.TERMINATED)
        trials.append(trial)
    analysis = ExperimentAnalysis(
        str(tmp_path / "exp" / "experiment_state.json"), trials=trials, default_metric=metric, default_mode=mode
    )
    return RayResultGrid(analysis)


def _id(result) -> str:
    return result.metrics["trial_id"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_get_best_result_equals_rays_under_every_scope_and_mode(tmp_path, seed):
    pytest.importorskip("ray.tune")
    histories = _histories(seed)
    ours, rays = _ours(histories), _rays(histories, tmp_path)
    compared = 0
    for metric in ("loss", "acc", "eval/f1", "eval/ok", "training_iteration"):
        for mode in ("min", "max"):
            for scope in SCOPES:
                for filt in (True, False):
                    try:
                        expected = _id(rays.get_best_result(metric, mode, scope, filter_nan_and_inf=filt))
                    except RuntimeError:
                        with pytest.raises(RuntimeError):
                            ours.get_best_result(metric, mode, scope, filter_nan_and_inf=filt)
                        continue
                    assert _id(ours.get_best_result(metric, mode, scope, filter_nan_and_inf=filt)) == expected, (
                        metric,
                        mode,
                        scope,
                        filt,
                    )
                    compared += 1
    assert compared > 60


def test_default_metric_and_mode_come_from_the_tune_config(tmp_path):
    pytest.importorskip("ray.tune")
    histories = _histories(4)
    ours, rays = _ours(histories, "acc", "max"), _rays(histories, tmp_path, "acc", "max")
    assert _id(ours.get_best_result()) == _id(rays.get_best_result())
    assert _id(ours.get_best_result(scope="avg")) == _id(rays.get_best_result(scope="avg"))
    with pytest.raises(ValueError, match="No metric is provided"):
        _ours(histories).get_best_result()
    with pytest.raises(ValueError, match="No mode is provided"):
        _ours(histories).get_best_result("acc")


def test_a_grid_of_one_trial_returns_it_whatever_the_metric():
    histories = _histories(0)[:1]
    assert _id(_ours(histories).get_best_result("nothing", "min")) == "t0"


def test_metric_analysis_equals_rays(tmp_path):
    pytest.importorskip("ray.tune")
    histories = _histories(5)
    rays = _rays(histories, tmp_path)
    for (config, rows, _), trial in zip(histories, rays._experiment_analysis.trials, strict=True):
        ours = metric_analysis([{**r, "config": config} for r in rows])
        theirs = trial.metric_analysis
        assert set(ours) == set(theirs)
        for metric in ours:
            for key, value in theirs[metric].items():
                assert ours[metric][key] == pytest.approx(value, nan_ok=True), (metric, key)


@pytest.mark.parametrize("filter_metric, filter_mode", [(None, None), ("loss", "min"), ("acc", "max"), ("x", "min")])
def test_get_dataframe_equals_rays(tmp_path, filter_metric, filter_mode):
    pytest.importorskip("ray.tune")
    histories = _histories(6)
    ours = _ours(histories).get_dataframe(filter_metric, filter_mode)
    rays = _rays(histories, tmp_path).get_dataframe(filter_metric, filter_mode)
    assert list(ours.columns) == list(rays.columns)
    pd.testing.assert_frame_equal(ours, rays, check_dtype=False)


def test_results_equal_rays_metrics_config_dataframe_and_counts(tmp_path):
    pytest.importorskip("ray.tune")
    histories = _histories(7)
    ours, rays = _ours(histories), _rays(histories, tmp_path)
    assert len(ours) == len(rays) and ours.num_errors == rays.num_errors == 1
    assert ours.num_terminated == rays.num_terminated
    for mine, theirs in zip(ours, rays, strict=True):
        assert json.dumps(mine.metrics, sort_keys=True) == json.dumps(theirs.metrics, sort_keys=True)
        assert mine.config == theirs.config
        pd.testing.assert_frame_equal(mine.metrics_dataframe, theirs.metrics_dataframe, check_dtype=False)
    assert [type(e) for e in ours.errors] == [TuneError]
    assert ours[3].error is not None and ours[0].error is None


def test_bad_mode_and_scope_are_readable_errors():
    grid = _ours(_histories(0))
    with pytest.raises(SweepBridgeError, match="scope must be one of"):
        grid.get_best_result("loss", "min", scope="first")
    with pytest.raises(SweepBridgeError, match="one of \\[min, max\\]"):
        grid.get_best_result("loss", "lowest")
    with pytest.raises(SweepBridgeError, match="filter_metric"):
        grid.get_dataframe(filter_mode="min")
