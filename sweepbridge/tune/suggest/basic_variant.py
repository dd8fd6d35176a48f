"""Mirror of `ray.tune.suggest.basic_variant`."""

from ..search.algorithms import BasicVariantGenerator

__all__ = ["BasicVariantGenerator"]
