"""IR space + ZOOptSearch settings → the generated source of a `method: custom` sweep whose Optuna study samples
through zoopt's own optimizer (SRacosTune), configured as Ray Tune's ZOOptSearch configures it.

`dims(fields)` is Ray's `ZOOptSearch.convert_search_space` on the IR: each searched parameter becomes one zoopt
dimension named by Ray's flat key ("a/b"), and what Ray's converter refuses or distorts is refused by path (compat
row optuna.search.zoopt.space). `source(fields, study)` writes the file: `DIMS` (Ray's dim_dict as plain data),
`ZOOptSampler` (an Optuna sampler driving SRacosTune: ask → `suggest`, tell → `complete`, as Ray's `suggest` /
`on_trial_complete` do), `optimizer(sweep)` and `search_space(trial)`. The file imports optuna and the standard
library at load time and zoopt and numpy when the study is built; `optimizer` checks they are installed first.
"""

from __future__ import annotations

import math
from typing import Any

from .. import __version__, compat
from .. import distributions as d
from ..errors import SpecError, SweepBridgeError
from .optuna_source import HEADER, StudySpec, _call, _doc, _imports, _inline, _spec_json, _str, literal

SAMPLER = "ZOOptSampler"
"""The sampler's class name in the generated file (and in its SPEC, which `reverse` reads)."""
DEFAULT_PRECISION = 1e-12
"""Ray's precision for a tune.uniform (convert_search_space: `quantize or 1e-12`)."""
REQUIREMENT = "zoopt>=0.4.1"
"""What Ray's ZOOptSearch asks for (`pip install -U zoopt`, SRacosTune)."""
IMPORTS = {"import contextlib", "import json", "from collections.abc import Iterator", "from typing import Any",
           "import optuna", "import importlib.metadata", "import importlib.util"}  # fmt: skip
"""The generated file's imports (zoopt and numpy are imported when the sampler is built)."""
SIMPLE = (str, int, float, bool)
"""Category types numpy keeps as themselves when zoopt draws one (np.random.choice over the list)."""


def _digits(q: float) -> int | None:
    """zoopt's Dimension2 rule for a float precision: the number of decimals it rounds to (negative: tens)."""
    text = str(q)
    if q == 1:
        return 0
    if q > 1:
        return -int(text.split("e+")[-1]) if "e+" in text else 1 - len(str(int(q)))
    if "e-" in text:
        return int(text.split("e-")[-1])
    return len(text.split(".")[-1]) if "." in text else None


def _power_of_ten(q: float) -> bool:
    """Whether zoopt's rounding to `_digits(q)` decimals is Ray's quantization to multiples of q."""
    digits = _digits(q)
    return digits is not None and math.isclose(q, 10.0**-digits, rel_tol=1e-12, abs_tol=0)


def _refuse(detail: str, path: str) -> SweepBridgeError:
    return compat.refuse("optuna.search.zoopt.space", detail, path=path)


def _dim(node: d.Node, key: str, path: str) -> list[Any]:
    """One searched parameter as Ray's converter makes it: [key, type, region, precision or ordered]."""
    kind = type(node)
    if kind is d.Uniform:
        return [key, "continuous", [node.low, node.high], DEFAULT_PRECISION]
    if kind is d.QUniform and not node.integer:
        if not _power_of_ten(node.q):
            raise _refuse(
                f"Got tune.quniform with q={node.q!r}: Ray passes q to zoopt as a precision, and zoopt rounds to "
                f"{_digits(node.q)} decimals instead of to multiples of q.",
                path,
            )
        return [key, "continuous", [node.low, node.high], node.q]
    if kind is d.IntUniform:
        if node.step != 1:
            raise _refuse(f"Got tune.qrandint with q={node.step}: Ray's converter drops q (every integer).", path)
        return [key, "discrete", [node.low, node.high], True]
    if kind is d.Choice and not node.is_conditional:
        values = [o.value for o in node.options]  # type: ignore[attr-defined]
        if node.probabilities is not None and len(set(node.probabilities)) > 1:
            raise _refuse("Got a weighted choice: Ray's ZOOptSearch draws categories uniformly.", path)
        kinds = {type(v) for v in values}
        if len(kinds) != 1 or next(iter(kinds)) not in SIMPLE or len(set(values)) != len(values):
            raise _refuse(
                "Got tune.choice over mixed types, containers, None or repeated values: zoopt draws a category "
                "through numpy (np.random.choice), which converts such a list to one dtype (1 → 1.0, 3 → '3') or "
                "fails.",
                path,
            )
        return [key, "grid", values]
    if kind is d.Choice:
        raise _refuse("Got a choice with searched branches: Ray's converter takes categories only.", path)
    if kind is d.GridAxis:
        raise _refuse("Got grid_search: Ray's ZOOptSearch raises ValueError (no grid parameters).", path)
    source = getattr(node, "source", "") or node.kind
    raise _refuse(f"Got {source}: Ray's ZOOptSearch raises ValueError for it (uniform samplers only).", path)


def dims(fields: tuple[tuple[str, d.Node], ...]) -> list[list[Any]]:
    """Ray's dim_dict for the space `fields` (flat keys joined by "/", in the space's order); SpecError / refusal
    by path for what Ray's converter refuses or distorts."""
    out: list[list[Any]] = []

    def visit(node: d.Node, keys: tuple[str, ...], path: str) -> None:
        if isinstance(node, d.Constant):
            return
        if isinstance(node, d.Mapping):
            for key, child in node.fields:
                visit(child, (*keys, key), f"{path}.{key}" if path else key)
            return
        if isinstance(node, d.Sequence):
            searched = (f"{path}{sub}" for sub, c in d.walk(node) if not isinstance(c, (d.Constant, d.Sequence)))
            inner = next(searched, path)
            raise _refuse("Got a searched value inside a list: Ray fails joining its path (TypeError).", inner)
        bad = next((k for k in keys if "/" in k), None)
        if bad is not None:
            raise _refuse(f"Got the key {bad!r}: Ray's flat keys join by '/', and its suggestion nests it.", path)
        out.append(_dim(node, "/".join(keys), path))

    for key, node in fields:
        visit(node, (key,), key)
    if not out:
        raise SpecError("ZOOptSearch has nothing to search: the space holds only constants.", path="config")
    return out


def check_points(space: list[list[Any]], points: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Ray's points_to_evaluate as zoopt's initial samples: flat keys ("a/b"), a value for every dimension (Ray
    reads `point[key]` for each: KeyError otherwise), a category's value one of its categories."""
    out = []
    for n, point in enumerate(points):
        where = f"search_alg.points_to_evaluate[{n}]"
        if not isinstance(point, dict):
            raise SpecError(f"a point is a dict of parameter values, got {point!r}.", path=where)
        flat: dict[str, Any] = {}
        for key, value in point.items():
            if isinstance(value, dict):
                raise SpecError(
                    f"ZOOptSearch reads points by flat keys ('{key}/...'), as its dimensions are named; a nested dict "
                    "fails in Ray (KeyError).",
                    path=f"{where}.{key}",
                )
            flat[str(key)] = value
        for dim in space:
            key = dim[0]
            if key not in flat:
                raise SpecError(f"ZOOptSearch's points need a value for every parameter; {key!r} is missing (Ray "
                                "fails: KeyError).", path=where)  # fmt: skip
            if dim[1] == "grid" and flat[key] not in dim[2]:
                raise SpecError(f"{flat[key]!r} is not one of {key!r}'s categories {dim[2]!r}.", path=f"{where}.{key}")
            if dim[1] != "grid" and (isinstance(flat[key], bool) or not isinstance(flat[key], (int, float))):
                raise SpecError(f"{key!r} takes a number, got {flat[key]!r}.", path=f"{where}.{key}")
        out.append({dim[0]: flat[dim[0]] for dim in space})
    return out


# --- the file -----------------------------------------------------------------------------------------

SAMPLER_CLASS = '''
class ZOOptSampler(optuna.samplers.BaseSampler):
    """zoopt's SRacosTune as Ray Tune's ZOOptSearch drives it (ray/tune/search/zoopt/zoopt_search.py).

    Ray builds `SRacosTune(Dimension2(dims), Parameter(budget, init_samples=points), parallel_num)`, asks it for
    each trial (`suggest`) and tells it each finished trial's metric, negated when maximizing (`complete`); this
    sampler does the same for each Optuna trial (its first suggest_* call asks, `after_trial` tells). A pruned
    trial tells its last reported value, as Ray tells an early-stopped trial's last result; a failed one tells
    nothing. zoopt draws from numpy's global random state: the sampler keeps its own (numpy RandomState(seed))
    and swaps it in around every call, so its draws are those of Ray's run after np.random.seed(seed).

    A trial W&B's scheduler enqueues (its replay of an earlier run when it restarts) takes the run's values and
    is not told to zoopt: zoopt starts afresh, as a new ZOOptSearch does.

    zoopt's initial sample (points_to_evaluate first, then random configurations) is taken whole at the first
    ask, as Ray's controller takes it when it may queue that many trials: every point runs first. Where Ray's
    controller would wait (zoopt declines while its initial sample's results are out, or while parallel_num
    trials run), W&B's scheduler cannot leave a worker idle: the extra trial is sampled as SRacosTune samples
    for a free worker (from its model, or at random before it has one).
    """

    def __init__(self, dims: list, budget: int, parallel_num: int = 1, points: list = (), seed: int | None = None):
        import numpy
        import zoopt
        from zoopt.algos.opt_algorithms.racos.sracos import SRacosTune
        from zoopt.utils.zoo_global import gl

        kinds = {"continuous": zoopt.ValueType.CONTINUOUS, "discrete": zoopt.ValueType.DISCRETE,
                 "grid": zoopt.ValueType.GRID}  # fmt: skip
        self._keys = [dim[0] for dim in dims]
        self._numpy, self._gl = numpy, gl
        self._rng = numpy.random.RandomState(seed)
        with self._zoopt():
            dimension = zoopt.Dimension2([(kinds[dim[1]], *dim[2:]) for dim in dims])
            self._precisions = list(gl.float_precisions)
            # Ray passes tuples, and zoopt's classifier fails (TypeError) once a point is the best solution: lists,
            # as zoopt's own samples are, give the same values without that failure.
            init = [zoopt.Solution(x=[point[key] for key in self._keys]) for point in points] or None
            parameter = zoopt.Parameter(budget=budget, init_samples=init)
            self._opt = SRacosTune(dimension=dimension, parameter=parameter, parallel_num=parallel_num)
        self._solutions: dict = {}
        self._queue: list = []
        self._end = False
        self._next = None
        self._finished = False

    @contextlib.contextmanager
    def _zoopt(self) -> Iterator[None]:
        """Within: numpy's global random state and zoopt's global precisions are this sampler's."""
        saved = (self._numpy.random.get_state(), self._gl.float_precisions)
        self._numpy.random.set_state(self._rng.get_state())
        if hasattr(self, "_precisions"):
            self._gl.float_precisions = self._precisions
        try:
            yield
        finally:
            self._rng.set_state(self._numpy.random.get_state())
            self._numpy.random.set_state(saved[0])
            self._gl.float_precisions = saved[1]

    def _ask(self) -> Any:
        """zoopt's next solution, or None when it has no new one (Ray's Searcher.FINISHED)."""
        if not self._queue and not self._end:
            self._queue = self._draw()
            self._end = not self._queue
        return self._queue.pop(0) if self._queue else None

    def _draw(self) -> list:
        """zoopt's next solutions: its whole initial sample at the first ask, then one at a time ([]: finished)."""
        opt = self._opt
        size = opt.get_parameters().get_train_size()
        with self._zoopt():
            if opt.init_num < size:  # Ray's controller takes the initial sample whole when it may queue trials
                out = []
                while opt.init_num < size:
                    solution = opt.suggest()
                    if solution is None or solution == "FINISHED":
                        self._end = True
                        break
                    out.append(solution)
                if opt.init_num == size:
                    opt.suggest()  # and asks again: zoopt closes its initial sample (no draw)
                return out
            solution = opt.suggest()
            if solution is None:  # Ray's controller would wait: see the class docstring
                if opt._positive_data and opt._negative_data:
                    solution, distinct = opt.sample_solution(opt.ub)
                else:
                    solution, distinct = opt.distinct_sample(opt.get_objective().get_dim(), opt._init_data, data_num=1)
                    if distinct:
                        opt._init_data.append(solution)
                if not distinct:
                    return []
                opt.live_num += 1
        return [] if solution == "FINISHED" else [solution]

    def is_exhausted(self, study: optuna.Study) -> bool:
        """W&B's optimizer asks this before each new trial: zoopt's next solution is taken now, for that trial."""
        if self._next is None and not self._finished:
            self._next = self._ask()
            self._finished = self._next is None
        return self._finished

    def infer_relative_search_space(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> dict:
        return {}

    def sample_relative(self, study: optuna.Study, trial: optuna.trial.FrozenTrial, search_space: dict) -> dict:
        return {}

    def sample_independent(
        self, study: optuna.Study, trial: optuna.trial.FrozenTrial, name: str, distribution: Any
    ) -> Any:
        fixed = trial.system_attrs.get("fixed_params")
        if fixed is not None and trial.number not in self._solutions:
            value = fixed  # an enqueued trial (W&B's scheduler replaying an earlier run): its value, zoopt not asked
            for part in name.split("/"):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                return value
        if trial.number not in self._solutions:
            if self._next is None and not self._finished:
                self._next = self._ask()
            if self._next is None:
                raise RuntimeError("zoopt has no new configuration to try (Ray's ZOOptSearch finishes here).")
            self._solutions[trial.number], self._next = self._next, None
        value = self._solutions[trial.number].get_x()[self._keys.index(name)]
        value = value.item() if hasattr(value, "item") else value  # numpy scalars: the Python value W&B logs
        return value

    def after_trial(self, study: optuna.Study, trial: optuna.trial.FrozenTrial, state: Any, values: Any) -> None:
        solution = self._solutions.pop(trial.number, None)
        if solution is None:
            return
        if state == optuna.trial.TrialState.COMPLETE and values:
            value = values[0]
        elif state == optuna.trial.TrialState.PRUNED and trial.intermediate_values:
            value = trial.intermediate_values[max(trial.intermediate_values)]
        else:
            return  # Ray tells zoopt nothing of a trial without a result
        sign = -1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else 1.0
        with self._zoopt():
            self._opt.complete(solution, sign * value)
'''


def _suggest(dim: list[Any], indent: int) -> str:
    key, kind = _str(dim[0]), dim[1]
    if kind == "continuous":
        return _call("trial.suggest_float", [key, repr(dim[2][0]), repr(dim[2][1])], indent)
    if kind == "discrete":
        return _call("trial.suggest_int", [key, str(dim[2][0]), str(dim[2][1])], indent)
    return _call("trial.suggest_categorical", [key, literal(dim[2], indent + 1)], indent)


def _space_expr(node: d.Node, keys: tuple[str, ...], by_key: dict[str, list[Any]], indent: int) -> str:
    """The search_space expression for `node`: constants as literals, searched values by their flat key."""
    if isinstance(node, d.Constant):
        return literal(node.value, indent)
    if isinstance(node, d.Mapping):
        if not node.fields:
            return "{}"
        inner = "    " * (indent + 1)
        body = "".join(f"{inner}{_str(k)}: {_space_expr(v, (*keys, k), by_key, indent + 1)},\n" for k, v in node.fields)
        return f"{{\n{body}{'    ' * indent}}}"
    return _suggest(by_key["/".join(keys)], indent)


def _check_needs() -> str:
    install = f"pip install optuna '{REQUIREMENT}'"
    return (
        '    """The study W&B\'s scheduler asks: ZOOptSampler (zoopt\'s SRacosTune), the pruner below."""\n'
        '    for module in ["zoopt", "numpy"]:  # imported when the sampler is built\n'
        "        if importlib.util.find_spec(module) is None:\n"
        f'            raise ImportError(f"ZOOptSampler needs {{module}} here: {install}")\n'
        '    if tuple(int(p) for p in importlib.metadata.version("zoopt").split(".")[:3] if p.isdigit()) < (0, 4, 1):\n'
        f'        raise ImportError("ZOOptSampler needs zoopt\'s SRacosTune (zoopt >= 0.4.1): {install}")\n'
    )


def source(fields: tuple[tuple[str, d.Node], ...], study: StudySpec) -> str:
    """The generated file for space `fields` and `study` (its sampler: ZOOptSampler with budget, parallel_num,
    points (flat keys, every dimension), seed)."""
    space = dims(fields)
    settings = dict(study.sampler.kwargs)
    by_key = {dim[0]: dim for dim in space}
    body = _space_expr(d.Mapping(fields), (), by_key, 1)
    pruner = _call(f"optuna.pruners.{study.pruner.name}", [f"{k}={_inline(v)}" for k, v in study.pruner.kwargs], 2)
    args = [f"{k}={_inline(v)}" for k, v in settings.items()]
    sampler = _call(SAMPLER, ["DIMS", *args], 2)
    spec = _spec_json(d.Mapping(fields), study)
    head = (
        f"{HEADER} {__version__}; do not edit (regenerate it from its source).\n"
        f'"""Search space and study for W&B\'s sweep scheduler (`wandb sweep-scheduler`, Optuna engine).\n\n'
        f"Source: {_doc(study.origin, 100)}.\n"
        f"Needs optuna, numpy and {REQUIREMENT} on the scheduler's machine: pip install optuna '{REQUIREMENT}'\n"
        "(`optimizer` checks them first). The study's sampler drives zoopt's own optimizer (SRacosTune) as\n"
        "Ray Tune's ZOOptSearch configures it: DIMS is Ray's dim_dict for this space.\n"
        "`search_space(trial)` returns one configuration; `optimizer(sweep)` builds the study. SPEC holds the\n"
        'space and settings as JSON: `sweepbridge reverse` reads it back without running this file.\n"""\n\n'
        f"{_imports(IMPORTS)}\n"
        f'SPEC = json.loads(\n    r"""\n{spec}\n"""\n)\n'
    )
    dims_doc = "Ray's dim_dict: [flat key, zoopt ValueType, region, precision (continuous) or ordered (discrete)]."
    optimizer = (
        "def optimizer(sweep: Any) -> optuna.Study:\n"
        f"{_check_needs()}"
        '    metric = sweep.config.get("metric") or {}\n'
        "    return optuna.create_study(\n"
        '        study_name=f"sweep-{sweep.id}",  # HyperbandPruner: brackets by name&number\n'
        '        direction=metric.get("goal", "minimize"),\n'
        f"        sampler={sampler},\n"
        f"        pruner={pruner},\n"
        "    )\n"
    )
    space_fn = (
        "def search_space(trial: optuna.Trial) -> dict[str, Any]:\n"
        '    """One configuration, nested as Ray\'s ZOOptSearch returns it (its flat keys "a/b" unflattened)."""\n'
        f"    return {body}\n"
    )
    parts = [head, f'DIMS = {literal(space)}\n"""{dims_doc}"""\n', SAMPLER_CLASS.lstrip("\n"), optimizer, space_fn]
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts)
