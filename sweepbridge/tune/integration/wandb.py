"""Mirror of Ray's W&B integration (ray.air.integrations.wandb, the 2020 ray.tune.integration.wandb).

Inside a trial run by `sweepbridge trial`, the W&B run already exists (the sweep's run):
`setup_wandb` returns it and `wandb_mixin` just calls the function, so no second run is created.
Outside a trial they start a run as Ray's would (wandb.init with the `wandb` block of the config).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ...trial_command import WANDB_SECRETS
from .. import session


def _init_kwargs(config: dict[str, Any] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
    block = dict((config or {}).get("wandb") or {})
    for key in (*WANDB_SECRETS, "excludes", "log_config"):
        block.pop(key, None)
    return {**block, **{k: v for k, v in kwargs.items() if k not in WANDB_SECRETS and k != "rank_zero_only"}}


def setup_wandb(config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """The active W&B run inside a trial; else wandb.init(config=..., **config['wandb'], **kwargs)."""
    import wandb

    if session.in_trial() and wandb.run is not None:
        return wandb.run
    params = {k: v for k, v in (config or {}).items() if k != "wandb"}
    return wandb.init(config=params, **_init_kwargs(config, kwargs))


def wandb_mixin(func: Callable[..., Any]) -> Callable[..., Any]:
    """2020 decorator: the function runs with a W&B run active (the trial's own run inside a trial)."""

    @functools.wraps(func)
    def wrapper(config: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        setup_wandb(config)
        return func(config, *args, **kwargs)

    wrapper.__mixins__ = (wandb_mixin,)  # type: ignore[attr-defined]
    return wrapper


class WandbLoggerCallback:
    """Mirror of Ray's callback: under the trial runtime every report is already logged to the run, and
    tune.run / Tuner send these settings to the sweep (project, entity) and the run (group, ...)."""

    def __init__(
        self,
        project: str | None = None,
        group: str | None = None,
        api_key_file: str | None = None,
        api_key: str | None = None,
        excludes: list[str] | None = None,
        log_config: bool = False,
        upload_checkpoints: bool = False,
        **kwargs: Any,
    ) -> None:
        self.project, self.group, self.api_key_path, self.api_key = project, group, api_key_file, api_key
        self.excludes, self.log_config, self.upload_checkpoints = excludes or [], log_config, upload_checkpoints
        self.kwargs = kwargs


WandbLogger = WandbLoggerCallback
"""The 2020 logger class: configured by config['wandb'], honoured by the trial runtime."""
