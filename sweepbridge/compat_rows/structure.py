"""Compat rows: structure of a space."""

from ..compat_row import CompatRow as _R

ROWS = (
    _R(
        "space.mapping",
        "structure",
        "nested dict",
        "nested parameters",
        "exact",
        "not listed",
        "Keys must match W&B's name pattern ^[A-Za-z_][A-Za-z0-9_.-]*$.",
    ),
    _R(
        "space.constant",
        "structure",
        "constant (JSON value)",
        "value",
        "exact",
        "not listed",
        "JSON has no tuple: sequences arrive in the program as lists.",
    ),
    _R(
        "space.sequence",
        "structure",
        "list / tuple holding expressions",
        "values over the product",
        "exact",
        "not listed",
        "Exact when every item is finite and discrete (one categorical over the product of items, "
        "at most 10,000 combinations); continuous items cannot be expressed.",
        "use a dict with one key per item so each becomes its own parameter.",
    ),
    _R(
        "space.conditional.finite",
        "structure",
        "conditional choice with finite branches (hp.choice / hp.pchoice / tune.choice whose options hold "
        "constants, choices, randint, uniformint, quniform, finite Tune domains, nested to any depth)",
        "values (+ probabilities) over whole branch values",
        "exact",
        "not listed",
        "One W&B parameter whose values are the branches' whole values (dicts and lists as JSON values), "
        "identical values merged. random: the exact probabilities; bayes: equally likely values repeating "
        "each in proportion when every probability is a multiple of 1/N (N ≤ 10,000), else refused; grid: "
        "each branch value once (choices without probabilities only). At most 10,000 values.",
        "narrow the branches, or use the scheduler engine (`--engine optuna`).",
    ),
    _R(
        "space.shared",
        "structure",
        "the same labelled expression used twice",
        "—",
        "unsupported",
        "not listed",
        "hyperopt samples it once and reuses the value; W&B samples every parameter independently.",
        "use it once and copy the value in your program.",
    ),
    _R(
        "space.name",
        "structure",
        "parameter name outside W&B's pattern",
        "—",
        "unsupported",
        "not listed",
        "W&B names must match ^[A-Za-z_][A-Za-z0-9_.-]*$.",
        "rename the key (letters, digits, _ . -, not starting with a digit).",
    ),
    _R(
        "value.non_finite",
        "structure",
        "NaN / infinite constants",
        "—",
        "unsupported",
        "not listed",
        "JSON, which W&B uses to send configs, has no NaN or infinity.",
        "use a finite number or a string.",
    ),
)
