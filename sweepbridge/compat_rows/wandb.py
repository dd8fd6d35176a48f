"""Compat rows: W&B method rules (apply to every source)."""

from ..compat_row import CompatRow as _R

ROWS = (
    _R(
        "wandb.grid.kind",
        "W&B method",
        "a sampled distribution under method grid",
        "—",
        "unsupported",
        "partial",
        "Grid enumerates only `values` axes (q_uniform is enumerated differently from how it samples).",
        "use method='random' or 'bayes', or list the values with a choice / grid_search.",
    ),
    _R(
        "wandb.bayes.probabilities",
        "W&B method",
        "unequal probabilities under method bayes that are not multiples of 1/N",
        "—",
        "unsupported",
        "not listed",
        "W&B's bayes engine fails on values+probabilities once runs exist (measured); probabilities that "
        "are multiples of 1/N (N ≤ 10,000) become equally likely values repeated in proportion.",
        "use method='random'.",
    ),
    _R(
        "wandb.random.grid",
        "W&B method",
        "a grid axis under method random or bayes",
        "—",
        "unsupported",
        "partial",
        "Only method grid enumerates every value.",
        "use method='grid', or a choice if sampling is what you want.",
    ),
)
