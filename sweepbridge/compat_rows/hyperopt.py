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
        "Options are constants (JSON values) or any sized sequence of them (list, tuple, range, NumPy "
        "array); options holding expressions form a conditional space (rows below).",
    ),
    _R(
        "hyperopt.pchoice",
        "hyperopt",
        "hp.pchoice",
        "values + probabilities",
        "exact",
        "planned",
        "Random search: values + probabilities. W&B's bayes engine crashes on probabilities: there, "
        "probabilities that are multiples of 1/N (N ≤ 10,000) become equally likely values repeated in "
        "proportion, others are refused; grid forbids them (equal probabilities become plain values "
        "and work everywhere).",
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
        "hp.choice / hp.pchoice over nested expressions with a continuous or unbounded part",
        "—",
        "unsupported",
        "not listed",
        "A conditional space samples different parameters per branch; W&B samples a fixed set, so only "
        "branches with a finite support become one values list (structure row 'conditional choice').",
        'use the scheduler engine (`--engine optuna`, or `to_sweep(..., engine="optuna")`), which samples '
        "conditional spaces exactly; or split the space into one sweep per branch.",
    ),
    _R(
        "hyperopt.arithmetic",
        "hyperopt",
        "arithmetic on expressions (x + c, c - x, x * c, x / c, -x, scope.int / scope.float, ...)",
        "bounds shifted / scaled, or values mapped",
        "exact",
        "not listed",
        "A constant shift of uniform / normal / randint / quniform / uniformint and a positive scale of "
        "uniform / loguniform / normal / quniform (randint: by a positive int) shift or scale the bounds; "
        "a quantized kind keeps its W&B form only when every value equals hyperopt's bit for bit. Any "
        "operator on a finite expression (choice, randint, uniformint, quniform, finite conditional; "
        "at most 10,000 values) maps its values one by one as hyperopt computes them (hp.choice([1, 2]) "
        "/ 256 gives exactly 1/256). Same for the mirror hp (and its scope.int / scope.float).",
    ),
    _R(
        "hyperopt.expression",
        "hyperopt",
        "other pyll expressions (two sampled operands, scope.* functions, continuous kinds without a closed form)",
        "—",
        "unsupported",
        "not listed",
        "W&B samples only its fixed parameter kinds; a computed expression has no counterpart.",
        "sample the inputs with hp.* and compute the expression in your program.",
    ),
)
