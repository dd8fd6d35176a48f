"""Mirror of `ray.tune.suggest.concurrency_limiter`."""

from ..search.algorithms import ConcurrencyLimiter

__all__ = ["ConcurrencyLimiter"]
