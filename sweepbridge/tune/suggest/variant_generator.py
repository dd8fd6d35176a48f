"""Mirror of `ray.tune.suggest.variant_generator`."""

from ..search.basic_variant import BasicVariantGenerator

__all__ = ["BasicVariantGenerator"]
