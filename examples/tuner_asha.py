"""Today's Ray Tune API: a Tuner with ASHA early stopping → a W&B sweep with hyperband.

Run: python examples/tuner_asha.py [OUTPUT]   (default: sweep-asha.yaml)
Swap `from sweepbridge import tune` for `from ray import tune` in the space, search algorithm and
scheduler and the result is the same; only the Tuner must be sweepbridge's (it has .to_sweep()).
"""

import sys
import warnings

from sweepbridge import ApproximationWarning, tune
from sweepbridge.tune.schedulers import ASHAScheduler

output = sys.argv[1] if len(sys.argv) > 1 else "sweep-asha.yaml"

tuner = tune.Tuner(
    "train.py",
    param_space={
        "lr": tune.loguniform(1e-4, 1e-1),
        "batch_size": tune.choice([32, 64, 128]),
        "layers": tune.randint(1, 5),  # 1..4, as Ray samples it
        "optimizer": {"name": "adam", "beta1": tune.uniform(0.85, 0.95)},
    },
    tune_config=tune.TuneConfig(
        metric="val_loss",
        mode="min",
        num_samples=50,
        scheduler=ASHAScheduler(grace_period=2, reduction_factor=3, max_t=30),
    ),
    run_config=tune.RunConfig(name="asha-example"),
)

with warnings.catch_warnings(record=True) as caught:  # what differs from Ray's ASHA, stated once
    warnings.simplefilter("always", ApproximationWarning)
    sweep = tuner.to_sweep()
for w in caught:
    print(f"# note: {w.message}", file=sys.stderr)

sweep.save(output)
print(f"# written to {output}\n{sweep}", end="")
