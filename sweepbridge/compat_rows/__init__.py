"""The compat table's rows, one module per source; `sweepbridge.compat` assembles them in this order."""

from . import hyperopt, optuna, reverse, structure, tune, wandb

SECTIONS = (hyperopt, tune, structure, wandb, optuna, reverse)
