"""The base of the mirrored search algorithms, and what a searcher's home provides.

One module per Ray searcher (`basic_variant`, `hyperopt`, `bayesopt`, `bohb`, `optuna`, `concurrency_limiter`,
and the refused ones) holds one subclass of `Searcher` that owns everything about it: Ray's names for it,
its defaults (one table, checked against Ray's signature by tests/test_tune_homes.py), reading Ray's real
object (`from_ray`), the W&B-native plan (`plan`), the Optuna mapping (`sampler`, `runs_first`), the reverse
mapping (`reverse`) and its compat rows. `sweepbridge.tune.registry` lists the homes; see docs/adding-a-searcher.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ... import compat
from ...errors import SpecError
from ..plan import Contribution, Warnings, changed


class Searcher:
    """Base of the mirrored search algorithms."""

    method: ClassVar[str] = "variant"
    """W&B's method: "variant" (grid or random, decided by the space) or "bayes"."""
    row: ClassVar[str] = "tune.search.basic_variant"
    """Compat row of the W&B-native translation (warned unless it is Ray's default searcher's)."""
    names: ClassVar[tuple[str, ...]] = ()
    """Ray's names for it in `tune.run(search_alg="...")` (ray.tune.search.create_searcher)."""
    ray_module: ClassVar[str | None] = None
    """The Ray module defining the class of the same name (reading real objects, rendering Ray source)."""
    beta_name: ClassVar[str | None] = None
    """Its name in the 2020 W&B beta's files ("module.Class" of ray.tune.suggest), if the beta had it."""
    defaults: ClassVar[dict[str, Any]] = {}
    """Ray's defaults of its options (what changes Ray's behaviour when given otherwise)."""
    multi_objective: ClassVar[bool] = False
    """Whether Ray's searcher takes metric=[...] / mode=[...] (several objectives, W&B's `metrics`)."""

    def __init__(self, space: Any = None, metric: str | None = None, mode: str | None = None, **options: Any):
        self.space, self.metric, self.mode = space, metric, mode
        self.options = options

    # -- reading Ray's real object ---------------------------------------------------------------------------
    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        """The mirror of Ray's real `obj` of this class (read from its attributes)."""
        raise SpecError(f"unrecognised Ray Tune search algorithm {type(obj).__name__}.", path="search_alg")

    def unwrap(self, mirror: Callable[[Any], Searcher]) -> tuple[Searcher, Warnings]:
        """The searcher that decides (a ConcurrencyLimiter's inner one, mirrored by `mirror`) and what unwrapping
        it warns."""
        return self, []

    # -- W&B's own engine ------------------------------------------------------------------------------------
    def plan(self) -> Contribution:
        """Its part of a W&B-native sweep (method, metric/mode, space; warnings)."""
        plan = Contribution(type(self).__name__, self.method, self.space, self.metric, self.mode)
        if self.row != Searcher.row:
            plan.warnings.append((self.row, ""))
        given = changed(self.options, self.defaults)
        if "max_concurrent" in given:
            given.remove("max_concurrent")
            plan.warnings.append(("tune.search.concurrency", f"{type(self).__name__}(max_concurrent=...) is ignored."))
        if given:
            plan.warnings.append(
                ("tune.search.options", f"{type(self).__name__}({', '.join(given)}) has no W&B counterpart; ignored.")
            )
        return plan

    # -- W&B's sweep scheduler (Optuna engine) ---------------------------------------------------------------
    def sampler(self) -> tuple[Any, Warnings]:
        """Its Optuna sampler (backends.optuna_source.SamplerSpec) and what differs; refused by default."""
        raise compat.refuse("optuna.search.other", f"Got {type(self).__name__}.", path="search_alg")

    def space_sampler(self, sampler: Any, space: Any) -> Any:
        """The sampler for the translated `space` (IR): `sampler()`'s, unless the sampler needs the space (a
        library's own optimizer over its parameters, `backends.asktell_source`)."""
        return sampler

    def points(self) -> tuple[Any, ...]:
        """The points_to_evaluate the study enqueues, as given."""
        given = self.options.get("points_to_evaluate")
        if given is None or given == []:
            return ()
        if not isinstance(given, (list, tuple)):
            raise SpecError(f"points_to_evaluate must be a list of dicts, got {given!r}.", path="search_alg")
        return tuple(given)

    def runs_first(self, space: Any, points: tuple[Any, ...]) -> tuple[Any, ...]:
        """Refuse, by path, what Ray's searcher itself refuses in the translated `space` (IR) and `points`;
        return the points as the run receives them (to enqueue)."""
        return points

    def told(self, space: Any) -> tuple[tuple[Any, float], ...]:
        """(point, value) pairs evaluated before the search (OptunaSearch's evaluated_rewards), told to the study
        as finished trials; () when the searcher takes none."""
        return ()

    def define_by_run(self) -> Any:
        """The searcher's own define-by-run space function (backends.optuna_source.DefineByRun), else None."""
        return None

    # -- the reverse direction -------------------------------------------------------------------------------
    @classmethod
    def reverse(cls, sampler: dict[str, Any], settings: dict[str, Any], metric: dict[str, Any]) -> Any:
        """The `calls.Call` building this searcher from a generated study's sampler (its data), or None when
        the sampler is not this searcher's."""
        return None


def seed(value: Any, what: str) -> int | None:
    """An int seed (or None) for the generated study; anything else is refused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{what} must be an int seed under engine optuna, got {value!r}.", path="search_alg")
    return value


def check_options(cls: type, options: dict[str, Any]) -> None:
    """TypeError (as Ray's constructor) for keyword arguments the searcher does not take."""
    unknown = sorted(set(options) - set(cls.defaults))  # type: ignore[attr-defined]
    if unknown:
        raise TypeError(f"{cls.__name__}() got unexpected keyword arguments {unknown}")


class Refused(Searcher):
    """A Ray searcher W&B's engines have no counterpart for: refused when constructed, by its compat row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise compat.refuse(self.row, path="search_alg")

    @classmethod
    def from_ray(cls, obj: Any) -> Searcher:
        return cls()
