"""A small real objective for the seed sweep (width, height, activation → mean_loss), W&B-style.

A one-hidden-layer network with random input weights (width+1 units, `activation`, bias shifted by
height/100) whose output layer is fitted by gradient descent to a noisy 1-D function; each step logs
the validation MSE as `mean_loss` (also as `val_loss` and `loss`, the names other examples' sweeps
use). It runs in a few milliseconds and needs only NumPy and wandb.

It takes its parameters the two ways a W&B agent gives them: flags (`--width=3.5 ...`, the agent's
default `${args}`) and `wandb.config` (the sweep's config file). Run it by hand too:
    python train.py --width 8 --activation tanh      (offline unless WANDB_MODE says otherwise)
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import wandb

ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=float, default=10.0, help="hidden units - 1 (0..20)")
    parser.add_argument("--height", type=float, default=0.0, help="bias shift x100 (-100..100)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu")
    parser.add_argument("--steps", type=int, default=20, help="gradient steps (one logged row each)")
    parser.add_argument("--seed", type=int, default=0, help="data and weight seed")
    # A sweep may carry parameters this program does not use (the examples' other spaces, or any
    # W&B `${args}` flag): they are reported and ignored, as W&B-style programs do, never a crash.
    args, unknown = parser.parse_known_args()
    if unknown:
        print(f"train.py: ignoring parameters it does not use: {' '.join(unknown)}", file=sys.stderr)
    return args


def data(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-3, 3, size=(n, 1))
    return x, np.sin(x[:, 0]) + 0.1 * rng.normal(size=n)


def main() -> None:
    args = parse_args()
    # under an agent or `sweepbridge run`, wandb.config holds the sweep's values; by hand: offline
    by_hand = "WANDB_MODE" not in os.environ and "WANDB_SWEEP_ID" not in os.environ
    run = wandb.init(config=vars(args), mode="offline" if by_hand else None)
    cfg = run.config
    rng = np.random.default_rng(cfg.seed)
    x_train, y_train = data(rng, 256)
    x_val, y_val = data(rng, 128)
    units = int(cfg.width) + 1
    weights = rng.normal(size=(1, units))
    act = ACTIVATIONS[cfg.activation]

    def features(x: np.ndarray) -> np.ndarray:
        return act(x @ weights + cfg.height / 100.0)

    h_train, h_val = features(x_train), features(x_val)
    out = np.zeros(units)
    lr = 0.5 / max(1.0, float(np.mean(np.sum(h_train**2, axis=1))))
    for step in range(cfg.steps):
        out -= lr * h_train.T @ (h_train @ out - y_train) / len(y_train)
        mean_loss = float(np.mean((h_val @ out - y_val) ** 2))
        train_loss = float(np.mean((h_train @ out - y_train) ** 2))
        # the validation MSE under the names the examples' sweeps use for it
        run.log({"mean_loss": mean_loss, "val_loss": mean_loss, "loss": mean_loss, "train_loss": train_loss}, step=step)
    run.finish()


if __name__ == "__main__":
    main()
