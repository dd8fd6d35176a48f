"""sweepbridge's ExperimentAnalysis against Ray's own, built from real Ray Trials on the same histories (no cluster)."""

from __future__ import annotations

import json
import math

import pytest
from test_result_grid import _histories

from sweepbridge.errors import SweepBridgeError
from sweepbridge.tune.experiment_analysis import ExperimentAnalysis, Unanswerable
from sweepbridge.tune.result_grid import SCOPES, TrialData, TuneError

pd = pytest.importorskip("pandas")
pytest.importorskip("ray.tune")

METRICS = ("loss", "acc", "eval/f1", "eval/ok", "training_iteration")
DEFAULTS = [(None, None), ("loss", "min"), ("acc", "max"), ("eval/f1", "min"), ("loss", None), (None, "max")]


def _checkpointed(rows: list[dict]) -> list[int]:
    """The iterations a trial checkpoints at: every third, and its last."""
    return sorted({r["training_iteration"] for r in rows if r["training_iteration"] % 3 == 0} | {len(rows)})


def _build(histories, tmp_path, metric, mode):
    """(ours, Ray's) ExperimentAnalysis over the same trials, results, errors and checkpoints."""
    from ray.train._internal.session import _TrainingResult
    from ray.train._internal.storage import StorageContext
    from ray.tune import Checkpoint
    from ray.tune.analysis import ExperimentAnalysis as RayExperimentAnalysis
    from ray.tune.experiment import Trial

    ours, rays = [], []
    for i, (config, rows, failed) in enumerate(histories):
        results = [{**r, "config": config} for r in rows]
        checkpoints = []
        for it in _checkpointed(rows):
            directory = tmp_path / "ckpt" / f"t{i}" / f"it{it}"
            directory.mkdir(parents=True)
            checkpoints.append((str(directory), it))
        ours.append(
            TrialData(
                trial_id=f"t{i}",
                config=config,
                results=results,
                path=f"/runs/t{i}",
                error=TuneError("failed") if failed else None,
                state="failed" if failed else "finished",
                checkpoints=checkpoints,
            )
        )
        storage = StorageContext(storage_path=str(tmp_path), experiment_dir_name="exp", trial_dir_name=f"t{i}")
        trial = Trial("__fake", config=config, stub=True, trial_id=f"t{i}", storage=storage)
        (tmp_path / "exp" / f"t{i}").mkdir(parents=True)
        by_iteration = {}
        for result in results:
            trial.update_last_result(dict(result))
            by_iteration[result["training_iteration"]] = result
        for directory, it in checkpoints:
            checkpoint = Checkpoint.from_directory(directory)
            trial.run_metadata.checkpoint_manager.register_checkpoint(_TrainingResult(checkpoint, by_iteration[it]))
        (tmp_path / "exp" / f"t{i}" / "result.json").write_text("".join(json.dumps(r) + "\n" for r in results))
        if failed:
            trial.set_status(Trial.ERROR)
        else:
            trial.last_result.update(done=True)  # what Ray's controller does when a trial ends
            trial.set_status(Trial.TERMINATED)
        rays.append(trial)
    ray_analysis = RayExperimentAnalysis(
        str(tmp_path / "exp" / "experiment_state.json"), trials=rays, default_metric=metric, default_mode=mode
    )
    return ExperimentAnalysis(ours, default_metric=metric, default_mode=mode), ray_analysis


def _same(ours_call, rays_call):
    """Both refuse, or both return; the returned values (for the caller to compare). Where Ray fails on
    its own None (AttributeError: no best trial), ours refuses with a SweepBridgeError."""
    try:
        expected = rays_call()
    except (ValueError, AttributeError):
        with pytest.raises(SweepBridgeError):
            ours_call()
        return None, None, False
    return ours_call(), expected, True


def _dump(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _id(trial) -> str | None:
    return trial.trial_id if trial is not None else None


def _path(checkpoint) -> str | None:
    return checkpoint.path if checkpoint is not None else None


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("metric", "mode"), DEFAULTS)
def test_tune_runs_accessors_equal_rays_experiment_analysis(tmp_path, seed, metric, mode):
    ours, rays = _build(_histories(seed), tmp_path, metric, mode)
    assert (ours.default_metric, ours.default_mode) == (rays.default_metric, rays.default_mode)
    compared = 0
    for name in ("best_trial", "best_config", "best_result", "best_checkpoint", "best_dataframe", "best_result_df"):
        mine, theirs, answered = _same(lambda n=name: getattr(ours, n), lambda n=name: getattr(rays, n))
        if not answered:
            continue
        compared += 1
        if name == "best_trial":
            assert _id(mine) == _id(theirs)
        elif name == "best_checkpoint":
            assert _path(mine) == _path(theirs)
        elif name in ("best_dataframe", "best_result_df"):
            pd.testing.assert_frame_equal(mine, theirs)
        else:
            assert _dump(mine) == _dump(theirs), name
    assert compared >= (6 if metric and mode else 0)
    assert _dump(ours.results) == _dump(rays.results)
    pd.testing.assert_frame_equal(ours.results_df, rays.results_df)
    assert ours.trial_dataframes.keys() == rays.trial_dataframes.keys()
    for trial_id, frame in rays.trial_dataframes.items():
        pd.testing.assert_frame_equal(ours.trial_dataframes[trial_id], frame)
    for prefix in (False, True):
        assert ours.get_all_configs(prefix=prefix) == rays.get_all_configs(prefix=prefix)


@pytest.mark.parametrize("seed", [0, 1])
def test_choosing_trials_and_checkpoints_equals_ray(tmp_path, seed):
    ours, rays = _build(_histories(seed), tmp_path, None, None)
    chosen = []
    for metric in METRICS:
        for mode in ("min", "max"):
            for scope in SCOPES:
                for filt in (True, False):
                    got = ours.get_best_trial(metric, mode, scope, filter_nan_and_inf=filt)
                    assert _id(got) == _id(rays.get_best_trial(metric, mode, scope, filter_nan_and_inf=filt))
                    chosen.append(_id(got))
            assert _dump(ours.get_best_config(metric, mode)) == _dump(rays.get_best_config(metric, mode))
            for df_mode in (None, mode):
                frame = rays.dataframe(metric, df_mode)
                pd.testing.assert_frame_equal(ours.dataframe(metric, df_mode), frame)
    assert chosen.count(None) < len(chosen) / 4 and len(set(chosen)) >= 4  # mostly found, among several trials
    pd.testing.assert_frame_equal(ours.dataframe(), rays.dataframe())
    for mine, theirs in zip(ours.trials, rays.trials, strict=True):
        assert mine.trial_id == theirs.trial_id and _dump(mine.last_result) == _dump(theirs.last_result)
        assert mine.status == theirs.status
        for metric in (None, "loss", "acc", "eval/f1", "training_iteration"):
            for mode in ("min", "max"):
                try:
                    expected = _path(rays.get_best_checkpoint(theirs, metric, mode))
                except KeyError:  # a checkpoint's result lacks the metric
                    with pytest.raises(KeyError, match="has no"):
                        ours.get_best_checkpoint(mine, metric, mode)
                    continue
                assert _path(ours.get_best_checkpoint(mine, metric, mode)) == expected, (mine, metric, mode)
        assert _path(ours.get_last_checkpoint(mine)) == _path(rays.get_last_checkpoint(theirs))
    assert _path(ours.get_last_checkpoint()) == _path(rays.get_last_checkpoint())
    for bad in (lambda a: a.get_best_trial("loss"), lambda a: a.dataframe(mode="min"), lambda a: a.get_best_trial()):
        with pytest.raises(ValueError):
            bad(rays)
        with pytest.raises(SweepBridgeError):
            bad(ours)


def test_one_trial_is_the_best_whatever_the_metric_and_nan_checkpoints_never_win(tmp_path):
    losses = [math.nan, 2.0, math.nan, 5.0, 1.0, 1.0]  # checkpoints at iterations 3 (NaN) and 6 (1.0)
    rows = [{"loss": v, "training_iteration": i + 1} for i, v in enumerate(losses)]
    ours, rays = _build([({"a": 1}, rows, False)], tmp_path, "acc", "max")
    assert _id(ours.best_trial) == _id(rays.best_trial) == "t0"  # "acc" was never reported
    with pytest.raises(KeyError):
        rays.best_checkpoint  # noqa: B018
    with pytest.raises(KeyError, match="has no 'acc'"):
        ours.best_checkpoint  # noqa: B018
    for mode in ("min", "max"):
        mine = ours.get_best_checkpoint(ours.trials[0], "loss", mode)
        assert _path(mine) == _path(rays.get_best_checkpoint(rays.trials[0], "loss", mode))
        assert mine.path.endswith("it6")


def test_what_reads_rays_own_experiment_state_is_refused_by_name():
    analysis = ExperimentAnalysis([TrialData("t0", {"a": 1}, [{"x": 1, "training_iteration": 1}], "/runs/t0")])
    for name in ("stats", "runner_data"):
        with pytest.raises(Unanswerable, match=f"ExperimentAnalysis.{name} is not available"):
            getattr(analysis, name)()
        assert not hasattr(analysis, name)
    with pytest.raises(AttributeError, match="no attribute 'best_confg'"):
        analysis.best_confg  # noqa: B018
    assert analysis.get_best_logdir("x", "max") == "/runs/t0"  # the trial's directory (its W&B run's)
    with pytest.raises(ValueError, match="pass a `metric` and `mode` parameter to `tune.run"):
        analysis.best_logdir  # noqa: B018
