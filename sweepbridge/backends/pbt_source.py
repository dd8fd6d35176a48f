"""PBT settings + the space's IR → the generated source of a Population Based Training sweep (W&B's sweep
scheduler, Optuna engine, `method: custom`).

The file carries the text of `pbt_explore` (Ray's explore, without Ray) and `pbt_study` (Ray's PBT schedule
as an Optuna sampler and pruner), defines `_sample(trial)` (a new trial's config, drawn exactly as
`optuna_source` draws the space), `search_space(trial)` (the next run's config: a new trial, or a trial's
continuation with its `_pbt` block) and `optimizer(sweep)` (the study). Callables named in the settings
(function mutations, custom_explore_fn) are imported by name when the file loads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import __version__
from .. import distributions as d
from ..ir_data import to_data
from . import optuna_source as o

MARKER = "# --- carried into the generated scheduler from here on ---"
CARRIED = ("pbt_explore.py", "pbt_study.py")
IMPORTS = {
    "import copy",
    "import importlib",
    "import importlib.util",
    "import json",
    "import logging",
    "import math",
    "import os",
    "import random",
    "import re",
    "import sys",
    "from collections.abc import Callable",
    "from typing import Any",
}
FORMAT = 1
PB2_CARRIED = "pb2_explore.py"
PB2_IMPORTS = {
    "from copy import deepcopy",
    "import numpy as np",
    "import pandas as pd",
    "from scipy.optimize import minimize",
    "from sklearn.gaussian_process import GaussianProcessRegressor",
    "from sklearn.gaussian_process.kernels import Hyperparameter, Kernel",
    "from sklearn.metrics import pairwise_distances",
    "from sklearn.metrics.pairwise import euclidean_distances",
}
"""A PB2 scheduler's extra imports: what Ray's PB2 needs (numpy, pandas, scipy, scikit-learn)."""


def carried(name: str) -> str:
    """The part of module `name` the generated file carries (after MARKER), without its import lines."""
    text = (Path(__file__).parent / name).read_text(encoding="utf-8")
    body = text.split(MARKER, 1)[1]
    lines = [line for line in body.splitlines() if not line.startswith(("import ", "from "))]
    return "\n".join(lines).strip("\n") + "\n"


LOADER = '''
def _load(ref: str) -> Any:
    """A callable by name ("module:qualname" or "file.py:qualname"); a file is imported under a private name,
    so its `if __name__ == "__main__":` block does not run."""
    where, _, qualname = ref.rpartition(":")
    if where.endswith(".py") or os.sep in where:
        spec = importlib.util.spec_from_file_location("__sweepbridge_pbt__", where)
        if spec is None or spec.loader is None:
            raise ImportError(f"PBT: cannot load {where} (needed for {ref})")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault("__sweepbridge_pbt__", module)
        spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError:  # a module beside the sweep (the scheduler's sys.path may not hold its folder)
            if not os.path.isfile(where.replace(".", os.sep) + ".py"):
                raise
            return _load(where.replace(".", os.sep) + ".py:" + qualname)
    found = module
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _mutations(specs: dict) -> dict:
    """The mutation specs with every {"function": ref} resolved to the callable."""
    out = {}
    for key, spec in specs.items():
        if "dict" in spec:
            out[key] = {"dict": _mutations(spec["dict"])}
        elif "function" in spec:
            out[key] = {"function": _load(spec["function"])}
        else:
            out[key] = spec
    return out
'''

TAIL = '''
PBT_SETTINGS = SPEC["pbt"]
MUTATIONS = _mutations(PBT_SETTINGS["mutations"])
CUSTOM_EXPLORE = _load(PBT_SETTINGS["custom_explore_fn"]) if PBT_SETTINGS["custom_explore_fn"] else None


def optimizer(sweep: Any) -> optuna.Study:
    """The study W&B's scheduler asks: PBTSampler (new trials sampled at random) and PBTPruner (Ray's PBT)."""
    metric = sweep.config.get("metric") or {}
    storage = wandb_storage(PBT_SETTINGS["storage"].rstrip("/") + "/" + str(sweep.id), sweep.entity, sweep.project)
    population = Population({**PBT_SETTINGS, "storage": storage}, MUTATIONS, _sample, CUSTOM_EXPLORE)
    return optuna.create_study(
        study_name=f"sweep-{sweep.id}",
        direction=metric.get("goal", "minimize"),
        sampler=PBTSampler(population),
        pruner=PBTPruner(population),
    )


def search_space(trial: optuna.Trial) -> dict[str, Any]:
    """The next run's config: a new PBT trial's, or a trial's continuation (explored config and `_pbt`)."""
    frozen = next((ft for ft in reversed(trial.study.get_trials(deepcopy=False)) if ft.number == trial.number), None)
    fixed = frozen.system_attrs.get("fixed_params") if frozen is not None else None
    # wandb loads this file once per function: the sampler's class is the other load's, so no isinstance
    population = getattr(trial.study.sampler, "population", None)
    if fixed:  # a run W&B's scheduler adopts on a restart: its config as it was (the population is rebuilt)
        if population is not None:
            population.adopt(fixed, trial.number)
        return dict(fixed)
    if population is not None:
        return population.next_run(trial)
    return _sample(trial)  # wandb's check of this function on a throwaway study
'''


def source(fields: tuple[tuple[str, d.Node], ...], settings: dict[str, Any], origin: str) -> str:
    """The generated PBT scheduler for the space `fields` and PBT `settings` (plain data, see pbt_study)."""
    writer = o._Writer(tuple(key for key, _ in fields))
    body = o._fields_expr(writer, fields)
    pb2 = settings.get("explorer") == "pb2"
    imports = set(IMPORTS) | (PB2_IMPORTS if pb2 else set())
    for helper in writer.helpers:
        imports.update(o.HELPER_IMPORTS.get(helper, ("import math",) if helper == "math" else ()))
    spec = {
        "format": o.SPEC_FORMAT,
        "sweepbridge": __version__,
        "origin": origin,
        "space": to_data(d.Mapping(fields)),
        "sampler": o.SamplerSpec().as_data(),
        "pruner": {"name": "PBTPruner", "kwargs": {}},
        "settings": {"num_samples": settings["num_samples"], "scheduler": "PB2" if pb2 else "PopulationBasedTraining"},
        "pbt": {"format": FORMAT, **settings},
    }
    spec_text = json.dumps(spec, indent=1, ensure_ascii=True, allow_nan=False)
    head = (
        f"{o.HEADER} {__version__}; do not edit (regenerate it from its source).\n"
        '"""Population Based Training for W&B\'s sweep scheduler (`wandb sweep-scheduler`, Optuna engine).\n\n'
        f"Source: {o._doc(origin, 100)}.\n"
        + (
            "Needs optuna, numpy, pandas, scipy and scikit-learn (PB2's GP), and pyarrow for a storage URI\n"
            "(wandb for a wandb:// storage of W&B artifacts).\n\n"
            if pb2
            else "Needs optuna and the Python standard library (pyarrow for a checkpoint storage URI other than "
            "file://,\nwandb for a wandb:// storage of W&B artifacts).\n\n"
        )
        + "Ray's PopulationBasedTraining, run on W&B runs: a PBT trial is a chain of runs. At each perturbation\n"
        "interval a bottom-quantile trial's run is pruned and the trial continues as a new run that restores a\n"
        "top-quantile trial's checkpoint with an explored config (its `_pbt` config block names both).\n"
        "SPEC holds the space and the PBT settings as JSON.\n"
        '"""\n\n'
        f"{o._imports(imports)}\n"
        f'SPEC = json.loads(\n    r"""\n{spec_text}\n"""\n)\n'
    )
    space = [
        "def _sample(trial: optuna.Trial) -> dict[str, Any]:",
        '    """A new PBT trial\'s config, shaped as the source space gives it (drawn exactly by a random sampler)."""',
        f"    return {body}",
    ]
    parts = [
        head,
        *(carried(name) for name in (*CARRIED, *((PB2_CARRIED,) if pb2 else ()))),
        LOADER,
        TAIL,
        "\n".join(space) + "\n",
        *writer.functions,
        *(o.HELPERS[h].lstrip("\n") for h in sorted(writer.helpers) if h in o.HELPERS),
    ]
    return "\n\n".join(p.strip("\n") + "\n" for p in parts)
