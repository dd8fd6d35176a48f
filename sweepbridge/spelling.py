"""Nearest valid names for misspelled ones: the "did you mean `choice`?" of every typo error.

Candidates are the options `difflib.get_close_matches` (Ratcliff/Obershelp similarity) finds on lower-cased
names, so a case slip (`Choice`) and a single added, dropped, swapped or changed letter all find their name;
of those, the fewest edits wins (`randt` → `randn`, one edit, not `randint`, two), the similarity breaking ties.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
"""Least similarity (0..1) for a suggestion: one edit in a name of 3+ letters stays above it."""


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): letters added, dropped, changed or swapped."""
    previous, row = [], list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        earlier, previous, row = previous, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], earlier[j - 2] + 1)
    return row[-1]


def nearest(name: object, options: Iterable[object], cutoff: float = CUTOFF) -> str | None:
    """The option closest to `name` (a string), or None when none is close enough."""
    if not isinstance(name, str):
        return None
    by_lower: dict[str, str] = {}
    for option in options:
        if isinstance(option, str):
            by_lower.setdefault(option.lower(), option)
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=len(by_lower), cutoff=cutoff)  # by similarity
    if not close:
        return None
    return by_lower[min(close, key=lambda option: edit_distance(name.lower(), option))]  # min keeps the first of ties


def did_you_mean(name: object, options: Iterable[object], cutoff: float = CUTOFF) -> str:
    """' did you mean `x`?' for the nearest option, or '' when none is close."""
    match = nearest(name, options, cutoff)
    return f" did you mean `{match}`?" if match is not None and match != name else ""


def unknown(names: Iterable[str], options: Iterable[str], what: str = "key") -> str:
    """'unknown key `x`; did you mean `y`?' for each of `names` with a close option; the others
    listed with the valid options ('unexpected key `z` (valid here: ...)')."""
    options = sorted({o for o in options if isinstance(o, str)})
    parts, far = [], []
    for name in sorted(names, key=str):
        hint = did_you_mean(name, options)
        if hint:
            parts.append(f"unknown {what} `{name}`;{hint}")
        else:
            far.append(f"`{name}`")
    if far:
        parts.append(f"unexpected {what}{'s' * (len(far) > 1)} {', '.join(far)} (valid here: {', '.join(options)})")
    return "; ".join(parts)
