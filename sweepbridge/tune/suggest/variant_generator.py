"""Mirror of `ray.tune.suggest.variant_generator`."""

from ..search.algorithms import BasicVariantGenerator

__all__ = ["BasicVariantGenerator"]
