"""The compatibility table: every source feature, its W&B construct and fidelity.

This is the single source of truth. Errors (`refuse`), warnings (`warn`), the docs table (docs/translation.md) and
`sweepbridge compat` are all derived from these rows.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from contextvars import ContextVar

from .compat_row import BETA_STATUSES, FIDELITIES, CompatRow
from .compat_rows import SECTIONS
from .errors import ApproximationWarning, UnsupportedFeatureError

__all__ = [
    "BETA_STATUSES",
    "FIDELITIES",
    "CompatRow",
    "beta_rows",
    "compat_table",
    "markdown",
    "refuse",
    "row",
    "text_table",
    "warn",
]

_ROWS: tuple[CompatRow, ...] = tuple(r for section in SECTIONS for r in section.ROWS)


def compat_table() -> list[CompatRow]:
    """Every row of the compat table, in display order."""
    return list(_ROWS)


_BY_KEY = {r.key: r for r in _ROWS}
assert len(_BY_KEY) == len(_ROWS), "duplicate compat keys"


def row(key: str) -> CompatRow:
    return _BY_KEY[key]


def refuse(key: str, detail: str = "", *, path: str | None = None) -> UnsupportedFeatureError:
    """The UnsupportedFeatureError for compat row `key` (raise it)."""
    r = _BY_KEY[key]
    # A row that is exact in general (e.g. lists of discrete items) can still refuse one instance.
    status = r.fidelity if r.fidelity in ("unsupported", "approximate-opt-in") else "unsupported"
    message = f"{r.feature} cannot be expressed exactly in {r.target} ({status})."
    message = " ".join(part for part in (message, detail, r.note) if part)
    return UnsupportedFeatureError(
        message, feature=r.key, status=status, suggestion=_with_flag(r.suggestion), path=path
    )


ENGINE_FLAG = " (on the command line: --engine optuna, or --engine auto to let sweepbridge choose)"


def _with_flag(suggestion: str) -> str:
    """A suggestion naming engine='optuna' also names the command-line flag that chooses it."""
    if "engine='optuna'" in suggestion and "--engine" not in suggestion:
        return suggestion.rstrip(".") + ENGINE_FLAG + "."
    return suggestion


def warn(
    key: str, detail: str = "", *, path: str | None = None, subject: str | None = None, stacklevel: int = 3
) -> str:
    """Warn ApproximationWarning for row `key` (an equivalent translation); return the text.

    `subject` names what the user wrote when the row covers several features (e.g. one keyword).
    """
    r = _BY_KEY[key]
    feature = subject or r.feature
    where = f"{path}: " if path else ""
    if r.wandb.startswith("—"):
        head = f"{feature} has no W&B sweep counterpart and is not carried over"
    else:
        head = f"{feature} → {r.wandb} is equivalent, not identical"
    why = " ".join(part for part in (detail, r.note) if part)
    text = f"{where}{head}: {why}"
    warnings.warn(text, ApproximationWarning, stacklevel=stacklevel)
    for texts in _COLLECTORS.get():
        texts.append(text)
    return text


_COLLECTORS: ContextVar[tuple[list[str], ...]] = ContextVar("sweepbridge_compat_collectors", default=())


@contextlib.contextmanager
def collecting() -> Iterator[list[str]]:
    """Within the block, every text `warn` issues (and warns as usual) is also appended to the list yielded:
    what a translation records as its `SweepConfig.warnings`."""
    texts: list[str] = []
    token = _COLLECTORS.set((*_COLLECTORS.get(), texts))
    try:
        yield texts
    finally:
        _COLLECTORS.reset(token)


def markdown() -> str:
    """The compat table as a Markdown table (docs/translation.md embeds this)."""
    head = "| Group | Source feature | W&B construct | Fidelity | 2020 beta | Notes |\n|---|---|---|---|---|---|\n"
    body = "".join(
        f"| {r.group} | {r.feature} | {r.wandb} | {r.fidelity} | {r.beta} | "
        f"{(r.note + (' Instead: ' + r.suggestion if r.suggestion else '')).strip()} |\n"
        for r in _ROWS
    )
    return (head + body).replace("|  |", "| |")


_ENGINES = ("tune", "optuna", "ax", "hyperopt")
"""Key prefixes of the rows that translate a source feature to a W&B sweep: W&B's own engine (tune., hyperopt.) and
the sweep scheduler's engines (optuna., ax.). One feature has the same key after its prefix under every engine
(tune.search.nevergrad, optuna.search.nevergrad; tune.search.ax, ax.search.ax)."""


def beta_rows() -> list[tuple[CompatRow, CompatRow]]:
    """Each row of W&B's 2020 beta table (a row with a 2020 status) with the row that carries its feature best
    today: of the rows naming the same feature under each engine, the highest fidelity (exact first; the row
    itself on a tie)."""
    same: dict[str, list[CompatRow]] = {}
    for r in _ROWS:
        prefix, _, rest = r.key.partition(".")
        if prefix in _ENGINES:
            same.setdefault(rest, []).append(r)
    out = []
    for r in _ROWS:
        if r.beta == "not listed":
            continue
        candidates = same.get(r.key.partition(".")[2], [r])
        out.append((r, min(candidates, key=lambda c: (FIDELITIES.index(c.fidelity), c is not r))))
    return out


def _beta_cells(source: CompatRow, best: CompatRow) -> tuple[str, str, str, str, str]:
    where = best.target if best.target != "a W&B sweep" else "W&B's own engine"
    return (source.feature, source.beta, best.fidelity, where, best.key)


_BETA_HEADERS = ("2020 beta row", "2020 status", "now", "under", "row")


def beta_markdown() -> str:
    """`beta_rows` as a Markdown table (docs/translation.md embeds it)."""
    head = "| " + " | ".join(_BETA_HEADERS) + " |\n|---|---|---|---|---|\n"
    return head + "".join("| " + " | ".join(_beta_cells(*pair)) + " |\n" for pair in beta_rows())


def text_table() -> str:
    """The compat table as aligned plain text (notes omitted: see markdown() or as_dict())."""
    from .text_table import render

    headers = ("Group", "Source feature", "W&B construct", "Fidelity", "2020 beta")
    table = render(headers, [(r.group, r.feature, r.wandb, r.fidelity, r.beta) for r in _ROWS])
    beta = render(_BETA_HEADERS, [_beta_cells(*pair) for pair in beta_rows()])
    return f"{table}\n\nW&B's 2020 beta table, row by row: the best translation today\n{beta}"


README_START = "<!-- compat-table:start (generated from sweepbridge/compat_rows; do not edit) -->"
README_END = "<!-- compat-table:end -->"
BETA_START = "<!-- beta-table:start (generated from sweepbridge/compat_rows; do not edit) -->"
BETA_END = "<!-- beta-table:end -->"


def readme_with_table(text: str) -> str:
    """`text` (a docs page) with the generated compat table between its markers."""
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    text = text[:start] + "\n" + markdown() + text[end:]
    if BETA_START in text:
        start, end = text.index(BETA_START) + len(BETA_START), text.index(BETA_END)
        text = text[:start] + "\n" + beta_markdown() + text[end:]
    return text


if __name__ == "__main__":  # python -m sweepbridge.compat docs/translation.md  → regenerate the docs table
    import sys
    from pathlib import Path

    for name in sys.argv[1:]:
        Path(name).write_text(readme_with_table(Path(name).read_text(encoding="utf-8")), encoding="utf-8")
    if not sys.argv[1:]:
        print(markdown(), end="")
