"""Mirror of ray.tune.integration (the W&B integration: `wandb`)."""
