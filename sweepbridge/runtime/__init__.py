"""The trial runtime: runs a Ray Tune trainable, unchanged, as one W&B sweep run (`sweepbridge trial`).

The W&B agent starts `python -m sweepbridge trial ${program} --trainable NAME ...` (the command
tune.run / Tuner emit, see sweepbridge.tune.command). The runtime:

1. starts the W&B run (`wandb.init()` picks up the sweep's parameters) and rebuilds the config
   Ray would pass (config.py);
2. imports the trainable by name without starting the experiment again (loading.py);
3. routes every report (sweepbridge.tune.report, Ray's own report functions through Ray's session
   hook, `reporter(**metrics)`, Trainable.train) to one `run.log(..., step=training_iteration)`,
   applying Ray's stop criteria (session.py, stopping.py, ray_hooks.py);
4. keeps checkpoints in the run's directory (checkpoints.py), stops cleanly on the agent's
   SIGTERM, marks the run failed (exit 1) when the trainable raises (trial.py);
5. for a run of a PBT sweep (`_pbt` in its config), publishes its checkpoints to the sweep's storage
   (a directory, a pyarrow URI, or W&B artifacts for a wandb:// storage) and, for a continuation, loads
   the donor's checkpoint first (pbt.py; docs/pbt-runs.md).

Nothing here is imported by `import sweepbridge`: wandb (and Ray, when the trainable uses it) are
imported by the trial only.
"""
