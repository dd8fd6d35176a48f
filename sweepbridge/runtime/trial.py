"""`sweepbridge trial PROGRAM --trainable NAME [--metric M] [--stop JSON] [--wandb JSON]`: one W&B run."""

from __future__ import annotations

import sys
import traceback
import warnings
from typing import Any

from ..trial_command import PBT_KEY, TrialCommand
from ..tune import session as tune_session
from . import ray_hooks
from .config import ray_config
from .loading import Loader, TrialImportError
from .pbt import DonorCheckpointError, Lineage, PbtConfigError, lineage_before_init
from .session import TrialSession, TrialStopped
from .stopping import StopRule
from .trainables import is_class_trainable, run_class, run_function, with_parameters

INIT_KEYS = ("group", "tags", "notes", "job_type", "name")
"""Keys of config["wandb"] passed to wandb.init (project / entity are the sweep's top-level keys)."""


def _show(message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def run(args: TrialCommand) -> int:
    """Run one trial as one W&B run; the exit status (0 finished or stopped, 1 failed).

    Warnings raised while the trainable runs are printed when they happen, as Python prints them.
    """
    with warnings.catch_warnings():
        warnings.resetwarnings()  # Python's own default filters (the CLI silences third-party warnings)
        for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning, DeprecationWarning):
            warnings.simplefilter("ignore", category)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        warnings.showwarning = _show
        return _run(args)


def _run(args: TrialCommand) -> int:
    block = dict(args.wandb or {})  # TrialCommand refuses secrets in it
    import wandb

    settings = {k: block[k] for k in INIT_KEYS if k in block}
    lineage = lineage_before_init()
    if lineage is not None:  # a PBT trial's runs form one group (the chain), tagged with their generation
        settings.setdefault("group", lineage.trial)
        settings.setdefault("tags", lineage.tags())
    run_ = wandb.init(**settings)
    loader = Loader()
    trial = TrialSession(
        run_,
        StopRule(None, loader),
        metric=args.metric,
        excludes=block.get("excludes") or (),
        upload_checkpoints=bool(block.get("upload_checkpoints")),
    )
    tune_session.activate(trial)
    ray_hooks.install(trial)
    trial.install_signals()
    status = 0
    try:
        trainable = loader.attribute(loader.module(args.program), args.trainable, args.program)
        trainable = with_parameters(trainable, args.parameters)
        trial.stop_rule = StopRule(args.stop, loader)
        trial.lineage = Lineage.from_config({PBT_KEY: run_.config.get(PBT_KEY)})  # dict(config) hides "_" keys
        if trial.lineage is not None:
            trial.lineage.check_storage(run_)  # W&B artifacts as the storage: an online run
        if trial.lineage is not None and lineage is None and "tags" not in block:
            run_.tags = tuple(run_.tags or ()) + tuple(trial.lineage.tags())
        config = ray_config(dict(run_.config), args.wandb)
        trial.write_params(config)
        restored = trial.restore()
        if is_class_trainable(trainable):
            run_class(trainable, config, trial, restored)
        else:
            try:
                run_function(trainable, config, trial)
            except TrialStopped:
                pass
    except TrialStopped:
        pass
    except TrialImportError as exc:
        print(f"sweepbridge trial: {exc}", file=sys.stderr)
        traceback.print_exc()
        status = 1
    except (DonorCheckpointError, PbtConfigError) as exc:  # before the trainable starts: the run fails, saying why
        print(f"sweepbridge trial: {exc}", file=sys.stderr)
        status = 1
    except Exception:
        traceback.print_exc()  # into the run's output (W&B shows it) and the agent's log
        print(f"sweepbridge trial: the trainable {args.trainable!r} failed; the run is marked failed.", file=sys.stderr)
        status = 1
    finally:
        trial.close()
        tune_session.activate(None)
        ray_hooks.uninstall()
    message = trial.missing_metric_warning() or trial.unpublished_warning()
    if message:
        print(f"warning: {message}", file=sys.stderr)
    if trial.stop_reason:
        print(f"sweepbridge trial: {trial.stop_reason} at training_iteration {trial.last_iteration}.", file=sys.stderr)
    run_.finish(exit_code=status)
    return status
