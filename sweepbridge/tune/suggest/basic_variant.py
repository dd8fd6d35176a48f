"""Mirror of `ray.tune.suggest.basic_variant`."""

from ..search.basic_variant import BasicVariantGenerator

__all__ = ["BasicVariantGenerator"]
