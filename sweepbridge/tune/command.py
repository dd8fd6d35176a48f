"""Trainables and stop criteria as data: what tune.run puts into a sweep's `program` and `command`.

A trainable (function, Trainable class, or a string "path.py:name" / "package.module:name") becomes
the sweep's `program` (the file, or the dotted module) and a `sweepbridge.trial_command.TrialCommand`
(the one writer and reader of the trial command); `stop` and config["wandb"] become its arguments.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import compat
from ..errors import SpecError, SweepBridgeError
from ..trial_command import COMMAND_HEAD as COMMAND_HEAD  # re-exported: the translator writes the trial command
from ..trial_command import CONFIG_KEYS as CONFIG_KEYS  # re-exported: the trial reads it from the --wandb block
from ..trial_command import PROGRAM_COMMAND as PROGRAM_COMMAND
from ..trial_command import WANDB_SECRETS
from ..trial_command import TrialCommand as TrialCommand

WANDB_SWEEP_KEYS = ("project", "entity")
"""Keys of config["wandb"] that become the sweep's top-level keys."""

STOPPERS: dict[str, tuple[str, ...]] = {
    "MaximumIterationStopper": ("max_iter",),
    "TrialPlateauStopper": ("metric", "std", "num_results", "grace_period", "metric_threshold", "mode"),
}
"""Per-trial Stopper classes (Ray's and our mirrors) → their constructor arguments, each kept by the
instance as `_NAME`: such a stopper is carried as {"stopper": class name, "kwargs": {...}}."""

EXPERIMENT_STOPPERS = ("TimeoutStopper", "ExperimentPlateauStopper")
"""Stoppers that judge the whole experiment (all trials, wall clock since the start): refused."""


def is_program(value: Any) -> bool:
    """A plain script path (`train.py`): launched as is, the way W&B runs programs."""
    return isinstance(value, str) and bool(value) and ":" not in value


def _refuse(what: str, how: str) -> Exception:
    return compat.refuse("tune.run.callable", f"{what} cannot be imported by name: {how}", path="run_or_experiment")


def _program_path(file: str) -> str:
    path = Path(file).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def reference(obj: Any, what: str = "the trainable") -> tuple[str, str]:
    """(program, name) for an importable function or class, or a "file.py:name" / "pkg.mod:name" string.

    `program` is a .py file path (relative to the working directory when inside it) or a dotted
    module name. Lambdas, closures and objects defined in a notebook or an interactive session are
    refused (UnsupportedFeatureError) with how to make them importable.
    """
    if isinstance(obj, str):
        program, _, name = obj.rpartition(":")
        if not program or not name.replace(".", "_").isidentifier():
            raise SpecError(f"{what} {obj!r} must be 'path.py:name' or 'pkg.module:name'.", path="run_or_experiment")
        return program, name
    qualname = getattr(obj, "__qualname__", None)
    module_name = getattr(obj, "__module__", None)
    if not isinstance(qualname, str) or not isinstance(module_name, str):
        raise _refuse(f"{what} ({type(obj).__name__})", "pass a function or a Trainable class defined at module level.")
    if "<lambda>" in qualname or "<locals>" in qualname:
        raise _refuse(
            f"{what} {qualname!r}", "a lambda or a function defined inside another function has no importable name; "
            "define it with `def` at the top level of a .py file."
        )  # fmt: skip
    module = sys.modules.get(module_name)
    if module_name != "__main__" and not module_name.startswith("__"):
        try:
            found = importlib.import_module(module_name)
            for part in qualname.split("."):
                found = getattr(found, part)
        except (ImportError, AttributeError):
            found = None
        if found is obj:
            return module_name, qualname
    file = getattr(module, "__file__", None)
    if file is None:
        try:
            file = inspect.getsourcefile(obj)
        except (TypeError, OSError):
            file = _class_file(obj)
    if not file or not file.endswith(".py") or not os.path.isfile(file):
        raise _refuse(
            f"{what} {qualname!r}", "it was defined in a notebook cell or an interactive session; move it into a .py "
            "file (e.g. train.py) and import it from there, or pass 'train.py:NAME'."
        )  # fmt: skip
    return _program_path(file), qualname


def _class_file(obj: Any) -> str | None:
    """The file a class was defined in, from its methods' code (its module may be gone: a file run by
    runpy, as `sweepbridge convert` runs sources, leaves no module behind)."""
    if not isinstance(obj, type):
        return None
    for value in vars(obj).values():
        code = getattr(getattr(value, "__func__", value), "__code__", None)
        if code is not None and code.co_filename.endswith(".py"):
            return code.co_filename
    return None


PARAMETERS_DIR = Path(".sweepbridge", "parameters")
"""Where tune.with_parameters' objects are pickled for the trials (relative to the working directory)."""


def unwrap_ray(trainable: Any) -> tuple[Any, dict[str, Any] | None]:
    """Ray's `tune.with_parameters(t, **objects)` / `tune.with_resources(t, ...)` wrappers → (t, objects).

    Both define their wrapper inside the function (no importable name); the trial imports `t` by
    name instead and gets `objects` as keyword arguments, as Ray's wrapper passes them. The resources
    asked are read apart (`resource_request`) into the trial command, for the runner.
    """
    from .wrappers import WithParameters

    if isinstance(trainable, WithParameters):  # sweepbridge's mirror
        original, more = unwrap_ray(trainable.trainable)
        return original, {**(more or {}), **trainable.parameters}
    qualname = getattr(trainable, "__qualname__", "") or ""
    if qualname.endswith("with_resources.<locals>.ResourceTrainable"):
        return unwrap_ray(trainable.__bases__[0])
    if qualname.endswith("with_parameters.<locals>.inner"):
        scope = inspect.getclosurevars(trainable).nonlocals
        inner, base = scope, scope.get("trainable")
    elif qualname.endswith("with_parameters.<locals>._Inner"):
        inner, base = inspect.getclosurevars(vars(trainable)["setup"]).nonlocals, trainable.__bases__[0]
    else:
        return trainable, None
    registry, prefix, keys = inner.get("parameter_registry"), inner.get("prefix", ""), inner.get("keys", ())
    if registry is None or base is None:
        return trainable, None
    original, more = unwrap_ray(base)
    return original, {**(more or {}), **{k: registry.get(prefix + k) for k in sorted(keys)}}


def resource_request(trainable: Any) -> dict[str, float] | None:
    """The resources `tune.with_resources` (Ray's or the mirror's) asks per trial, as the trial command
    records them: lower-case `cpu` / `gpu` / `memory` and custom names → amounts (zeros left out); None
    when no wrapper asks. A dict, a PlacementGroupFactory (its bundles summed) or a Trainable's
    `default_resource_request` is read; a function of the config is refused (the sweep's command is fixed)."""
    from .wrappers import WithParameters

    seen: set[int] = set()
    while id(trainable) not in seen:
        seen.add(id(trainable))
        asked = _asked(trainable)
        if asked is not None:
            return resource_amounts(asked)
        if isinstance(trainable, WithParameters):
            trainable = trainable.trainable
            continue
        qualname = getattr(trainable, "__qualname__", "") or ""
        if qualname.endswith("with_parameters.<locals>.inner"):
            trainable = inspect.getclosurevars(trainable).nonlocals.get("trainable", trainable)
        elif qualname.endswith(("with_parameters.<locals>._Inner", "with_resources.<locals>.ResourceTrainable")):
            trainable = trainable.__bases__[0]
    return None


def _asked(trainable: Any) -> Any:
    """What one wrapper level asks: `_resources` (a function's, or the mirror's on a class), or Ray's
    ResourceTrainable's `default_resource_request`; None when this level asks nothing."""
    qualname = getattr(trainable, "__qualname__", "") or ""
    if qualname.endswith("with_resources.<locals>.ResourceTrainable"):
        pgf = inspect.getclosurevars(vars(trainable)["default_resource_request"].__func__).nonlocals.get("pgf")
        return pgf if pgf is not None else trainable.default_resource_request({})
    return vars(trainable).get("_resources") if hasattr(trainable, "__dict__") else None


def resource_amounts(asked: Any, where: str = "run_or_experiment") -> dict[str, float]:
    """A resource request (a dict, or Ray's PlacementGroupFactory) as the trial command records it: `cpu`,
    `gpu` (Ray 0.x's extra_cpu / extra_gpu, reserved for the actors a trial starts, added to them),
    `memory` and custom names → amounts, zeros left out."""
    label = "tune.with_resources" if where == "run_or_experiment" else where
    if isinstance(asked, Mapping):
        spec = dict(asked)
        bundle = dict(spec.pop("custom_resources", {}) or {})
        bundle.update(spec)
        bundles = [bundle]
    elif hasattr(asked, "bundles"):  # Ray's PlacementGroupFactory (ResourceRequest)
        bundles = [dict(b) for b in asked.bundles]
    elif callable(asked):
        raise SpecError(
            f"{label}: resources given as a function of the config cannot be recorded in the sweep's "
            "trial command (it is the same for every trial); pass a dict such as {'cpu': 2, 'gpu': 1}.",
            path=where,
        )
    else:
        raise SpecError(f"{label}: resources must be a dict, got {type(asked).__name__}.", path=where)
    total: dict[str, float] = {}
    for bundle in bundles:
        for key, value in bundle.items():
            name = str(key).lower() if str(key).upper() in ("CPU", "GPU") else str(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SpecError(f"{label}: {key!r} must be a number >= 0, got {value!r}.", path=where)
            name = {"extra_cpu": "cpu", "extra_gpu": "gpu"}.get(name, name)
            total[name] = total.get(name, 0) + value
    return {k: int(v) if float(v).is_integer() else float(v) for k, v in sorted(total.items()) if v}


def keep_parameters(parameters: dict[str, Any]) -> str:
    """Pickle tune.with_parameters' objects where the trials read them; the file's path."""
    import hashlib
    import pickle

    try:
        data = pickle.dumps(parameters)
    except Exception as exc:
        raise SpecError(
            f"tune.with_parameters: the objects cannot be pickled for the trials ({type(exc).__name__}: {exc}); "
            "load them inside the trainable instead (e.g. from a path in the config).",
            path="run_or_experiment",
        ) from None
    target = PARAMETERS_DIR / f"{hashlib.sha256(data).hexdigest()[:16]}.pkl"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file():
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    return str(target)


def trainable_command(run_or_experiment: Any) -> tuple[str, str]:
    """(program, trainable name) of a trainable given as a function, class or reference string."""
    if isinstance(run_or_experiment, str) or callable(run_or_experiment):
        return reference(run_or_experiment)
    raise compat.refuse("tune.run.callable", f"Got {type(run_or_experiment).__name__}.", path="run_or_experiment")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"stop criterion {where} must be a number, got {value!r}.", path=f"stop.{where}")
    return value


def stop_spec(stop: Any, program: str, trainable: str) -> dict[str, Any] | None:
    """Ray's `stop` (dict, callable, Stopper, list of Stoppers) as JSON data for the trial runtime."""
    if stop is None or (isinstance(stop, Mapping) and not stop):
        return None
    if isinstance(stop, Mapping):
        criteria = {}
        for key, value in stop.items():
            if not isinstance(key, str) or isinstance(value, Mapping):
                raise SpecError(
                    "stop criteria are flat: use forward slashes to nest keys (`key1/key2`), as Ray requires.",
                    path="stop",
                )
            criteria[key] = _number(value, key)
        return {"criteria": criteria}
    if isinstance(stop, (list, tuple)):
        return {"any": [stop_spec(s, program, trainable) for s in stop]}
    cls = type(stop).__name__
    if cls in EXPERIMENT_STOPPERS:
        raise compat.refuse("tune.run.stop.experiment", f"Got {cls}.", path="stop")
    if cls == "CombinedStopper":
        return {"any": [stop_spec(s, program, trainable) for s in stop._stoppers]}
    if cls == "FunctionStopper":
        stop = stop._fn
    elif cls in STOPPERS and all(hasattr(stop, "_" + k) for k in STOPPERS[cls]):
        return {"stopper": cls, "kwargs": {k: getattr(stop, "_" + k) for k in STOPPERS[cls]}}
    if not callable(stop):
        raise SpecError(f"stop must be a dict, a callable or a Stopper, got {cls}.", path="stop")
    ref = _global_name(stop)
    try:
        where, name = reference(ref if ref is not None else stop, "the stop criterion")
    except SweepBridgeError as exc:
        raise compat.refuse("tune.run.stop.unimportable", str(exc), path="stop") from None
    return {"ref": f"{where}:{name}"}


def _global_name(obj: Any) -> Any:
    """A Stopper instance bound to a module-level name: a stand-in with that name, else None."""
    if inspect.isfunction(obj) or inspect.isclass(obj):
        return None
    for module_name in (type(obj).__module__, "__main__"):
        module = sys.modules.get(module_name)
        for name, value in vars(module or object()).items():
            if value is obj and not name.startswith("__"):
                return _Named(name, module_name, module)
    return None


class _Named:
    """A module-level object seen through its global name (for `reference`)."""

    def __init__(self, name: str, module_name: str, module: Any) -> None:
        self.__qualname__, self.__module__ = name, module_name
        self.__file__ = getattr(module, "__file__", None)

    def __call__(self) -> None:  # only to be `callable`
        raise NotImplementedError


WANDB_CALLBACKS = ("WandbLoggerCallback", "WandbLogger")
"""Ray's W&B logger callbacks (ray.air.integrations.wandb, the 2020 ray.tune.integration.wandb)."""


def callback_block(callbacks: Any) -> tuple[Any, dict[str, Any] | None]:
    """W&B logger callbacks among `callbacks` → (the other callbacks, their settings as a config['wandb'] block).

    Under the trial runtime every report is already logged to the run: the callback's settings
    (project, group, excludes, log_config, upload_checkpoints, wandb.init keywords) are honoured
    like config['wandb']; its api_key / api_key_file are refused like there.
    """
    if not isinstance(callbacks, (list, tuple)):
        return callbacks, None
    rest, block = [], None
    for cb in callbacks:
        name = cb.__name__ if isinstance(cb, type) else type(cb).__name__
        if name not in WANDB_CALLBACKS:
            rest.append(cb)
            continue
        if isinstance(cb, type):  # the 2020 `loggers=(WandbLogger,)`: configured by config['wandb']
            continue
        if getattr(cb, "api_key", None) or getattr(cb, "api_key_path", None):
            raise compat.refuse("tune.wandb.api_key", f"{name} holds an api_key / api_key_file.", path="callbacks")
        block = {k: getattr(cb, k) for k in ("project", "group") if getattr(cb, k, None)}
        block.update(
            {k: getattr(cb, k) for k in ("excludes", "log_config", "upload_checkpoints") if getattr(cb, k, None)}
        )
        block.update({k: v for k, v in (getattr(cb, "kwargs", None) or {}).items() if k not in WANDB_SECRETS})
        try:
            block = json.loads(json.dumps(block))
        except (TypeError, ValueError):
            raise SpecError(f"{name}'s settings must be JSON values.", path="callbacks") from None
    return type(callbacks)(rest), block


SETUP_WANDB_KEYS = ("project", "entity", "group", "tags", "notes", "job_type")
"""setup_wandb keyword arguments that are run settings (read from the trainable's source when literal)."""


def setup_wandb_settings(trainable: Any) -> dict[str, Any]:
    """Literal run settings passed to `setup_wandb(...)` in the trainable's source (function or class):
    `setup_wandb(config, project="P", group="G")` → {"project": "P", "group": "G"}."""
    import ast
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(trainable)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return {}
    found: dict[str, Any] = {}
    for node in ast.walk(tree):
        func = node.func if isinstance(node, ast.Call) else None
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != "setup_wandb":
            continue
        for keyword in node.keywords:  # type: ignore[union-attr]
            if keyword.arg in SETUP_WANDB_KEYS:
                try:
                    found[keyword.arg] = ast.literal_eval(keyword.value)
                except ValueError:
                    continue
    return found


def wandb_block(config: Any) -> tuple[Any, dict[str, Any] | None]:
    """Split config["wandb"] off the search space; refuse secrets (they would be shown to everyone)."""
    if not isinstance(config, Mapping) or "wandb" not in config:
        return config, None
    block = config["wandb"]
    if not isinstance(block, Mapping):
        raise SpecError(f"config['wandb'] must be a dict of wandb.init settings, got {block!r}.", path="config.wandb")
    secrets = [k for k in WANDB_SECRETS if k in block]
    if secrets:
        detail = f"config['wandb'] holds {' and '.join(secrets)}."
        raise compat.refuse("tune.wandb.api_key", detail, path="config.wandb")
    rest = {k: v for k, v in config.items() if k != "wandb"}
    try:
        json.dumps(dict(block))
    except (TypeError, ValueError):
        raise SpecError("config['wandb'] must hold JSON values.", path="config.wandb") from None
    return rest, dict(block)
