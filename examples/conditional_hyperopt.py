"""hyperopt's classic conditional space (its documentation's classifier example) → a sweep for W&B's
sweep scheduler: sweep.yaml + sweep_scheduler.py, written side by side.

W&B's own engine cannot sample a conditional space (each branch has its own parameters; the decision
tree's max_depth is optional); W&B's client-side scheduler runs the generated Optuna space exactly.

Run: python examples/conditional_hyperopt.py [OUTPUT]   (default: sweep.yaml in the current directory)
Then, in the folder holding both files:
    wandb sweep sweep.yaml                 # prints SWEEP_ID
    wandb sweep-scheduler SWEEP_ID         # suggests runs (needs optuna); keep it running
    wandb agent SWEEP_ID                   # runs them (as many agents as you like)
"""

from __future__ import annotations

import sys

from sweepbridge import to_sweep

try:
    from hyperopt import hp
except ImportError:  # hyperopt not installed: the mirror builds the same space
    from sweepbridge.hyperopt import hp

space = {
    "classifier": hp.choice(
        "classifier_type",
        [
            {"type": "naive_bayes"},
            {
                "type": "svm",
                "C": hp.lognormal("svm_C", 0, 1),
                "kernel": hp.choice(
                    "svm_kernel",
                    [{"ktype": "linear"}, {"ktype": "RBF", "width": hp.lognormal("svm_rbf_width", 0, 1)}],
                ),
            },
            {
                "type": "dtree",
                "criterion": hp.choice("dtree_criterion", ["gini", "entropy"]),
                "max_depth": hp.choice("dtree_max_depth", [None, hp.qlognormal("dtree_max_depth_int", 3, 1, 1)]),
                "min_samples_split": hp.qlognormal("dtree_min_samples_split", 2, 1, 1),
            },
        ],
    )
}
# method="bayes": hyperopt's tpe.suggest (Optuna's TPE with hyperopt's settings); "random" samples exactly.
sweep = to_sweep(space, engine="optuna", method="bayes", metric="val_loss", program="train.py", run_cap=50)


def main(output: str = "sweep.yaml") -> None:
    path = sweep.save(output)  # also writes <stem>_scheduler.py beside it (both files or neither)
    print(f"# written to {path} and {sweep['scheduler']['source']}\n{sweep}", end="")


if __name__ == "__main__":
    main(*sys.argv[1:2])
