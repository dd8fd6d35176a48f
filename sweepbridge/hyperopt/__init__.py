"""Mirror of `hyperopt` for building spaces without hyperopt installed:
`from sweepbridge.hyperopt import hp, scope`."""

from . import hp, scope

__all__ = ["hp", "scope"]
