"""Keys of a trainable's config["wandb"] block that the translator and the trial runtime both honour (kept light)."""

from __future__ import annotations

WANDB_SECRETS = ("api_key", "api_key_file")
"""Keys of config["wandb"] that must never reach a sweep config, a file or a log."""
