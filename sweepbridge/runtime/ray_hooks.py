"""Ray's own reporting API, answered by the trial: no ray.init(), no Ray process.

Every Ray Tune in-trial function (ray.tune.report / get_checkpoint / get_context, the V1
ray.train.report and ray.air.session.report, which forward to ray.tune.report inside a Tune
trainable) asks `ray.train._internal.session.get_session()` for the trial's session. That module
global is the seam Ray itself fills for a Tune function trainable; the trial fills it with a
session object that forwards to the W&B run. It is installed when Ray's session module is
imported (a post-import hook, wandb's own mechanism), so a trial whose trainable never imports Ray
never pays for importing it.

Ray's W&B integration would start a second run (`setup_wandb` calls wandb.init(reinit=True)):
`ray.air.integrations.wandb.setup_wandb` is replaced, when that module is imported, by
sweepbridge's, which returns the trial's run.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

SESSION_MODULE = "ray.train._internal.session"
WANDB_MODULE = "ray.air.integrations.wandb"


class RayTrialInfo:
    """What Ray's trial info structs hold (the session's TrialInfo, a Trainable's _TrialInfo), from the W&B run."""

    def __init__(self, trial: Any) -> None:
        self.name, self.id, self.logdir = trial.trial_name, trial.trial_id, trial.trial_dir
        self.trial_name, self.trial_id = self.name, self.id
        self.experiment_name, self.run_id = trial.experiment_name, trial.trial_id
        self.resources = self.trial_resources = None
        self.driver_ip = self.driver_node_id = None


class RaySession:
    """Duck-typed `_TrainSession` of a Tune function trainable (world_rank None = a Tune session)."""

    world_rank = local_rank = node_rank = local_world_size = world_size = None
    dataset_shard = None
    storage = None
    ignore_report = False
    synchronous_result_reporting = True

    def __init__(self, trial: Any) -> None:
        self._trial = trial
        self.trial_info = RayTrialInfo(trial)
        self.metadata: dict[str, Any] = {}

    def report(self, metrics: dict[str, Any], checkpoint: Any = None) -> None:
        self._trial.report(metrics, checkpoint=checkpoint)

    @property
    def loaded_checkpoint(self) -> Any:
        return self._trial.loaded_checkpoint

    experiment_name = property(lambda self: self.trial_info.experiment_name)
    trial_name = property(lambda self: self.trial_info.name)
    trial_id = property(lambda self: self.trial_info.id)
    run_id = property(lambda self: self.trial_info.run_id)
    trial_dir = property(lambda self: self.trial_info.logdir)
    trial_resources = property(lambda self: None)

    def get_state(self, key: str) -> Any:
        return None

    def set_state(self, key: str, value: Any) -> None:
        pass


def install(trial: Any) -> None:
    """Route Ray's session and W&B integration to `trial` whenever (if ever) Ray is imported."""
    from wandb.sdk.lib import import_hooks

    def session_hook(module: ModuleType) -> None:
        module._session = RaySession(trial)

    def wandb_hook(module: ModuleType) -> None:
        from ..tune.integration import wandb as ours

        module.setup_wandb = ours.setup_wandb

    import_hooks.register_post_import_hook(session_hook, "sweepbridge-trial", SESSION_MODULE)
    import_hooks.register_post_import_hook(wandb_hook, "sweepbridge-trial", WANDB_MODULE)


def uninstall() -> None:
    import sys

    module = sys.modules.get(SESSION_MODULE)
    if module is not None and isinstance(getattr(module, "_session", None), RaySession):
        module._session = None
