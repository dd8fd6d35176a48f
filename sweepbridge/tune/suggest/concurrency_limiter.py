"""Mirror of `ray.tune.suggest.concurrency_limiter`."""

from ..search.concurrency_limiter import ConcurrencyLimiter

__all__ = ["ConcurrencyLimiter"]
