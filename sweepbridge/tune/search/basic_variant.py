"""Mirror of `ray.tune.search.basic_variant`."""

from .algorithms import BasicVariantGenerator

__all__ = ["BasicVariantGenerator"]
