"""`sweepbridge check`: per parameter, does W&B's engine sample what the source library samples?

For every parameter of the sweep, N configs are drawn from the source library (hyperopt through
`hyperopt.pyll.stochastic.sample`, Ray Tune through `Domain.sample`, grids enumerated by Ray's
`generate_variants`) and N from W&B's own engine (`sweeps`, as `preview` runs it) on the sweep, and
the two samples of that parameter are compared (sweepbridge.stats): discrete W&B constructs by
their full probability table (chi-square), continuous ones by the two-sample KS test, both by
total variation and by their Python types. A parameter fails when p < P_MIN (0.001) shared among
the sweep's k parameters (P_MIN / k each, Bonferroni: an exact translation fails by chance with
probability below P_MIN, whatever its size), its types differ, or a value one side draws often
never occurs on the other ("often": so often that its absence on the other side has p below the
same threshold, corrected for every value tested: `stats.absent_p`; a value expected about once
at N, as in wide integer ranges, is absent by chance and no failure).

The source is sampled with the real libraries: a Python file, tune spec or 2020 beta file is run
with sweepbridge's mirrors (`sweepbridge.hyperopt.hp`, the domains of `sweepbridge.tune`) bound to
hyperopt's and Ray Tune's own functions, so what is sampled is what those libraries build from the
user's code; the translation of those real objects must equal the mirror's (checked first). A W&B
sweep file is checked against its reverse translation (`to_hyperopt`, or `to_tune` for grids).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ApproximationWarning, SpecError, SweepBridgeError
from .param_path import join
from .stats import P_MIN

DEFAULT_N = 20_000
"""Draws per side: the project's standard for continuous kinds (KS on >= 20,000 draws)."""
GRID_LIMIT = 100_000
"""Largest grid enumerated on each side."""
CONTINUOUS = frozenset(
    {"uniform", "log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values", "normal"}
    | {"log_normal", "beta"}
)
"""W&B constructs compared by the KS test; every other construct has a finite or countable support."""
LOG_CONSTRUCTS = frozenset(
    {"log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values", "log_normal"}
)
"""Continuous constructs plotted on a log axis."""
REPEAT_NOTE = "sweepbridge's repetition index (num_samples on a grid); not in the source"
HYPEROPT_HINT = "pip install 'sweepbridge[hyperopt]'"
RAY_HINT = "pip install 'sweepbridge[ray]'"


class CheckError(SweepBridgeError):
    """The check cannot run (a library it samples is missing, a source it cannot sample)."""


@dataclass(frozen=True)
class Subject:
    """What is checked: a W&B sweep and the source-library space it should sample like."""

    sweep: Mapping[str, Any]
    space: Any
    library: str


@dataclass
class Row:
    """The comparison of one parameter."""

    path: tuple[str, ...]
    source: str
    wandb: str
    test: str
    p: float | None
    tv: float | None
    types_equal: bool
    ok: bool
    note: str = ""
    continuous: bool = False
    source_values: list = field(default_factory=list, repr=False)
    wandb_values: list = field(default_factory=list, repr=False)
    alpha: float = P_MIN
    """The p-value below which this parameter fails (`per_parameter`)."""

    @property
    def name(self) -> str:
        return ".".join(self.path)


# --- the real libraries in place of the mirrors ------------------------------------------------


class _Library:
    """A module imported on first attribute access, its absence a CheckError naming the extra."""

    def __init__(self, module: str, hint: str) -> None:
        self._module, self._hint = module, hint

    def __getattr__(self, name: str) -> Any:
        return getattr(_import(self._module, self._hint), name)


def _import(module: str, hint: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise CheckError(f"check samples this source with {top}, which is not installed: {hint}") from None


def _ray_domain(name: str) -> Callable[..., Any]:
    def build(*args: Any, allow_approximate: bool = False, **kwargs: Any) -> Any:
        # allow_approximate is a translation option of the mirror, not part of Ray's domain
        return getattr(_import("ray.tune", RAY_HINT), name)(*args, **kwargs)

    build.__name__ = name
    return build


@contextlib.contextmanager
def real_libraries() -> Iterator[None]:
    """Bind `sweepbridge.hyperopt.hp` to hyperopt's `hp` and sweepbridge.tune's domains to Ray Tune's
    while the block runs (for code that reads them at call time: user files, tune specs, beta files)."""
    from . import hyperopt as hp_package
    from . import tune as tune_package
    from .tune.domains import __all__ as domains

    patches = [(hp_package, "hp", _Library("hyperopt.hp", HYPEROPT_HINT))]
    patches += [(tune_package, name, _ray_domain(name)) for name in domains]
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    try:
        for module, name, value in patches:
            setattr(module, name, value)
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


# --- loading -------------------------------------------------------------------------------------


def reverse_subject(sweep: Any, to: str | None = None) -> Subject:
    """A W&B sweep and its reverse translation (hyperopt by default; Ray Tune for grids or `to='tune'`)."""
    from . import reverse

    target = to or ("tune" if sweep.get("method") == "grid" else "hyperopt")
    if target == "hyperopt":
        _import("hyperopt", HYPEROPT_HINT)
        return Subject(sweep, reverse.to_hyperopt(sweep), "hyperopt (reverse translation)")
    _import("ray.tune", RAY_HINT)
    return Subject(sweep, reverse.to_tune(sweep).param_space, "Ray Tune (reverse translation)")


def load(source: str, *, against: str | None = None, to: str | None = None) -> Subject:
    """SOURCE (anything `sources.load` takes: a W&B sweep file, a tune spec, a beta file, file.py[:NAME])
    → what to check. A translated source is loaded twice, with sweepbridge's mirrors and with the real
    libraries (`real_libraries`); the two sweeps must be equal. A W&B sweep config as written (a file,
    or found in a Python file) is checked against its reverse translation."""
    from . import sources

    mirror = sources.load(source)
    space = getattr(mirror.sweep, "source_space", None)
    if mirror.form == "wandb" or space is None:
        if against is not None:
            raise sources.SourceUsageError(
                f"--against takes a hyperopt / Ray Tune SOURCE; {source} holds a W&B sweep config."
            )
        return reverse_subject(mirror.sweep, to)
    if to is not None:
        raise sources.SourceUsageError("--to applies only when SOURCE is a W&B sweep config.")
    with real_libraries(), warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)  # already said by the mirror's run
        real = sources.load(source).sweep
    if dict(real) != dict(mirror.sweep):
        raise CheckError(
            f"{source} translates differently with hyperopt's / Ray Tune's own functions than with sweepbridge's "
            "mirror; please report this as a bug."
        )
    return Subject(real if against is None else _wandb_sweep(against), real.source_space, "source library")


def _wandb_sweep(path: str) -> Any:
    """The W&B sweep file given as --against, validated."""
    from . import sources

    if Path(path).suffix.lower() not in sources.SPEC_SUFFIXES:
        raise sources.SourceUsageError(f"--against takes a W&B sweep file (.yaml, .yml, .json), got {path!r}.")
    loaded = sources.load(path)
    if loaded.form != "wandb":
        raise sources.SourceError(f"--against: {path} is {sources.FORMS[loaded.form]}, not a W&B sweep config.")
    return loaded.sweep


# --- sampling ------------------------------------------------------------------------------------


def _library(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def hyperopt_samples(expr: Any, n: int, rng: Any) -> list:
    """n draws of a hyperopt space from `rng` (a numpy Generator): the values n calls of
    `hyperopt.pyll.stochastic.sample(expr, rng=rng)` give, at less than half the cost (`stochastic.sample`
    clones the graph and binds it to `rng` on every call; here once)."""
    from hyperopt.pyll import as_apply, clone, rec_eval
    from hyperopt.pyll.stochastic import recursive_set_rng_kwarg

    bound = recursive_set_rng_kwarg(clone(as_apply(expr)), as_apply(rng))
    return [rec_eval(bound) for _ in range(n)]


def _sample_leaf(obj: Any, n: int, rng: Any, path: str) -> list:
    from .stats import normalise

    library = _library(obj)
    if library == "hyperopt":
        return [normalise(v) for v in hyperopt_samples(obj, n, rng)]
    if library == "ray":
        values = obj.sample(size=n, random_state=rng)
        return [normalise(v) for v in (values if n > 1 else [values])]
    if library == "sweepbridge":
        raise CheckError(
            f"{path}: this expression was built by a sweepbridge module check cannot swap for the real library "
            "(e.g. `from sweepbridge.hyperopt.hp import uniform`); write `from sweepbridge.hyperopt import hp` / "
            "`from sweepbridge import tune` (or use hyperopt / Ray Tune directly).",
        )
    return [normalise(obj)] * n


def _columns(obj: Any, n: int, rng: Any, path: str = "") -> list:
    """n joint draws of `obj`: dicts and lists hold independently sampled expressions."""
    if isinstance(obj, Mapping):
        columns = {k: _columns(v, n, rng, join(path, k)) for k, v in obj.items()}
        return [{k: c[i] for k, c in columns.items()} for i in range(n)]
    if isinstance(obj, (list, tuple)):
        columns = [_columns(v, n, rng, join(path, i)) for i, v in enumerate(obj)]
        return [[c[i] for c in columns] for i in range(n)]
    return _sample_leaf(obj, n, rng, path)


def source_draws(space: Any, n: int, seed: int = 0, grid: bool = False) -> list[dict]:
    """n configs from the source library (a grid: Ray's full enumeration instead)."""
    from .stats import normalise

    if grid:
        variants = _import("ray.tune.search.variant_generator", RAY_HINT)
        configs = []
        for _, config in variants.generate_variants(copy.deepcopy(space)):
            configs.append(normalise(config))
            if len(configs) > GRID_LIMIT:
                raise CheckError(f"the grid has more than {GRID_LIMIT:,} points; check a smaller one.")
        return configs
    import numpy as np

    return _columns(space, n, np.random.default_rng(seed))


def wandb_draws(sweep: Mapping[str, Any], n: int, seed: int = 0) -> list[dict]:
    """n configs from W&B's engine (a grid: its full enumeration)."""
    from . import preview

    if sweep.get("method") == "grid":
        return preview.engine_configs(sweep, GRID_LIMIT, seed=seed)
    return preview.engine_configs(sweep, n, seed=seed)


def custom_draws(sweep: Mapping[str, Any], n: int, seed: int = 0) -> list[dict]:
    """n configs from a `method: custom` sweep's study, built as W&B's sweep scheduler builds it (wandb's
    `make_optimizer` on the sweep's scheduler source) and asked through its `ask_n_runs` (as the runner
    asks it), with Optuna's RandomSampler(seed) in place of the study's sampler: the distribution the
    generated search space samples (as `preview` samples bayes: random until results exist). Each run is
    forgotten again (`forget_run`), so no result steers the draws."""
    from .stats import normalise

    try:
        import optuna
        from wandb.sdk.sweeps import SweepInfo
        from wandb.sdk.sweeps.scheduler.optimizer import make_optimizer
    except ImportError as exc:
        raise CheckError(
            f"checking a method: custom sweep needs wandb and optuna: pip install wandb optuna ({exc})"
        ) from None
    with _scheduler_source(sweep) as config:
        info = SweepInfo(id="check", name="check", entity="", project="", config=config, controller_run_name="")
        try:
            optimizer = make_optimizer(info)
        except Exception as exc:  # noqa: BLE001 - wandb's own refusal of the scheduler block, as one readable error
            raise CheckError(f"W&B's sweep scheduler cannot build this sweep's optimizer: {exc}") from None
        study = getattr(optimizer, "study", None)
        if not isinstance(study, optuna.Study):
            raise CheckError(
                f"check samples a method: custom sweep through its Optuna study; this sweep's optimizer "
                f"({type(optimizer).__name__}) has none. Instead: run it (`sweepbridge run`) and compare "
                "the runs' configs."
            )
        study.sampler = optuna.samplers.RandomSampler(seed=seed)
        configs = []
        verbosity = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.WARNING)  # not a line per forgotten trial
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # optuna's experimental-feature notices, once per draw
                for _ in range(n):
                    asked = optimizer.ask_n_runs(1)
                    if not asked:
                        raise CheckError("the sweep's study proposed no configuration; check cannot sample it.")
                    optimizer.forget_run(asked[0].run_id)
                    configs.append(normalise(asked[0].config.flat_dict()))
        finally:
            optuna.logging.set_verbosity(verbosity)
    return configs


@contextlib.contextmanager
def _scheduler_source(sweep: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The sweep config with a scheduler source wandb can load: an unsaved sweep's generated source
    (`scheduler_source`) written to a scratch folder meanwhile; a saved one as its file names it."""
    import tempfile

    config = copy.deepcopy(dict(sweep))
    source = getattr(sweep, "scheduler_source", None)
    scheduler = config.get("scheduler")
    if source is None or not isinstance(scheduler, dict):
        yield config
        return
    with tempfile.TemporaryDirectory(prefix="sweepbridge-check-") as folder:
        path = Path(folder) / Path(str(scheduler.get("source") or "sweep_scheduler.py")).name
        path.write_text(source, encoding="utf-8")
        config["scheduler"] = {**scheduler, "source": str(path)}
        yield config


# --- comparing -----------------------------------------------------------------------------------


def construct(spec: Mapping[str, Any]) -> str:
    """The W&B construct of a parameter spec (inferred as W&B's engine infers it)."""
    if "value" in spec:
        return "value"
    if "values" in spec:
        return "values + probabilities" if "probabilities" in spec else "values"
    if "distribution" in spec:
        return str(spec["distribution"])
    ints = all(isinstance(spec.get(k), int) and not isinstance(spec.get(k), bool) for k in ("min", "max"))
    return "int_uniform" if ints else "uniform"


def _hyperopt_kind(expr: Any) -> str:
    name, wrapped = expr.name, False
    if name == "switch":
        index = expr.pos_args[0]
        dist = index.arg["obj"].name if index.name == "hyperopt_param" else index.name
        return "hp.pchoice" if dist == "categorical" else "hp.choice"
    while name in ("float", "int") and expr.pos_args:
        wrapped |= name == "int"
        expr = expr.pos_args[0]
        name = expr.name
    if name == "hyperopt_param":
        dist = expr.arg["obj"].name
        return f"scope.int(hp.{dist})" if wrapped and dist != "randint" else f"hp.{dist}"
    return f"pyll {name}"


def _ray_kind(domain: Any) -> str:
    from ray.tune.search import sample

    from .frontends.ray_domains import OPS, _sampler_kind

    if isinstance(domain, sample.Categorical):
        return "tune.choice"
    sampler = domain.get_sampler()
    quantized = isinstance(sampler, sample.Quantized)
    inner = sampler.get_sampler() if quantized else sampler
    op = OPS.get((type(domain).__name__, _sampler_kind(inner), quantized))
    return f"tune.{op}" if op else type(domain).__name__


def describe(space: Any, path: tuple[str, ...]) -> str:
    """What the source holds at `path`: e.g. hp.uniform, tune.randint, constant, list."""
    obj = space
    for part in path:
        if not isinstance(obj, Mapping) or part not in obj:
            return "?"
        obj = obj[part]
    library = _library(obj)
    if isinstance(obj, Mapping):
        return "tune.grid_search" if set(obj) == {"grid_search"} else "dict"
    if isinstance(obj, (list, tuple)):
        return "list"
    if library == "hyperopt":
        return _hyperopt_kind(obj)
    if library == "ray":
        return _ray_kind(obj)
    return "constant"


def _lookup(config: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        config = config[part]
    return config


def compare_parameter(
    path: tuple[str, ...], spec: Mapping[str, Any], source: list, wandb: list, grid: bool, alpha: float = P_MIN
) -> Row:
    """One row: the test for the W&B construct, its p-value, total variation and types; it fails
    below `alpha` (`compare` passes P_MIN shared among the sweep's parameters)."""
    from . import stats

    kind = construct(spec)
    continuous = kind in CONTINUOUS and not grid
    types_equal = set(stats.type_counts(source)) == set(stats.type_counts(wandb))
    note, p = "", None
    if continuous:
        test = "KS"
        if stats.finite_floats(source) and stats.finite_floats(wandb):
            p, tv = stats.ks(source, wandb), stats.sample_tv(source, wandb, continuous=True)
        else:
            tv, note = None, "values are not all finite floats"
    else:
        source_table, wandb_table = stats.table(source), stats.table(wandb)  # keyed once: 20,000 draws
        p, cells = stats.chi_square(source_table, wandb_table)
        test = "full table (enumeration)" if grid else f"full table ({cells} cells)"
        tv = stats.total_variation(source_table, wandb_table)
        notes = []
        for mine, other, who in ((source_table, wandb_table, "source"), (wandb_table, source_table, "W&B")):
            missing = stats.missing_heavy(mine, other, alpha)  # "often": too often to be absent by chance at N
            if missing:
                notes.append(f"values {who} draws often never occur on the other side: {missing[:5]}")
        note = "; ".join(notes)
    if not types_equal:  # the first thing to fix, when it is wrong
        src, eng = sorted(stats.type_counts(source)), sorted(stats.type_counts(wandb))
        note = f"types: source {', '.join(src)}; W&B {', '.join(eng)}"
    ok = types_equal and p is not None and p >= alpha and not note
    return Row(path, "", kind, test, p, tv, types_equal, ok, note, continuous, source, wandb, alpha)


def compare(subject: Subject, source: list[dict], wandb: list[dict]) -> list[Row]:
    """One row per leaf parameter of the sweep."""
    from .trial_command import REPEAT_AXIS
    from .validation import parameter_leaves

    parameters = subject.sweep.get("parameters", {})
    grid = subject.sweep.get("method") == "grid"
    rows = []
    leaves = list(parameter_leaves(parameters))
    alpha = per_parameter(len(leaves))
    for path, spec in leaves:
        wandb_values = [_lookup(c, path) for c in wandb]
        try:
            source_values = [_lookup(c, path) for c in source]
        except (KeyError, TypeError, IndexError):
            repeat = path == (REPEAT_AXIS,)
            note = REPEAT_NOTE if repeat else "the source has no value at this path"
            rows.append(
                Row(path, "—", construct(spec), "—", None, None, repeat, repeat, note, wandb_values=wandb_values)
            )
            continue
        row = compare_parameter(path, spec, source_values, wandb_values, grid, alpha)
        row.source = describe(subject.space, path)
        rows.append(row)
    paths = {path for path, _ in leaves}
    for path in _uncovered(source[0] if source else {}, paths):
        rows.append(Row(path, describe(subject.space, path), "—", "—", None, None, False, False, "not in the sweep"))
    return rows


ABSENT = "(absent)"
"""A conditional parameter's value in a draw whose branch does not hold it (method: custom)."""
STUDY = "study (RandomSampler)"
"""The W&B column of a method: custom sweep's rows: its study, sampled by Optuna's RandomSampler."""


def _leaf_paths(config: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in config.items():
        if isinstance(value, Mapping):
            yield from _leaf_paths(value, (*prefix, str(key)))
        else:
            yield (*prefix, str(key))


def _at(config: Any, path: tuple[str, ...]) -> Any:
    try:
        return _lookup(config, path)
    except (KeyError, TypeError, IndexError):
        return ABSENT


def compare_custom(subject: Subject, source: list[dict], wandb: list[dict]) -> list[Row]:
    """One row per leaf path either side's draws hold (a method: custom sweep has no `parameters` to list;
    a conditional space holds some paths in some draws only: `ABSENT` elsewhere). A path whose source values
    are floats, more than half of them distinct, is continuous: KS on the draws holding it, and, when either
    side lacks it in some draws, how often it is there (full table), the smaller p-value doubled (Bonferroni
    within the row). Every other path by its full table, `ABSENT` a value like the others."""
    from . import stats

    paths = list(dict.fromkeys(p for config in (*source[:1000], *wandb[:1000]) for p in _leaf_paths(config)))
    paths += [p for p in dict.fromkeys(q for c in (*source, *wandb) for q in _leaf_paths(c)) if p not in paths]
    alpha = per_parameter(len(paths))
    rows = []
    for path in paths:
        mine, theirs = [_at(c, path) for c in source], [_at(c, path) for c in wandb]
        present = [v for v in mine if v is not ABSENT and v != ABSENT]
        floats = bool(present) and all(isinstance(v, float) for v in present)
        if floats and len(set(present)) > len(present) / 2:
            there = [v for v in theirs if v != ABSENT]
            row = compare_parameter(path, {"distribution": "uniform"}, present, there, False, alpha)
            if ABSENT in mine or ABSENT in theirs:
                p_there, _ = stats.chi_square([v == ABSENT for v in mine], [v == ABSENT for v in theirs])
                row.p = min(1.0, 2 * min(row.p if row.p is not None else 1.0, p_there))
                row.test = "KS + presence"
                row.ok = row.ok and row.p >= alpha
        else:
            row = compare_parameter(path, {"values": []}, mine, theirs, False, alpha)
        row.source, row.wandb = _describe_any(subject.space, path), STUDY
        rows.append(row)
    return rows


def _describe_any(space: Any, path: tuple[str, ...]) -> str:
    """`describe`, or `conditional` for a path inside a choice's branch."""
    described = describe(space, path)
    return "conditional" if described == "?" else described


def per_parameter(parameters: int) -> float:
    """The p-value below which one of `parameters` parameters fails: P_MIN shared among them
    (Bonferroni), so an exact translation of a sweep of any size fails by chance with probability
    below P_MIN, not P_MIN per parameter."""
    return P_MIN / max(1, parameters)


def _uncovered(config: Mapping[str, Any], paths: set[tuple[str, ...]], prefix: tuple[str, ...] = ()) -> Iterator:
    """Paths of a source config that no sweep parameter covers."""
    for name, value in config.items():
        path = (*prefix, name)
        if path in paths:
            continue
        if isinstance(value, Mapping) and any(p[: len(path)] == path for p in paths):
            yield from _uncovered(value, paths, path)
        else:
            yield path


def run(subject: Subject, n: int = DEFAULT_N, seed: int = 0) -> list[Row]:
    """Draw from both sides and compare every parameter."""
    if not isinstance(n, int) or n < 2:
        raise SpecError(f"n must be an int >= 2, got {n!r}.")
    if subject.sweep.get("method") == "custom":
        wandb = custom_draws(subject.sweep, n, seed)
        return compare_custom(subject, source_draws(subject.space, n, seed), wandb)
    grid = subject.sweep.get("method") == "grid"
    wandb = wandb_draws(subject.sweep, n, seed)
    source = source_draws(subject.space, n, seed, grid=grid)
    return compare(subject, source, wandb)


# --- output --------------------------------------------------------------------------------------

HEADERS = ("parameter", "source", "W&B", "test", "p-value", "TV", "types", "result")


def table(rows: list[Row]) -> str:
    from .text_table import render

    def cell(row: Row) -> list[str]:
        p = "—" if row.p is None else f"{row.p:.3g}"
        tv = "—" if row.tv is None else f"{row.tv:.4f}"
        result = "ok" if row.ok else "FAIL"
        if row.note:
            result += f" ({row.note})"
        return [row.name, row.source, row.wandb, row.test, p, tv, "equal" if row.types_equal else "differ", result]

    return render(HEADERS, [cell(r) for r in rows])


def summary(rows: list[Row], n: int, grid: bool) -> str:
    failed = [r.name for r in rows if not r.ok]
    draws = "the full grid enumerated on both sides" if grid else f"{n:,} draws each"
    shared = round(P_MIN / min((r.alpha for r in rows), default=P_MIN))
    threshold = f"{P_MIN:g}" if shared == 1 else f"{P_MIN:g}/{shared}"
    head = f"{len(rows)} parameter{'s' * (len(rows) != 1)} checked ({draws}; a parameter fails at p < {threshold}"
    head += ", differing types or missing values)"
    return f"{head}: all agree" if not failed else f"{head}: {len(failed)} differ: {', '.join(failed)}"


def plot(rows: list[Row], target: str | os.PathLike[str], title: str = "", source: str = "source library") -> Path:
    """One PNG: a small histogram per parameter, the source's and W&B's draws overlaid."""
    try:
        import matplotlib
    except ImportError:
        raise CheckError("--plot needs matplotlib: pip install 'sweepbridge[plot]'") from None
    matplotlib.use("Agg")
    import math

    import matplotlib.pyplot as plt

    shown = rows  # every parameter has its panel, even one only a side draws (its note says why)
    cols = min(3, max(1, len(shown)))
    nrows = max(1, math.ceil(len(shown) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.0 * nrows), squeeze=False)
    for ax, row in zip(axes.flat, shown, strict=False):
        if not (row.source_values and row.wandb_values):
            _one_side(ax, row)
        elif row.continuous:
            _continuous(ax, row)
        elif _wide_numbers(row):
            _binned(ax, row)
        else:
            _discrete(ax, row)
        p = "—" if row.p is None else f"{row.p:.3g}"
        ax.set_title(f"{row.name}: {row.wandb}\n{row.test}, p = {p}", fontsize=8, color="black" if row.ok else "red")
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(shown) :]:
        ax.axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.6) for c in ("tab:blue", "tab:orange")]
    fig.legend(handles, [source, "W&B engine"], loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 0.9, 0.95))
    path = Path(target)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fig.savefig(tmp, format="png", dpi=100)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return path


def _continuous(ax: Any, row: Row) -> None:
    import numpy as np

    both = np.asarray(row.source_values + row.wandb_values, float)
    low, high = float(np.min(both)), float(np.max(both))
    if row.wandb in LOG_CONSTRUCTS and low > 0:
        bins = np.geomspace(low, high, 41)
        ax.set_xscale("log")
    else:
        bins = np.linspace(low, high if high > low else low + 1, 41)
    for values, color in ((row.source_values, "tab:blue"), (row.wandb_values, "tab:orange")):
        weights = np.full(len(values), 1.0 / len(values))  # share of the draws per bin (flat for log-uniform)
        ax.hist(values, bins=bins, weights=weights, histtype="stepfilled", alpha=0.45, color=color)


TOP_CELLS = 20
"""The most values a bar chart shows; wider numeric supports are binned over their whole range."""
BINS = 40
"""Bins of a histogram panel."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _wide_numbers(row: Row) -> bool:
    """Numbers only, more distinct values than a bar chart shows (a wide integer or quantized range)."""
    values = row.source_values + row.wandb_values
    return all(_is_number(v) for v in values) and len(set(values)) > TOP_CELLS


def _binned(ax: Any, row: Row) -> None:
    """A wide numeric support as a histogram over its whole range: about BINS bins, log-spaced on a
    log axis when the values are positive and span two decades or more. Edges sit halfway between
    neighbouring values drawn, so no bin splits a value and none is empty only by its placement."""
    import numpy as np

    both = np.asarray(row.source_values + row.wandb_values, float)
    values = np.unique(both)
    log = values[0] > 0 and values[-1] / values[0] >= 100
    low = values[0] - (values[1] - values[0]) / 2
    high = values[-1] + (values[-1] - values[-2]) / 2
    mids = np.concatenate([[values[0] / 2 if log and low <= 0 else low], (values[1:] + values[:-1]) / 2, [high]])
    if len(values) > BINS:
        wanted = (np.geomspace if log else np.linspace)(mids[0], mids[-1], BINS + 1)
        nearest = np.clip(np.searchsorted(mids, wanted), 1, len(mids) - 1)
        nearest -= (wanted - mids[nearest - 1]) < (mids[nearest] - wanted)
        mids = np.unique(np.concatenate([[mids[0]], mids[nearest], [mids[-1]]]))
    if log:
        ax.set_xscale("log")
    for drawn, color in ((row.source_values, "tab:blue"), (row.wandb_values, "tab:orange")):
        weights = np.full(len(drawn), 1.0 / len(drawn))  # share of the draws per bin
        ax.hist(drawn, bins=mids, weights=weights, histtype="stepfilled", alpha=0.45, color=color)


def _one_side(ax: Any, row: Row) -> None:
    """A parameter only one side draws (or neither): what there is, and the note saying why."""
    import textwrap

    values = row.source_values or row.wandb_values
    if values and all(_is_number(v) for v in values):
        ax.hist(values, bins=BINS, color="tab:blue" if row.source_values else "tab:orange", alpha=0.6)
    ax.text(0.5, 0.5, textwrap.fill(row.note or "no draws", 40), transform=ax.transAxes, ha="center", va="center")


def _discrete(ax: Any, row: Row, top: int = TOP_CELLS) -> None:
    import json
    from collections import Counter

    from .stats import key

    src, wb = Counter(key(v) for v in row.source_values), Counter(key(v) for v in row.wandb_values)
    cells = [k for k, _ in (src + wb).most_common(top)]
    try:
        cells.sort(key=lambda k: json.loads(k)[1])
    except TypeError:
        pass  # mixed types: keep the frequency order
    xs = range(len(cells))
    for offset, counts, color in ((-0.2, src, "tab:blue"), (0.2, wb, "tab:orange")):
        total = sum(counts.values()) or 1
        ax.bar([x + offset for x in xs], [counts[k] / total for k in cells], width=0.4, color=color, alpha=0.7)
    labels = [_label(json.loads(k)[1]) for k in cells]
    ax.set_xticks(list(xs), labels, rotation=45 if len(cells) > 6 else 0, ha="right" if len(cells) > 6 else "center")


def _label(value: Any) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 12 else text[:11] + "…"
