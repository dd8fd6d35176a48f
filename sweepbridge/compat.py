"""The compatibility table: every source feature, its W&B construct and fidelity.

This is the single source of truth. Errors (`refuse`), warnings (`warn`), the README table and
`sweepbridge compat` are all derived from these rows.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

from .errors import ApproximationWarning, UnsupportedFeatureError

FIDELITIES = ("exact", "equivalent", "approximate-opt-in", "unsupported")
"""exact: same distribution and type; equivalent: same intent, behaviour differs (warned);
approximate-opt-in: refused unless allow_approximate=True; unsupported: always refused."""

BETA_STATUSES = ("supported", "partial", "planned", "under study", "not stated", "not listed")
"""Status in W&B's 2020 beta (`wandb.sweeps.config.tune`) compat table; "not stated" = blank
cell there, "not listed" = absent from it."""


@dataclass(frozen=True)
class CompatRow:
    key: str
    group: str
    feature: str
    wandb: str
    fidelity: str
    beta: str
    note: str = ""
    suggestion: str = ""

    def __post_init__(self) -> None:
        assert self.fidelity in FIDELITIES, self
        assert self.beta in BETA_STATUSES, self

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


_R = CompatRow
_ROWS: tuple[CompatRow, ...] = (
    # -- hyperopt operators (beta statuses from its "HyperOpt" table)
    _R("hyperopt.choice", "hyperopt", "hp.choice", "values", "exact", "supported",
       "Options must be constants (JSON values); nested expressions form a conditional space."),
    _R("hyperopt.pchoice", "hyperopt", "hp.pchoice", "values + probabilities", "exact", "planned",
       "Random search only: W&B's bayes engine crashes on probabilities and grid forbids them "
       "(equal probabilities become plain values and work everywhere).",
       "use method='random', or hp.choice if the options are equally likely."),
    _R("hyperopt.randint", "hyperopt", "hp.randint", "int_uniform [low, high-1]", "exact", "planned",
       "Both forms: randint(label, upper) is [0, upper), randint(label, low, high) is [low, high)."),
    _R("hyperopt.uniform", "hyperopt", "hp.uniform", "uniform", "exact", "supported"),
    _R("hyperopt.uniformint", "hyperopt", "hp.uniformint", "q_uniform, int q=1", "exact", "planned",
       "Rounds a uniform draw, so the end points get half weight; W&B's int q=1 rounds the same "
       "way and yields ints. (int_uniform would be uniform over ints: not the same.)"),
    _R("hyperopt.quniform", "hyperopt", "hp.quniform", "q_uniform, float q", "exact", "planned",
       "A float q keeps the values floats, as hyperopt returns them."),
    _R("hyperopt.loguniform", "hyperopt", "hp.loguniform", "log_uniform_values [e^low, e^high]",
       "exact", "supported",
       "hyperopt's bounds are natural-log exponents; W&B's exponent kind log_uniform is deprecated."),
    _R("hyperopt.qloguniform", "hyperopt", "hp.qloguniform", "q_log_uniform_values [e^low, e^high]",
       "exact", "planned"),
    _R("hyperopt.normal", "hyperopt", "hp.normal", "normal (mu, sigma)", "exact", "planned"),
    _R("hyperopt.qnormal", "hyperopt", "hp.qnormal", "q_normal, float q", "exact", "planned"),
    _R("hyperopt.lognormal", "hyperopt", "hp.lognormal", "log_normal (mu, sigma)", "exact", "planned"),
    _R("hyperopt.qlognormal", "hyperopt", "hp.qlognormal", "q_log_normal, float q", "exact", "planned"),
    _R("hyperopt.conditional", "hyperopt", "hp.choice / hp.pchoice over nested expressions",
       "—", "unsupported", "not listed",
       "A conditional space samples different parameters per branch; W&B samples a fixed set.",
       "split it into one sweep per branch, or make the nested parameters unconditional."),
    _R("hyperopt.expression", "hyperopt", "other pyll expressions (arithmetic, scope.* calls)",
       "—", "unsupported", "not listed",
       "W&B samples only its fixed parameter kinds; a computed expression has no counterpart.",
       "sample the inputs with hp.* and compute the expression in your program."),
    # -- structure of a space
    _R("space.mapping", "structure", "nested dict", "nested parameters", "exact", "not listed",
       "Keys must match W&B's name pattern ^[A-Za-z_][A-Za-z0-9_.-]*$."),
    _R("space.constant", "structure", "constant (JSON value)", "value", "exact", "not listed",
       "JSON has no tuple: sequences arrive in the program as lists."),
    _R("space.sequence", "structure", "list / tuple holding expressions", "values over the product",
       "exact", "not listed",
       "Exact when every item is finite and discrete (one categorical over the product of items, "
       "at most 10,000 combinations); continuous items cannot be expressed.",
       "use a dict with one key per item so each becomes its own parameter."),
    _R("space.shared", "structure", "the same labelled expression used twice", "—", "unsupported",
       "not listed",
       "hyperopt samples it once and reuses the value; W&B samples every parameter independently.",
       "use it once and copy the value in your program."),
    _R("space.name", "structure", "parameter name outside W&B's pattern", "—", "unsupported",
       "not listed", "W&B names must match ^[A-Za-z_][A-Za-z0-9_.-]*$.",
       "rename the key (letters, digits, _ . -, not starting with a digit)."),
    _R("value.non_finite", "structure", "NaN / infinite constants", "—", "unsupported", "not listed",
       "JSON, which W&B uses to send configs, has no NaN or infinity.",
       "use a finite number or a string."),
    # -- W&B method rules (apply to every source)
    _R("wandb.grid.kind", "W&B method", "a sampled distribution under method grid", "—",
       "unsupported", "partial",
       "Grid enumerates only `values` axes (q_uniform is enumerated differently from how it samples).",
       "use method='random' or 'bayes', or list the values with a choice / grid_search."),
    _R("wandb.bayes.probabilities", "W&B method", "unequal probabilities under method bayes", "—",
       "unsupported", "not listed",
       "W&B's bayes engine fails on values+probabilities once runs exist (measured).",
       "use method='random'."),
    _R("wandb.random.grid", "W&B method", "a grid axis under method random or bayes", "—",
       "unsupported", "partial",
       "Only method grid enumerates every value.",
       "use method='grid', or a choice if sampling is what you want."),
)


def compat_table() -> list[CompatRow]:
    """Every row of the compat table, in display order."""
    return list(_ROWS)


_BY_KEY = {row.key: row for row in _ROWS}


def row(key: str) -> CompatRow:
    return _BY_KEY[key]


def refuse(key: str, detail: str = "", *, path: str | None = None) -> UnsupportedFeatureError:
    """The UnsupportedFeatureError for compat row `key` (raise it)."""
    r = _BY_KEY[key]
    message = f"{r.feature} cannot be expressed exactly in a W&B sweep ({r.fidelity})."
    if detail:
        message = f"{message} {detail}"
    elif r.note:
        message = f"{message} {r.note}"
    return UnsupportedFeatureError(
        message, feature=r.key, status=r.fidelity, suggestion=r.suggestion, path=path
    )


def warn(key: str, detail: str = "", *, path: str | None = None, stacklevel: int = 3) -> str:
    """Warn ApproximationWarning for row `key` (an equivalent translation); return the text."""
    r = _BY_KEY[key]
    where = f"{path}: " if path else ""
    text = f"{where}{r.feature} → {r.wandb} is equivalent, not identical: {detail or r.note}"
    warnings.warn(text, ApproximationWarning, stacklevel=stacklevel)
    return text


def markdown() -> str:
    """The compat table as a Markdown table (the README embeds this)."""
    head = "| Group | Source feature | W&B construct | Fidelity | 2020 beta | Notes |\n|---|---|---|---|---|---|\n"
    body = "".join(
        f"| {r.group} | {r.feature} | {r.wandb} | {r.fidelity} | {r.beta} | "
        f"{(r.note + (' Instead: ' + r.suggestion if r.suggestion else '')).strip()} |\n"
        for r in _ROWS
    )
    return (head + body).replace("|  |", "| |")
