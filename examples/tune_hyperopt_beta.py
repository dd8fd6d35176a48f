"""W&B's 2020 beta example (docs/semantics.md), unchanged except the imports.

Run: python examples/tune_hyperopt_beta.py [OUTPUT]   (default: sweep-hyperopt.yaml)
"""

import sys

from sweepbridge import tune
from sweepbridge.hyperopt import hp
from sweepbridge.tune.suggest.hyperopt import HyperOptSearch

output = sys.argv[1] if len(sys.argv) > 1 else "sweep-hyperopt.yaml"

tune_config = tune.run(
    "train.py",
    search_alg=HyperOptSearch(
        dict(
            width=hp.uniform("width", 0, 20),
            height=hp.uniform("height", -100, 100),
            activation=hp.choice("activation", ["relu", "tanh"])),
        metric="mean_loss",
        mode="min"),
    num_samples=10)  # fmt: skip

# Save sweep as yaml config file
tune_config.save(output)

# Create the sweep (needs a W&B login): wandb.sweep(tune_config)
print(f"# written to {output}\n{tune_config}", end="")
