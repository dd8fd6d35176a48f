"""The config a trainable receives: Ray's shape, rebuilt from the W&B run's config."""

from __future__ import annotations

import copy
from typing import Any

from ..trial_command import CONFIG_KEYS, PBT_KEY, REPEAT_AXIS

WANDB_INTERNAL = "_wandb"


def ray_config(wandb_config: dict[str, Any], wandb_block: dict[str, Any] | None) -> dict[str, Any]:
    """The sweep parameters as Ray would pass them: same nesting and types, constants included.

    W&B sends nested parameters as nested dicts and keeps JSON types (ints stay ints); the grid's
    repetition axis `_tune_repeat` and a PBT run's lineage `_pbt` (not in Ray's config) are removed and
    config["wandb"] restored.
    """
    hidden = (WANDB_INTERNAL, REPEAT_AXIS, PBT_KEY)
    config = {k: copy.deepcopy(v) for k, v in wandb_config.items() if k not in hidden}
    if wandb_block is not None and CONFIG_KEYS in wandb_block:  # settings from a callback / setup_wandb too
        own = wandb_block[CONFIG_KEYS]
        if own:
            config["wandb"] = {k: copy.deepcopy(wandb_block[k]) for k in own if k in wandb_block}
    elif wandb_block is not None:
        config["wandb"] = copy.deepcopy(wandb_block)
    return config
