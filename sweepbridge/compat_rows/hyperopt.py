"""Compat rows: hyperopt operators (beta statuses from its "HyperOpt" table)."""

from ..compat_row import CompatRow as _R

ROWS = (
    _R(
        "hyperopt.choice",
        "hyperopt",
        "hp.choice",
        "values",
        "exact",
        "supported",
        "Options must be constants (JSON values); nested expressions form a conditional space.",
    ),
    _R(
        "hyperopt.pchoice",
        "hyperopt",
        "hp.pchoice",
        "values + probabilities",
        "exact",
        "planned",
        "Random search only: W&B's bayes engine crashes on probabilities and grid forbids them "
        "(equal probabilities become plain values and work everywhere).",
        "use method='random', or hp.choice if the options are equally likely.",
    ),
    _R(
        "hyperopt.randint",
        "hyperopt",
        "hp.randint",
        "int_uniform [low, high-1]",
        "exact",
        "planned",
        "Both forms: randint(label, upper) is [0, upper), randint(label, low, high) is [low, high).",
    ),
    _R("hyperopt.uniform", "hyperopt", "hp.uniform", "uniform", "exact", "supported"),
    _R(
        "hyperopt.uniformint",
        "hyperopt",
        "hp.uniformint",
        "q_uniform, int q=1",
        "exact",
        "planned",
        "Rounds a uniform draw, so the end points get half weight; W&B's int q=1 rounds the same "
        "way and yields ints. (int_uniform would be uniform over ints: not the same.)",
    ),
    _R(
        "hyperopt.quniform",
        "hyperopt",
        "hp.quniform",
        "q_uniform, float q",
        "exact",
        "planned",
        "A float q keeps the values floats, as hyperopt returns them.",
    ),
    _R(
        "hyperopt.loguniform",
        "hyperopt",
        "hp.loguniform",
        "log_uniform_values [e^low, e^high]",
        "exact",
        "supported",
        "hyperopt's bounds are natural-log exponents; W&B's exponent kind log_uniform is deprecated.",
    ),
    _R(
        "hyperopt.qloguniform", "hyperopt", "hp.qloguniform", "q_log_uniform_values [e^low, e^high]", "exact", "planned"
    ),
    _R("hyperopt.normal", "hyperopt", "hp.normal", "normal (mu, sigma)", "exact", "planned"),
    _R("hyperopt.qnormal", "hyperopt", "hp.qnormal", "q_normal, float q", "exact", "planned"),
    _R("hyperopt.lognormal", "hyperopt", "hp.lognormal", "log_normal (mu, sigma)", "exact", "planned"),
    _R("hyperopt.qlognormal", "hyperopt", "hp.qlognormal", "q_log_normal, float q", "exact", "planned"),
    _R(
        "hyperopt.conditional",
        "hyperopt",
        "hp.choice / hp.pchoice over nested expressions",
        "—",
        "unsupported",
        "not listed",
        "A conditional space samples different parameters per branch; W&B samples a fixed set.",
        "use engine='optuna' (`--engine optuna`: W&B's sweep scheduler samples conditional spaces "
        "exactly), or split it into one sweep per branch.",
    ),
    _R(
        "hyperopt.expression",
        "hyperopt",
        "other pyll expressions (arithmetic, scope.* calls)",
        "—",
        "unsupported",
        "not listed",
        "W&B samples only its fixed parameter kinds; a computed expression has no counterpart.",
        "sample the inputs with hp.* and compute the expression in your program.",
    ),
)
