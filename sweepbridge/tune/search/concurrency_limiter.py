"""Mirror of `ray.tune.search.concurrency_limiter`."""

from .algorithms import ConcurrencyLimiter

__all__ = ["ConcurrencyLimiter"]
