"""A library's own ask/tell optimizer as an Optuna sampler, in the generated scheduler source.

Searchers such as Ray's NevergradSearch and SkOptSearch drive a library optimizer through ask/tell: Ray converts
the Tune space to the library's parameters (one per flat name "a/b"), asks the optimizer for a point, hands the
trial the point (nested again), and tells the optimizer the trial's result (negated when maximizing: the
libraries minimize). The generated file does the same inside W&B's sweep scheduler: `AskTellSampler` is an
Optuna sampler that asks the library for a point when a trial starts (`before_trial`), answers each
`trial.suggest_*` of `search_space` with that point's value (`sample_independent`), and tells the library the
result when the trial ends (`after_trial`). `search_space` stays the generic one (optuna_source), so the run's
config has the source's shape, constants and types.

What a library adds (its home writes it): a class with `ask() -> (handle, {flat name: value})` (a choice's value
is its index), `tell(handle, loss)` and `tell_point({flat name: value}, loss)` (a point the library did not
propose: W&B's scheduler replays earlier runs as enqueued trials when it restarts), its parameters as plain data,
and the modules it needs. This module holds the library-independent part: the leaves of the space, how each
library value becomes the study's draw (`draws`), the sampler's source and the `LibrarySampler` the generic
source writer embeds.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import compat
from .. import distributions as d
from ..errors import SpecError, SweepBridgeError

# --- the space's leaves: Ray's flat name, the study's draw ------------------------------------------------------


def carried_exactly(node: d.Node) -> bool:
    """Whether Ray's Nevergrad and SkOpt converters carry a Tune domain as it samples: uniform, loguniform,
    randint and lograndint without quantization, and choices over plain values with equal weights."""
    if type(node) in (d.Uniform, d.LogUniform):
        return True
    if isinstance(node, d.IntUniform):
        return node.step == 1
    if isinstance(node, d.LogInteger):
        return node.q == 1
    return isinstance(node, d.Choice) and not node.is_conditional and node.is_uniform


def converter_refusal(row: str, refused: dict[type[d.Node], str]) -> Callable[[str, d.Node], SweepBridgeError | None]:
    """`leaves`' `refuse` for a searcher whose Ray converter carries `carried_exactly`'s domains only: any other is
    refused by compat row `row`, saying why (`refused`, by the node's type)."""

    def refusal(path: str, node: d.Node) -> SweepBridgeError | None:
        if carried_exactly(node):
            return None
        why = refused.get(type(node), f"a {node.kind} domain, which Ray's converter does not take")
        return compat.refuse(row, f"Got {why}.", path=path)

    return refusal


@dataclass(frozen=True)
class Leaf:
    """One sampled parameter: Ray's flat name ("a/b", the library's), its path in the space ("a.b") and node."""

    key: str
    path: str
    node: d.Node


def leaves(space: d.Node, refuse: Callable[[str, d.Node], SweepBridgeError | None], searcher: str) -> list[Leaf]:
    """The sampled parameters of `space` in Ray's order: its `flatten_dict` keeps a level's plain keys in place and
    appends the flattened contents of each nested dict after them, level by level, and `parse_spec_vars` lists the
    domains in that order. `refuse(path, node)` is the error for a node the searcher does not take (None: taken);
    a domain inside a list is refused (Ray fails joining its path: a list index is not a string), a key holding
    "/" too (Ray's flatten_dict raises ValueError: "/" joins its flat names)."""
    level: list[tuple[tuple[str, ...], str, d.Node]] = [((key,), key, node) for key, node in d.root_fields(space)]
    while any(isinstance(node, d.Mapping) for _, _, node in level):
        kept = [item for item in level if not isinstance(item[2], d.Mapping)]
        added = [
            ((*keys, key), f"{path}.{key}", child)
            for keys, path, node in level
            if isinstance(node, d.Mapping)
            for key, child in node.fields
        ]
        level = kept + added
    out: list[Leaf] = []
    for keys, path, node in level:
        if isinstance(node, d.Constant):
            continue
        if isinstance(node, d.Sequence):
            inner = next((f"{path}{sub}" for sub, child in d.walk(node) if _sampled(child)), None)
            if inner is not None:
                raise SpecError(
                    f"{searcher} does not take a domain inside a list (Ray fails joining the parameter's path: "
                    "TypeError); use a dict.",
                    path=inner,
                )
            continue
        if any("/" in key for key in keys):
            raise SpecError(
                f"{searcher} names parameters by their path joined with '/' (Ray's flatten_dict refuses a key "
                "holding '/'); rename it.",
                path=path,
            )
        error = refuse(path, node)
        if error is not None:
            raise error
        out.append(Leaf("/".join(keys), path, node))
    return out


def _sampled(node: d.Node) -> bool:
    return not isinstance(node, (d.Constant, d.Mapping, d.Sequence))


def draws(leaf: Leaf, top_keys: tuple[str, ...]) -> dict[str, Any]:
    """How the library's value of `leaf` becomes the study's draw in the generic `search_space` (the names and
    forms `optuna_source._Writer` gives them): {"key", "draw", "as"} with "as" one of
    float (suggest_float of the value), int (suggest_int), log_int (Ray's lograndint rule: the value itself is a
    float draw whose floor it is), value (suggest_categorical over the values: values[index]) or index
    (suggest_categorical over indices); choices carry "values"."""
    from .optuna_source import _simple_choices, _Writer

    node, path = leaf.node, leaf.path
    out: dict[str, Any] = {"key": leaf.key, "draw": path}
    if isinstance(node, d.Choice):
        values = [o.value for o in node.options]  # type: ignore[attr-defined]
        if node.is_conditional or not node.is_uniform:
            raise SpecError("a conditional or weighted choice has no library counterpart.", path=path)
        if _simple_choices(tuple(values)):
            return {**out, "as": "value", "values": values}
        return {**out, "draw": _Writer(top_keys).internal(path, "i"), "as": "index", "values": values}
    if isinstance(node, d.IntUniform):
        return {**out, "as": "int"}
    if isinstance(node, d.LogInteger):
        return {**out, "as": "log_int"}
    return {**out, "as": "float"}


# --- the generated sampler -------------------------------------------------------------------------------------

SAMPLER = '''
class AskTellSampler(optuna.samplers.BaseSampler):
    """The library's optimizer as Optuna's sampler: a new trial takes the library's next point, a finished one is
    told back (its value negated when the study maximizes: the library minimizes; a pruned trial its last reported
    value, as Ray tells a stopped trial's last result; a failed one nothing, as Ray)."""

    def __init__(self, library: Any, params: list[dict[str, Any]]) -> None:
        self._library = library
        self._params = params
        self._asked: dict[int, tuple[Any, dict[str, Any]]] = {}  # trial number -> (library handle, draws)
        self._fallback = optuna.samplers.RandomSampler()

    def infer_relative_search_space(self, study: optuna.Study, trial: Any) -> dict[str, Any]:
        return {}

    def sample_relative(self, study: optuna.Study, trial: Any, search_space: dict[str, Any]) -> dict[str, Any]:
        return {}

    def before_trial(self, study: optuna.Study, trial: Any) -> None:
        if "fixed_params" in trial.system_attrs:  # an enqueued config: W&B's replay of a run when it restarts
            return
        handle, point = self._library.ask()
        self._asked[trial.number] = (handle, _draws(self._params, point))

    def sample_independent(self, study: optuna.Study, trial: Any, param_name: str, param_distribution: Any) -> Any:
        asked = self._asked.get(trial.number)
        if asked is None:  # an enqueued config leaving this parameter out
            return self._fallback.sample_independent(study, trial, param_name, param_distribution)
        if param_name not in asked[1]:
            raise RuntimeError(f"the library's point has no value for {param_name!r} (search_space changed?)")
        return asked[1][param_name]

    def after_trial(self, study: optuna.Study, trial: Any, state: Any, values: Any) -> None:
        asked = self._asked.pop(trial.number, None)
        if state == optuna.trial.TrialState.COMPLETE and values:
            value = values[0]
        elif state == optuna.trial.TrialState.PRUNED and trial.intermediate_values:
            value = trial.intermediate_values[max(trial.intermediate_values)]
        else:
            return
        loss = -value if study.direction == optuna.study.StudyDirection.MAXIMIZE else value
        if asked is not None:
            self._library.tell(asked[0], loss)
        else:
            point = _point(self._params, trial.params)
            if point is not None:
                self._library.tell_point(point, loss)


def _draws(params: list[dict[str, Any]], point: dict[str, Any]) -> dict[str, Any]:
    """The library's point {flat name: value (a choice: its index)} as the study's draws {draw name: draw}."""
    out = {}
    for p in params:
        value = point[p["key"]]
        if p["as"] == "value":
            out[p["draw"]] = p["values"][int(value)]
        elif p["as"] in ("index", "int"):
            out[p["draw"]] = int(value)
        else:  # float, log_int (the value is the float draw it is the floor of)
            out[p["draw"]] = float(value)
    return out


def _point(params: list[dict[str, Any]], drawn: dict[str, Any]) -> dict[str, Any] | None:
    """The study's draws of a trial as the library's point, or None when they leave a parameter out."""
    out = {}
    for p in params:
        if p["draw"] not in drawn:
            return None
        value = drawn[p["draw"]]
        if p["as"] == "value":
            value = next(i for i, v in enumerate(p["values"]) if v == value and type(v) is type(value))
        elif p["as"] == "log_int":
            value = math.floor(value)
        out[p["key"]] = value
    return out
'''
"""The library-independent part of the generated file: the sampler and the conversions of a point."""

SAMPLER_IMPORTS = ("import math",)


def check_library(adapter: str, adapter_class: str, library: dict[str, Any], module: str) -> None:
    """Build the library's optimizer from the generated `adapter` as the scheduler will, where `module` is
    installed here, so what the library rejects (an unknown setting, a point outside its space) is a SpecError
    when translating rather than a failure when the scheduler starts. numpy's global generator is left as it was
    (an adapter may seed it, as a Ray script does)."""
    if importlib.util.find_spec(module) is None:
        return
    import numpy

    namespace: dict[str, Any] = {"Any": Any, "math": math}
    exec(compile(adapter, f"<{adapter_class}>", "exec"), namespace)  # noqa: S102 - our own generated source
    state = numpy.random.get_state()
    try:
        namespace[adapter_class](library)
    except Exception as exc:  # the library's own refusal, whatever its type
        raise SpecError(
            f"{module} refuses this configuration when the scheduler builds it: {type(exc).__name__}: {exc}",
            path="search_alg",
        ) from None
    finally:
        numpy.random.set_state(state)


@dataclass(frozen=True)
class LibrarySampler:
    """What the generic source writer (optuna_source) embeds for a library sampler.

    `constants` and `definitions` are source text placed before `optimizer`; `expression` builds the sampler
    there; `needs` lists (module, pip name) pairs the scheduler's machine needs besides optuna, stated in the
    file's header and checked when `optimizer` starts; `data` is what SPEC records (plain data).
    """

    expression: str
    constants: str
    definitions: str
    imports: tuple[str, ...]
    needs: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, Any], ...] = ()


def library_sampler(
    library: dict[str, Any],
    params: list[dict[str, Any]],
    adapter: str,
    adapter_class: str,
    *,
    imports: tuple[str, ...] = (),
    needs: tuple[tuple[str, str], ...] = (),
) -> LibrarySampler:
    """The LibrarySampler of a library's adapter class (source text `adapter`, named `adapter_class`, built from
    LIBRARY), with the library's settings `library` and the space's draws `params` embedded as plain data."""
    from .optuna_source import literal

    constants = (
        f'LIBRARY = {literal(library)}\n"""The library optimizer\'s settings, as the Ray searcher sets it up."""\n\n\n'
        f'PARAMS = {literal(params)}\n"""Each parameter: its flat name for the library, its draw in search_space."""\n'
    )
    return LibrarySampler(
        expression=f"AskTellSampler({adapter_class}(LIBRARY), PARAMS)",
        constants=constants,
        definitions=adapter.strip("\n") + "\n\n\n" + SAMPLER.strip("\n") + "\n",
        imports=tuple(sorted({*SAMPLER_IMPORTS, *imports})),
        needs=needs,
        data=(("library", library),),
    )
