"""W&B's sweep vocabulary as data, shared by the W&B front-end (reading) and back-end (writing)."""

from __future__ import annotations

from . import distributions as d

METHODS = ("random", "bayes", "grid")
"""The search methods of W&B's native engine."""

NUMERIC: dict[type[d.Node], tuple[str, tuple[tuple[str, str], ...]]] = {
    d.Uniform: ("uniform", (("min", "low"), ("max", "high"))),
    d.QUniform: ("q_uniform", (("min", "low"), ("max", "high"), ("q", "q"))),
    d.LogUniform: ("log_uniform_values", (("min", "low"), ("max", "high"))),
    d.QLogUniform: ("q_log_uniform_values", (("min", "low"), ("max", "high"), ("q", "q"))),
    d.InvLogUniform: ("inv_log_uniform_values", (("min", "low"), ("max", "high"))),
    d.Normal: ("normal", (("mu", "mu"), ("sigma", "sigma"))),
    d.QNormal: ("q_normal", (("mu", "mu"), ("sigma", "sigma"), ("q", "q"))),
    d.LogNormal: ("log_normal", (("mu", "mu"), ("sigma", "sigma"))),
    d.QLogNormal: ("q_log_normal", (("mu", "mu"), ("sigma", "sigma"), ("q", "q"))),
    d.Beta: ("beta", (("a", "a"), ("b", "b"))),
    d.QBeta: ("q_beta", (("a", "a"), ("b", "b"), ("q", "q"))),
}
"""IR kind (class) → (W&B distribution, (W&B key, IR attribute) pairs)."""
