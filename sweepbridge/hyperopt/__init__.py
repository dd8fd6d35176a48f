"""Mirror of `hyperopt` for building spaces without hyperopt installed: `from sweepbridge.hyperopt import hp`."""

from . import hp

__all__ = ["hp"]
