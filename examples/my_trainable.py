"""The program of examples/tune_grid.py (Ray's guide names it my_trainable.py): a W&B-style script.

It declares exactly its parameter, `--nn_layers` (W&B's `${args}` passes a list as `--nn_layers=[16, 64]`),
and parses strictly, as most argparse programs do: the grid's repetition index never reaches it as a flag
(the sweep's command drops it; it is in wandb.config). Each step logs `mean_loss`, a made-up function
of the layer widths. Run it by hand too: python my_trainable.py --nn_layers "[16, 64]"
"""

from __future__ import annotations

import argparse
import json
import math
import os

import wandb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nn_layers", type=json.loads, default=[64, 64], help="layer widths, a JSON list")
    args = parser.parse_args()
    by_hand = "WANDB_MODE" not in os.environ and "WANDB_SWEEP_ID" not in os.environ
    run = wandb.init(config=vars(args), mode="offline" if by_hand else None)
    widths = list(run.config.nn_layers)
    for step in range(5):
        loss = sum(abs(math.log2(w) - 6) for w in widths) / (step + 1)
        run.log({"mean_loss": loss}, step=step)
    run.finish()


if __name__ == "__main__":
    main()
