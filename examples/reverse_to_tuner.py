"""Turn a W&B sweep YAML into a Ray Tune Tuner (constructed, not run).

Run: python examples/reverse_to_tuner.py [SWEEP.yaml]   (default: examples/data/sweep_for_tune.yaml)
Prints the Python source sweepbridge renders, then the Tuner built from the same sweep.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from sweepbridge import ApproximationWarning, render_python, to_tune

DEFAULT = Path(__file__).parent / "data" / "sweep_for_tune.yaml"


def train(config: dict) -> dict:
    """A stand-in trainable: Ray calls it with one sampled config per trial."""
    return {"loss": (config["lr"] - 0.01) ** 2 + config["model"]["dropout"]}


def main(path: str | Path = DEFAULT) -> object:
    with warnings.catch_warnings(record=True) as caught:  # hyperband → ASHA is equivalent, not identical
        warnings.simplefilter("always", ApproximationWarning)
        print(render_python(path, target="tune"))
        spec = to_tune(path)
    for warning in caught:
        print(f"note: {warning.message}", file=sys.stderr)
    tuner = spec.tuner(train)
    config = spec.tune_config()
    print(
        f"Tuner ready: metric={config.metric} mode={config.mode} num_samples={config.num_samples} "
        f"scheduler={type(config.scheduler).__name__} parameters={sorted(spec.param_space)}"
    )
    return tuner


if __name__ == "__main__":
    main(*sys.argv[1:2])
