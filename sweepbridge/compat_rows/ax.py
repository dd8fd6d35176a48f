"""Compat rows: W&B's client-side sweep scheduler with its Ax engine (`scheduler.engine: ax`).

`tune.run(..., search_alg=AxSearch(...), engine="ax")` (or `engine="auto"`, `--engine ax|auto`) emits a
`method: custom` sweep plus a generated source whose `optimizer(sweep)` returns an `ax.Client`.
"""

from ..compat_row import CompatRow

TARGET = "W&B's sweep scheduler (Ax engine)"


def _R(key: str, feature: str, construct: str, fidelity: str, note: str = "", suggestion: str = "",
       beta: str = "not listed") -> CompatRow:  # fmt: skip
    return CompatRow(key, "sweep scheduler (ax)", feature, construct, fidelity, beta, note, suggestion, TARGET)


ROWS = (
    _R(
        "ax.search.ax",
        "AxSearch (space, metric/mode or lists of them, parameter_constraints, points_to_evaluate, random_seed, "
        "enforce_sequential_optimization)",
        "ax.Client: Ray's parameters, constraints, objective(s), AxClient's generation strategy and seed",
        "equivalent",
        "The generated client holds exactly the search space Ray's AxSearch builds (Ax's SearchSpace objects "
        "compare equal: types, bounds, log scale, choices and their orderedness, fixed values, parameter "
        "constraints) and the generation strategy Ray's AxClient picks (Ax's legacy dispatcher: Sobol, then "
        "BoTorch), seeded alike: the first Sobol suggestions equal Ray's bit for bit; the BoTorch ones agree "
        "only approximately, as Ax documents for a seeded model fit. Ray 2.60 drives the older AxClient, and "
        "with ax-platform 1.3 its AxSearch fails right after creating the experiment (reading "
        "`objective.metric` / `.minimize`, which Ax 1.x's expression-based Objective no longer has, then "
        "`.objectives`): its convert_search_space and create_experiment arguments still work and are what the "
        "generated client carries, through Ax's current `ax.Client` API (the one W&B's engine drives). "
        "W&B tells Ax each finished run's final metric value (Ray: the last reported result); points_to_evaluate "
        "are attached first, as Ray attaches them, again after a restart. Multi-objective (metric and mode "
        "lists, which Ray 2.60's AxSearch itself rejects) becomes Ax objectives and the sweep's `metrics:` list. "
        "Branin, 30 runs per sweep through `sweepbridge run`, median best loss over 5 seeds: AxSearch 0.427, "
        "random search 2.878 (optimum 0.398; benchmarks/bench_ax_branin.py).",
    ),
    _R(
        "ax.engine",
        "AxSearch under engine wandb or optuna",
        "—",
        "unsupported",
        "AxSearch runs on W&B's sweep scheduler with its Ax engine, which holds Ax's own client.",
        "use engine='ax' (on the command line: --engine ax, or --engine auto to let sweepbridge choose).",
    ),
    _R(
        "ax.engine.searcher",
        "a search algorithm other than AxSearch under engine ax",
        "—",
        "unsupported",
        "The Ax engine runs Ax's client, which only AxSearch configures.",
        "use engine='optuna' or engine='wandb' for other searchers.",
    ),
    _R(
        "ax.scheduler",
        "a trial scheduler (ASHA, HyperBand, median stopping, PBT) with AxSearch",
        "—",
        "unsupported",
        "Ray's AxSearch has no early stopping of its own and the generated client sets no early-stopping "
        "strategy, so W&B's Ax engine would stop no run: the scheduler would be silently dropped.",
        "drop the scheduler (FIFO), or use engine='optuna' with another searcher and the scheduler's pruner.",
    ),
    _R(
        "ax.space",
        "Tune domains Ray's Ax converter changes or refuses: quantized kinds (quniform, qloguniform, qrandint, "
        "qlograndint), normal kinds, weighted or conditional choices, grid_search, sample_from; Ax parameter "
        "dicts with keys beyond name/type/bounds/value_type/log_scale/values/value/is_ordered",
        "—",
        "unsupported",
        "Ray's AxSearch drops the quantization (logging a warning), so its trials would not sample the domain "
        "the experiment names; it refuses the rest (ValueError).",
        "use tune.uniform / loguniform / randint / lograndint / choice or constants, or another searcher.",
    ),
    _R(
        "ax.nested",
        "nested dicts or lists in the space (Ray's flat names with '/')",
        "—",
        "unsupported",
        "Ray's AxSearch names them a/b and nests each suggestion again; W&B's Ax engine sends a run the flat "
        "names, so the trainable would receive config['a/b'] instead of config['a']['b'].",
        "flatten the space (top-level names without '/').",
    ),
    _R(
        "ax.choice.type",
        "a choice (or constant) whose values mix Python types, repeat, or are not bool / int / float / str",
        "—",
        "unsupported",
        "An Ax choice parameter holds values of one type among bool, int, float and str.",
        "use values of one type (e.g. strings, mapped in the trainable).",
    ),
    _R(
        "ax.options",
        "AxSearch(ax_client=..., outcome_constraints=...) and AxClient options holding live objects or storage "
        "(generation_strategy, db_settings, torch_device, early/global_stopping_strategy, suppress_storage_errors)",
        "—",
        "unsupported",
        "The generated source rebuilds the client from plain data; a live object cannot be written into it. "
        "W&B's Ax engine tells Ax only the sweep's objective metric(s), so an outcome constraint's metric "
        "would never have data.",
        "drop the option (Ray's defaults), or write the scheduler source yourself.",
    ),
    _R(
        "ax.metric",
        "AxSearch without a metric and mode",
        "—",
        "unsupported",
        "W&B's Ax engine checks the client's objective against the sweep's metric.",
        "pass metric= and mode= (to AxSearch or tune.run).",
    ),
)
