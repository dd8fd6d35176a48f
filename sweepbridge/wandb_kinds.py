"""W&B's sweep vocabulary as data, shared by the W&B front-end (reading) and back-end (writing)."""

from __future__ import annotations

METHODS = ("random", "bayes", "grid")
"""The search methods of W&B's native engine."""

NUMERIC: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "uniform": ("uniform", (("min", "low"), ("max", "high"))),
    "quniform": ("q_uniform", (("min", "low"), ("max", "high"), ("q", "q"))),
    "loguniform": ("log_uniform_values", (("min", "low"), ("max", "high"))),
    "qloguniform": ("q_log_uniform_values", (("min", "low"), ("max", "high"), ("q", "q"))),
    "invloguniform": ("inv_log_uniform_values", (("min", "low"), ("max", "high"))),
    "normal": ("normal", (("mu", "mu"), ("sigma", "sigma"))),
    "qnormal": ("q_normal", (("mu", "mu"), ("sigma", "sigma"), ("q", "q"))),
    "lognormal": ("log_normal", (("mu", "mu"), ("sigma", "sigma"))),
    "qlognormal": ("q_log_normal", (("mu", "mu"), ("sigma", "sigma"), ("q", "q"))),
    "beta": ("beta", (("a", "a"), ("b", "b"))),
    "qbeta": ("q_beta", (("a", "a"), ("b", "b"), ("q", "q"))),
}
"""IR kind → (W&B distribution, (W&B key, IR attribute) pairs)."""
