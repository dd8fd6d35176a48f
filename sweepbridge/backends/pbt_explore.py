"""Ray's PBT explore step without Ray: the text of this module is carried into every generated PBT scheduler.

Standard library only, no sweepbridge import: `pbt_source` inlines this file (below the marker line) into the
generated source, so the scheduler's machine needs neither Ray nor sweepbridge.

`explore(config, mutations, ...)` is ray.tune.schedulers.pbt._explore step for step (Ray 2.x): for each key of
`mutations`, in order,
- a nested dict: explored recursively (without the custom function);
- a list: with probability `resample_probability` (or when the value is not in the list) a uniform choice
  from the list, else a shift to the left or right neighbour (clipped at the ends);
- a domain (a Tune search-space object, as sweepbridge IR data) or a function: with probability
  `resample_probability` a fresh draw, else the value times a factor chosen uniformly from
  `perturbation_factors`; a bool value stays bool, an int value is rounded back to int;
then `custom_explore_fn(config)`. Mutation specs are data: {"dict": {...}}, {"list": [...]},
{"domain": <IR data>}, {"function": <callable>} (the generated file imports the callable by name).

`sample(node, rng)` draws one value of an IR node (`sweepbridge.ir_data.to_data`) with the distribution and
Python type Ray's Domain.sample gives (tests/test_pbt_explore.py measures both against Ray).
"""

# --- carried into the generated scheduler from here on ---
import copy
import math
import random
from collections.abc import Callable
from typing import Any


def _quantize(x: float, q: float) -> float:
    """round(x / q) * q, half to even as numpy rounds (Ray's Quantized)."""
    return round(x / q, 0) * q


def _index(probabilities: list | None, n: int, rng: random.Random) -> int:
    if not probabilities:
        return rng.randrange(n)
    u, total = rng.random(), 0.0
    for i, p in enumerate(probabilities):
        total += p
        if u < total:
            return i
    return n - 1


def _draw_uniform(node: dict, rng: random.Random) -> float:
    if node.get("kind") in ("loguniform", "qloguniform"):
        return math.exp(rng.uniform(math.log(node["low"]), math.log(node["high"])))
    return rng.uniform(node["low"], node["high"])


def _draw_normal(node: dict, rng: random.Random) -> float:
    x = rng.gauss(node["mu"], node["sigma"])
    return math.exp(x) if node.get("kind") in ("lognormal", "qlognormal") else x


def sample(node: dict, rng: random.Random) -> Any:
    """One draw of the IR node `node` (data), as Ray's Domain.sample draws it."""
    kind = node["kind"]
    if kind == "constant":
        return copy.deepcopy(node["value"])
    if kind == "choice":
        i = _index(node.get("probabilities"), len(node["options"]), rng)
        return sample(node["options"][i], rng)
    if kind == "finite":
        return copy.deepcopy(node["values"][_index(node["probabilities"], len(node["values"]), rng)])
    if kind == "int_uniform":
        return rng.randrange(node["low"], node["high"] + 1, node["step"])
    if kind == "log_integer":
        i = math.floor(math.exp(rng.uniform(math.log(node["low"]), math.log(node["high"]))))
        return min(max(i, node["low"]), node["high"] - 1) * node["q"]
    if kind in ("uniform", "loguniform", "normal", "lognormal"):
        return float(_draw_uniform(node, rng) if kind in ("uniform", "loguniform") else _draw_normal(node, rng))
    if kind in ("quniform", "qloguniform", "qnormal", "qlognormal"):
        x = _draw_uniform(node, rng) if kind in ("quniform", "qloguniform") else _draw_normal(node, rng)
        value = _quantize(x, node["q"])
        return int(value) if node.get("integer") else float(value)
    if kind == "mapping":
        return {key: sample(child, rng) for key, child in node["fields"]}
    if kind == "sequence":
        return [sample(child, rng) for child in node["items"]]
    raise ValueError(f"PBT cannot draw a {kind} value")


def explore(
    config: dict,
    mutations: dict,
    resample_probability: float,
    perturbation_factors: Any,
    custom_explore_fn: Callable | None = None,
    rng: Any = random,
) -> dict:
    """A perturbed copy of `config`, as Ray's PBT `_explore` makes it (see the module docstring)."""
    new_config = copy.deepcopy(config)
    for key, spec in mutations.items():
        if "dict" in spec:
            new_config[key] = explore(config[key], spec["dict"], resample_probability, perturbation_factors, None, rng)
        elif "list" in spec:
            values = spec["list"]
            if rng.random() < resample_probability or config[key] not in values:
                new_config[key] = rng.choice(values)
            else:
                shift = rng.choice([-1, 1])
                new_index = min(max(values.index(config[key]) + shift, 0), len(values) - 1)
                new_config[key] = values[new_index]
        else:
            if rng.random() < resample_probability:
                new_config[key] = sample(spec["domain"], rng) if "domain" in spec else spec["function"]()
            else:
                new_config[key] = config[key] * rng.choice(list(perturbation_factors))
            if isinstance(config[key], bool):
                new_config[key] = bool(new_config[key])
            elif isinstance(config[key], int):
                new_config[key] = int(round(new_config[key]))
    if custom_explore_fn:
        new_config = custom_explore_fn(new_config)
        if new_config is None:
            raise ValueError("custom_explore_fn returned None instead of the new config")
    return new_config


def fill(config: dict, mutations: dict, rng: Any = random) -> dict:
    """`config` with every mutated key it lacks drawn from its mutation spec (Ray's `_fill_config`)."""
    config = dict(config)
    for key, spec in mutations.items():
        if key in config:
            continue
        if "dict" in spec:
            config[key] = fill({}, spec["dict"], rng)
        elif "list" in spec:
            config[key] = rng.choice(spec["list"])
        elif "domain" in spec:
            config[key] = sample(spec["domain"], rng)
        else:
            config[key] = spec["function"]()
    return config
