"""One row of the compat table (a small validated value class)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
    target: str = "a W&B sweep"
    """What the feature is translated into (the reverse rows name hyperopt / Ray Tune)."""

    def __post_init__(self) -> None:
        assert self.fidelity in FIDELITIES, self
        assert self.beta in BETA_STATUSES, self

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
