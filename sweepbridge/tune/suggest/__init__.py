"""Mirror of `ray.tune.suggest` (the 2020 path, Ray < 2.0): the same classes as `sweepbridge.tune.search`."""

from ..search import *  # noqa: F403
from ..search import __all__  # noqa: F401
