"""The grid example of Ray Tune's user guide: nn_layers over a 3x3 grid, 10 times.

Run (in examples/): python tune_grid.py [OUTPUT]   (default: sweep-grid.yaml)
Then: sweepbridge run sweep-grid.yaml --count 3     (my_trainable.py, the guide's program, runs)

The guide's config also samples `alpha` and `beta` with tune.sample_from(lambda spec: ...), beta
reading alpha: arbitrary Python that W&B cannot run, and random values mixed into a grid, which
W&B's grid cannot sample. Both are refused with the reason (printed below); the grid itself is
exact: 9 grid points x num_samples=10 = 90 runs, each point exactly 10 times (the repetition index
`_tune_repeat` is in wandb.config only: the sweep's command keeps it out of the program's flags).
"""

import sys

import numpy as np

from sweepbridge import UnsupportedFeatureError, tune

output = sys.argv[1] if len(sys.argv) > 1 else "sweep-grid.yaml"

nn_layers = [tune.grid_search([16, 64, 256]), tune.grid_search([16, 64, 256])]

try:  # the guide's full config, verbatim
    tune.run(
        "my_trainable.py",
        name="my_trainable",
        config={
            "alpha": tune.sample_from(lambda spec: np.random.uniform(100)),
            "beta": tune.sample_from(lambda spec: spec.config.alpha * np.random.normal()),
            "nn_layers": nn_layers,
        },
        num_samples=10,
    )
except UnsupportedFeatureError as exc:
    print(f"# refused: {exc}", file=sys.stderr)

try:  # alpha as a proper domain: still random values mixed into a grid
    tune.run("my_trainable.py", config={"alpha": tune.uniform(1, 100), "nn_layers": nn_layers}, num_samples=10)
except UnsupportedFeatureError as exc:
    print(f"# refused: {exc}", file=sys.stderr)

sweep = tune.run("my_trainable.py", name="my_trainable", config={"nn_layers": nn_layers}, num_samples=10)
sweep.save(output)
print(f"# written to {output}\n{sweep}", end="")
