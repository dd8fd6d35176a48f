"""The compat table's rows, one module per source; `sweepbridge.compat` assembles them in this order."""

from . import hyperopt, reverse, structure, tune, wandb

SECTIONS = (hyperopt, tune, structure, wandb, reverse)
