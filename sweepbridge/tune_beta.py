"""The 2020 W&B beta's sweep files (`wandb.sweeps.config.tune`) → the `sweepbridge.tune.run` call they describe.

The beta wrote `tune.run(...)` as data: a top-level `program` and `tune: {run_or_experiment, num_samples,
config, stop, search_alg, scheduler, ..., _wandb: {seed, versions}}`. Every call inside is a one-key
mapping `{"module.Function": arguments}`, the arguments a list (positional), a mapping (keywords) or
`{args: [...], kwargs: {...}}` (both), e.g.

    search_alg:
      hyperopt.HyperOptSearch:
        space: {width: {hyperopt.hp.uniform: [width, 0, 20]}}
        metric: mean_loss
        mode: min

Names are looked up in the tables below (beta name → attribute of the mirror `sweepbridge.tune` /
`sweepbridge.hyperopt.hp`), so a beta file converts to exactly what the equivalent `tune.run(...)`
call gives; this module adds no translation rules. Anything else is refused with its path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from . import param_path
from .errors import SpecError, SweepBridgeError
from .frontends.hyperopt_ops import OPS

HP_OPS = ("choice", "pchoice", *OPS)
"""hyperopt's twelve operators: the choices and the numeric ones of the shared operator table."""
"""hyperopt's `hp` operators: the beta wrote `hp.X(label, ...)` as `{"hyperopt.hp.X": [label, ...]}`."""

SPACE_OPS: dict[str, tuple[str, str, dict[str, str]]] = {
    **{f"hyperopt.hp.{op}": ("hp", op, {}) for op in HP_OPS},
    # Ray 0.7's tune.uniform/randint were numpy's uniform(low, high)/randint(low, high), its loguniform
    # took (min_bound, max_bound, base) and choice was random.choice(seq): the same distributions as
    # Ray 2's domains, whose argument names differ.
    "tune.uniform": ("tune", "uniform", {"low": "lower", "high": "upper"}),
    "tune.loguniform": ("tune", "loguniform", {"min_bound": "lower", "max_bound": "upper"}),
    "tune.randint": ("tune", "randint", {"low": "lower", "high": "upper"}),
    "tune.choice": ("tune", "choice", {"seq": "categories"}),
}
"""Beta operator name → (mirror module, function, keyword renames)."""

REFUSED_OPS: dict[str, str] = {
    "hyperopt.loguniform": (
        "the 2020 beta wrote hp.loguniform(min_bound, max_bound) without a label under this name, and its own engine "
        "could not run it. Instead: write {hyperopt.hp.loguniform: [label, low, high]} (natural-log exponents, "
        "as hyperopt takes them) or {tune.loguniform: {min_bound: ..., max_bound: ...}} (bounds as values)."
    ),
    "tune.randn": (
        "Ray 0.7's tune.randn(*shape) was numpy's randn, not a normal with mean and sd. "
        "Instead: write {hyperopt.hp.normal: [label, mu, sigma]}."
    ),
}
"""Beta operator names that cannot be read exactly → why, and what to write instead."""


def _search_algs() -> dict[str, type]:
    """Beta search_alg name ("module.Class" of ray.tune.suggest) → the mirror class (its home says its beta name)."""
    from .tune.registry import BETA_SEARCHERS

    return BETA_SEARCHERS


def _schedulers() -> dict[str, type]:
    """Beta scheduler name (the class name, as the beta wrote it) → the mirror class (from its home)."""
    from .tune.registry import BETA_SCHEDULERS

    return BETA_SCHEDULERS


RUN_KEYWORDS = (
    "name",
    "stop",
    "config",
    "resources_per_trial",
    "num_samples",
    "local_dir",
    "upload_dir",
    "trial_name_creator",
    "loggers",
    "sync_to_cloud",
    "sync_to_driver",
    "checkpoint_freq",
    "checkpoint_at_end",
    "keep_checkpoints_num",
    "checkpoint_score_attr",
    "global_checkpoint_period",
    "export_formats",
    "max_failures",
    "restore",
    "search_alg",
    "scheduler",
    "with_server",
    "server_port",
    "verbose",
    "resume",
    "queue_trials",
    "reuse_actors",
    "trial_executor",
    "raise_on_failed_trial",
    "return_trials",
    "ray_auto_init",
    "sync_function",
)
"""The beta's `tune.run` keywords (Ray 0.7.6's signature), passed to `sweepbridge.tune.run` as they are."""

WANDB_KEYS = ("seed", "versions")
"""`tune._wandb`: the beta's bookkeeping (its hyperopt seed and the library versions); not carried over."""

TOP_LEVEL: dict[str, str | None] = {
    "program": None,
    "tune": None,
    "name": None,
    "description": "description",
    "project": "project",
    "entity": "entity",
    "controller": "controller",
}
"""Top-level keys of a beta file → W&B key they are copied to (None: read by the conversion)."""

REFUSED_TOP_LEVEL: dict[str, str] = {
    "settings": (
        "the beta's agent settings (e.g. agent_command_config_args) have no key in a W&B sweep config. "
        "Instead: remove them (to launch the program without --key=value arguments, set "
        "command: [${env}, ${interpreter}, ${program}])."
    ),
}


def path_text(parts: tuple[Any, ...]) -> str:
    """('tune', 'search_alg', 'hyperopt.HyperOptSearch', 'space') → 'tune.search_alg["hyperopt.HyperOptSearch"].space'.

    Keys holding dots are bracketed, so the path names them unambiguously."""
    return param_path.text(parts)


def is_beta(data: Any) -> bool:
    """Whether `data` is a beta document: a mapping with a `tune` mapping and no W&B `parameters`."""
    return isinstance(data, Mapping) and isinstance(data.get("tune"), Mapping) and "parameters" not in data


def _unknown(key: Any, where: tuple, known: Any) -> SpecError:
    from .spelling import did_you_mean

    hint = did_you_mean(key, known)
    listed = ", ".join(sorted(known))
    return SpecError(
        f"unknown entry {key!r} in a 2020 beta tune: file;{hint}"
        if hint
        else f"unknown entry {key!r} in a 2020 beta tune: file (known here: {listed}).",
        path=path_text(where),
    )


def _arguments(value: Any, where: tuple) -> tuple[list, dict[str, Any]]:
    """The beta's argument encoding → (positional, keywords)."""
    if value is None:
        return [], {}
    if isinstance(value, list):
        return list(value), {}
    if isinstance(value, Mapping):
        if (
            set(value) == {"args", "kwargs"}
            and isinstance(value["args"], list)
            and isinstance(value["kwargs"], Mapping)
        ):
            return list(value["args"]), dict(value["kwargs"])
        kwargs = dict(value)
        extra = kwargs.pop("kwargs", None)  # a function's own **kwargs, written as one more key
        if isinstance(extra, Mapping):
            kwargs.update(extra)
        elif extra is not None:
            raise SpecError("'kwargs' must be a mapping of keyword arguments.", path=path_text(where))
        return [], kwargs
    raise SpecError(
        f"arguments must be a list (positional), a mapping (keywords) or {{args, kwargs}}, got {value!r}.",
        path=path_text(where),
    )


def _call(fn: Any, name: str, value: Any, where: tuple, renames: Mapping[str, str] | None = None) -> Any:
    args, kwargs = _arguments(value, where)
    args = [space(a, (*where, i)) for i, a in enumerate(args)]
    kwargs = {(renames or {}).get(k, k): space(v, (*where, k)) for k, v in kwargs.items()}
    try:
        return fn(*args, **kwargs)
    except SweepBridgeError:
        raise  # located at the parameter's path by the mirror
    except (TypeError, ValueError, AssertionError) as exc:
        raise SpecError(f"{name}: {exc}", path=path_text(where)) from None


def _operator_key(node: Any) -> str | None:
    """The key of a one-key mapping that names a beta operator ('hyperopt.*' or 'tune.*'), else None."""
    if isinstance(node, Mapping) and len(node) == 1:
        key = next(iter(node))
        if isinstance(key, str) and key.split(".", 1)[0] in ("hyperopt", "tune") and "." in key:
            return key
    return None


def _mirror(module: str) -> Any:
    """The mirror module (looked up at call time, so `sweepbridge check` can bind the real libraries)."""
    if module == "hp":
        from . import hyperopt

        return hyperopt.hp
    from . import tune

    return tune


def space(node: Any, where: tuple) -> Any:
    """Beta space data → the same structure holding mirror expressions."""
    key = _operator_key(node)
    if key is not None:
        if key in REFUSED_OPS:
            raise SpecError(REFUSED_OPS[key], path=path_text((*where, key)))
        if key not in SPACE_OPS:
            raise _unknown(key, (*where, key), [*SPACE_OPS, *REFUSED_OPS])
        module, function, renames = SPACE_OPS[key]
        return _call(getattr(_mirror(module), function), key, node[key], (*where, key), renames)
    if isinstance(node, Mapping):
        return {k: space(v, (*where, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [space(v, (*where, i)) for i, v in enumerate(node)]
    return node


def _instance(value: Any, table: Mapping[str, type], where: tuple) -> Any:
    if isinstance(value, str):
        value = {value: None}
    if not isinstance(value, Mapping) or len(value) != 1:
        raise SpecError("expected one {Name: arguments} mapping.", path=path_text(where))
    ((name, arguments),) = value.items()
    if name not in table:
        raise _unknown(name, (*where, name), table)
    return _call(table[name], name, arguments, (*where, name))


def _wandb(value: Any) -> None:
    if not isinstance(value, Mapping):
        raise SpecError("expected a mapping (the beta's seed and versions).", path="tune._wandb")
    for key in value:
        if key not in WANDB_KEYS:
            raise _unknown(key, ("tune", "_wandb", key), WANDB_KEYS)


def _one(values: dict[str, Any], what: str) -> Any:
    given = {k: v for k, v in values.items() if v is not None}
    if len(set(map(repr, given.values()))) > 1:
        listed = ", ".join(f"{k}: {v!r}" for k, v in given.items())
        raise SpecError(f"conflicting {what}s ({listed}); give one.")
    return next(iter(given.values()), None)


def to_call(doc: Mapping[str, Any]) -> tuple[Any, tuple, dict[str, Any], dict[str, Any]]:
    """(tune.run, args, kwargs, further W&B top-level keys) for a beta document."""
    from . import tune

    if not isinstance(doc, Mapping) or not isinstance(doc.get("tune"), Mapping):
        raise SpecError("a 2020 beta sweep file is a mapping with a 'tune' mapping.")
    for key in doc:
        if key in REFUSED_TOP_LEVEL:
            raise SpecError(REFUSED_TOP_LEVEL[key], path=key)
        if key not in TOP_LEVEL:
            raise _unknown(key, (key,), TOP_LEVEL)
    section = doc["tune"]
    kwargs: dict[str, Any] = {}
    for key, value in section.items():
        where = ("tune", key)
        if key == "_wandb":
            _wandb(value)
        elif key == "run_or_experiment":
            continue
        elif key not in RUN_KEYWORDS:
            raise _unknown(key, where, ("run_or_experiment", "_wandb", *RUN_KEYWORDS))
        elif key == "search_alg" and value is not None:
            kwargs[key] = _instance(value, _search_algs(), where)
        elif key == "scheduler" and value is not None:
            kwargs[key] = _instance(value, _schedulers(), where)
        elif key == "config":
            kwargs[key] = space(value, where)
        else:
            kwargs[key] = value
    program = _one(
        {"program": doc.get("program"), "tune.run_or_experiment": section.get("run_or_experiment")}, "program"
    )
    if program is None:
        raise SpecError("no program: set program (or tune.run_or_experiment) to the training script.")
    name = _one({"name": doc.get("name"), "tune.name": section.get("name")}, "name")
    if name is not None:
        kwargs["name"] = name
    extra = {TOP_LEVEL[k]: v for k, v in doc.items() if TOP_LEVEL[k] is not None}
    return tune.run, (program,), kwargs, extra


def read(path: str | os.PathLike[str]) -> Any:
    """The parsed content of a YAML/JSON file (safe loader), as sweep files are read."""
    from .sweep_config import parse_text, read_text

    text = read_text(path)
    try:
        return parse_text(text)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None


def convert(doc: Any, *, allow_approximate: bool = False, engine: str = "wandb") -> Any:
    """A beta document (a mapping, or a path to its YAML/JSON file) → SweepConfig via sweepbridge.tune.run
    (`engine` as tune.run takes it)."""
    if isinstance(doc, (str, os.PathLike)):
        doc = read(doc)
    run, args, kwargs, extra = to_call(doc)
    if allow_approximate:
        kwargs["allow_approximate"] = True
    if engine != "wandb":
        kwargs["engine"] = engine
    sweep = run(*args, **kwargs)
    if extra:
        sweep.update(extra)
        problems = sweep.problems()
        if problems:
            raise SpecError("the sweep config would be invalid:\n  " + "\n  ".join(problems))
    return sweep


def convert_document(doc: Any, *, engine: str = "wandb") -> Any:
    """`to_sweep`'s entry: a beta mapping, or a path to a file that holds one."""
    if isinstance(doc, (str, os.PathLike)):
        data = read(doc)
        if not is_beta(data):
            raise SpecError(
                f"{doc}: to_sweep reads files only in the 2020 W&B beta's format (a mapping with a 'tune' mapping). "
                "Instead: pass the search space itself, or use `sweepbridge convert` for tune specs."
            )
        doc = data
    return convert(doc, engine=engine)
