"""The 2020 W&B beta's example (width/height/activation, metric mean_loss, 10 runs) → sweep.yaml.

Run: python examples/hyperopt_search.py [OUTPUT]   (default: sweep.yaml in the current directory)
Or:  sweepbridge convert examples/hyperopt_search.py   (converts the global `sweep`)
Works with the real hyperopt (`from hyperopt import hp`) or sweepbridge's mirror, identically.
"""

from __future__ import annotations

import sys

from sweepbridge import to_sweep

try:
    from hyperopt import hp
except ImportError:  # hyperopt not installed: the mirror builds the same space
    from sweepbridge.hyperopt import hp

space = dict(
    width=hp.uniform("width", 0, 20),
    height=hp.uniform("height", -100, 100),
    activation=hp.choice("activation", ["relu", "tanh"]),
)
sweep = to_sweep(space, method="bayes", metric="mean_loss", goal="minimize", program="train.py", run_cap=10)


def main(output: str = "sweep.yaml") -> None:
    sweep.save(output)
    print(f"# written to {output}\n{sweep}", end="")


if __name__ == "__main__":
    main(*sys.argv[1:2])
