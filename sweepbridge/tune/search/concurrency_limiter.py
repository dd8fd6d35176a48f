"""Home of Ray's ConcurrencyLimiter: unwrapped (warned), since concurrency is the number of W&B agents you start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..plan import Warnings
from .searcher import Searcher


class ConcurrencyLimiter(Searcher):
    """Unwrapped (warned): concurrency is the number of W&B agents you start."""

    ray_module = "ray.tune.search.concurrency_limiter"

    def __init__(self, searcher: Any, max_concurrent: int, batch: bool = False) -> None:
        self.searcher, self.max_concurrent, self.batch = searcher, max_concurrent, batch
        self.space, self.metric, self.mode, self.options = None, None, None, {}

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        return cls(obj.searcher, obj.max_concurrent, obj.batch)  # the inner one is mirrored when unwrapped

    def unwrap(self, mirror: Callable[[Any], Searcher]) -> tuple[Searcher, Warnings]:
        inner, warnings = mirror(self.searcher).unwrap(mirror)
        note = ("tune.search.concurrency", f"ConcurrencyLimiter(max_concurrent={self.max_concurrent}).")
        return inner, [*warnings, note]
