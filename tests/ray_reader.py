"""Test oracle: read a real Ray Tune param_space back into the IR by inspecting Ray's domain objects.

Independent of sweepbridge's Tune front-end (built elsewhere); it reads only what the reverse
back-end emits: Float (uniform / loguniform / normal, optionally quantized), Integer (uniform),
Categorical and grid_search, nested in dicts.
"""

from __future__ import annotations

from typing import Any

from sweepbridge import distributions as d


def read(obj: Any) -> d.Node:
    from ray.tune.search import sample as s

    if isinstance(obj, dict) and set(obj) == {"grid_search"}:
        return d.GridAxis(tuple(obj["grid_search"]))
    if isinstance(obj, dict):
        return d.mapping([(k, read(v)) for k, v in obj.items()])
    if isinstance(obj, s.Categorical):
        return d.Choice(tuple(d.Constant(c) for c in obj.categories))
    if isinstance(obj, s.Integer):
        assert isinstance(obj.get_sampler(), s.Uniform), obj.get_sampler()
        return d.IntUniform(obj.lower, obj.upper - 1)
    if isinstance(obj, s.Float):
        sampler, q = obj.get_sampler(), None
        if isinstance(sampler, s.Quantized):
            sampler, q = sampler.sampler, sampler.q
        if isinstance(sampler, s.Normal):
            return d.Normal(sampler.mean, sampler.sd) if q is None else d.QNormal(sampler.mean, sampler.sd, q)
        if isinstance(sampler, s.LogUniform):
            return d.LogUniform(obj.lower, obj.upper) if q is None else d.QLogUniform(obj.lower, obj.upper, q)
        assert isinstance(sampler, s.Uniform), sampler
        return d.Uniform(obj.lower, obj.upper) if q is None else d.QUniform(obj.lower, obj.upper, q)
    assert not isinstance(obj, s.Domain), obj
    return d.Constant(obj)
