"""The compat table's rows, one module per source; `sweepbridge.compat` assembles them in this order."""

from . import ax, hyperopt, optuna, reverse, runtime, structure, tune, wandb

SECTIONS = (hyperopt, tune, runtime, structure, wandb, optuna, ax, reverse)
