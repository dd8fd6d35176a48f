"""Population Based Training → a W&B sweep whose generated scheduler runs Ray's PBT (engine optuna).

Run: python examples/tuner_pbt.py [OUTPUT]   (default: sweep-pbt.yaml; the scheduler source is written beside
it). The trainable is Ray's PBT function example: the best learning rate changes during training, so a
schedule of learning rates (what PBT finds) beats any fixed one. It checkpoints every iteration and restores
from tune.get_checkpoint(): a PBT trial continues in a new run from another run's checkpoint.
"""

import json
import os
import sys
import tempfile
import warnings

from sweepbridge import ApproximationWarning, tune
from sweepbridge.tune.schedulers import PopulationBasedTraining


def pbt_function(config):
    """Ray's pbt_function example, condensed: accuracy grows fastest at an lr that moves during training."""
    lr, accuracy, step = config["lr"], 0.0, 1
    checkpoint = tune.get_checkpoint()
    if checkpoint is not None:
        with checkpoint.as_directory() as folder, open(os.path.join(folder, "state.json")) as f:
            state = json.load(f)
        accuracy, step = state["acc"], state["step"] + 1
    while True:
        midpoint, q_tolerance = 100, 3  # the optimal lr is 0.01 before accuracy 100, 0.001 after
        optimal_lr = 0.01 if accuracy < midpoint else 0.001
        q_err = max(lr, optimal_lr) / min(lr, optimal_lr)
        if q_err < q_tolerance:
            accuracy += (1.0 / q_err) * 10
        elif lr > optimal_lr:
            accuracy -= (q_err - q_tolerance) * 10
        accuracy = max(accuracy, 0)
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "state.json"), "w") as f:
                json.dump({"acc": accuracy, "step": step}, f)
            tune.report({"mean_accuracy": accuracy, "lr": lr}, checkpoint=tune.Checkpoint.from_directory(folder))
        step += 1


if __name__ == "__main__":
    output = sys.argv[1] if len(sys.argv) > 1 else "sweep-pbt.yaml"
    pbt = PopulationBasedTraining(
        time_attr="training_iteration",
        perturbation_interval=4,
        hyperparam_mutations={"lr": tune.uniform(0.0001, 0.02)},
    )
    tuner = tune.Tuner(
        pbt_function,
        param_space={"lr": tune.uniform(0.0001, 0.02)},
        tune_config=tune.TuneConfig(metric="mean_accuracy", mode="max", num_samples=8, scheduler=pbt),
        run_config=tune.RunConfig(name="pbt-example", stop={"training_iteration": 30}),
    )
    with warnings.catch_warnings(record=True) as caught:  # what differs from Ray's PBT, stated once
        warnings.simplefilter("always", ApproximationWarning)
        sweep = tuner.to_sweep(engine="optuna")
    for w in caught:
        print(f"# note: {w.message}", file=sys.stderr)
    sweep.save(output)
    print(f"# written to {output}\n{sweep}", end="")
