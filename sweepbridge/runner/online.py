"""`sweepbridge run --mode online`: the runs form a W&B sweep with a local controller.

wandb's own code throughout: the login lookup wandb.Api() makes (WANDB_API_KEY, .netrc, wandb's
settings), the sweep creation of `wandb sweep --controller` (`controller: {type: local}`, so W&B's
server does not schedule the sweep: this runner, running W&B's engine, does), the sweep URL
`wandb sweep` prints, and the step with which wandb's local controller ends a sweep whose search has
nothing left (`_WandbController.schedule(None)`: a schedule entry without args). The trials attach
to the sweep as the agent's do, through WANDB_SWEEP_ID.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import SpecError, SweepBridgeError

LOGIN_ADVICE = (
    "run `wandb login` (or set WANDB_API_KEY) first, or run offline (the default, no --mode) "
    "and upload later with `wandb sync`."
)


class OnlineError(SweepBridgeError):
    """W&B's server refused or could not be reached while creating or ending the sweep."""


@dataclass(frozen=True)
class OnlineSweep:
    """A sweep on W&B's server, with the id, entity and project the server answered."""

    id: str
    entity: str
    project: str
    url: str | None

    @property
    def path(self) -> str:
        return f"{self.entity}/{self.project}/{self.id}"

    def env(self) -> dict[str, str]:
        """What a trial needs to join the sweep, as the wandb agent sets it."""
        return {"WANDB_SWEEP_ID": self.id, "WANDB_ENTITY": self.entity, "WANDB_PROJECT": self.project}


@contextmanager
def _environ_kept() -> Iterator[None]:
    """wandb's sweep functions set WANDB_PROJECT / WANDB_ENTITY in os.environ: undo that afterwards."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def require_login() -> None:
    """Refuse (SpecError) unless wandb finds credentials for its server, as wandb.Api() looks them up."""
    import wandb
    from wandb.sdk import wandb_setup
    from wandb.sdk.lib import wbauth

    base_url = wandb.env.get_base_url(wandb_setup.singleton().settings.base_url)
    try:
        auth = wbauth.authenticate_session(host=base_url, source="sweepbridge run", prompt=False, update_session=False)
    except wandb.Error as exc:
        raise SpecError(f"--mode online: the W&B credentials are invalid ({exc}): {LOGIN_ADVICE}") from None
    if auth is None:
        raise SpecError(f"--mode online needs a W&B login for {base_url}: {LOGIN_ADVICE}")


def _api(entity: str | None, project: str | None) -> Any:
    import wandb

    overrides = {k: v for k, v in (("entity", entity), ("project", project)) if v}
    try:
        return wandb.Api(overrides=overrides)
    except wandb.Error as exc:
        raise OnlineError(f"--mode online: W&B refused the login ({exc}): {LOGIN_ADVICE}") from None


def create_sweep(config: Mapping[str, Any], *, project: str | None, entity: str | None) -> OnlineSweep:
    """Create the sweep on W&B's server as `wandb sweep --controller` does (a local-controller sweep); a
    `method: custom` sweep with a `scheduler` block as plain `wandb sweep` does (W&B's schema refuses
    `controller` beside `scheduler`)."""
    import wandb
    from wandb import util
    from wandb.apis.public.sweeps import _upsert_sweep
    from wandb.sdk.launch.sweeps import utils as sweep_utils
    from wandb.sdk.wandb_sweep import _get_sweep_url

    sweep = copy.deepcopy(dict(config))
    if "scheduler" not in sweep:  # W&B's rule: a scheduler sweep takes no controller (this runner schedules it)
        sweep.setdefault("controller", {})
        sweep["controller"]["type"] = "local"
    with _environ_kept():
        api = _api(entity, project)
        # the CLI's defaults, in its order
        entity = entity or os.environ.get("WANDB_ENTITY") or sweep.get("entity") or api.settings["entity"]
        project = (
            project
            or os.environ.get("WANDB_PROJECT")
            or sweep.get("project")
            or api.settings["project"]
            or util.auto_project_name(sweep.get("program"))
        )
        try:
            obj, warnings = _upsert_sweep(api, sweep, project=project, entity=entity)
        except wandb.Error as exc:
            raise OnlineError(f"W&B's server refused the sweep: {exc}") from None
        sweep_utils.handle_sweep_config_violations(warnings)
        sweep_id = str(obj["name"])
        entity = str(api.settings["entity"] or api.default_entity or entity or "")
        project = str(api.settings["project"] or project or "")
        url = _get_sweep_url(base_url=api.settings["base_url"], entity=entity, project=project, sweep_id=sweep_id)
    return OnlineSweep(sweep_id, entity, project, url)


def finish_sweep(sweep: OnlineSweep) -> bool:
    """The step wandb's local controller takes when W&B's search has no further run: it schedules an
    entry without args (`_WandbController.schedule(None)`), which tells W&B's server the sweep is done.
    False, with a warning, when the server could not be told (the runs and results are complete)."""
    import warnings

    import wandb
    from wandb.wandb_controller import ControllerError

    with _environ_kept():
        try:
            controller = wandb.controller(sweep.id, entity=sweep.entity, project=sweep.project)
            controller.schedule(None)
        except (wandb.Error, ValueError, ControllerError) as exc:
            warnings.warn(f"could not mark W&B sweep {sweep.path} done: {exc}", RuntimeWarning, stacklevel=2)
            return False
    return True
