"""Compat rows: Ray Tune (domains, tune.run / Tuner keywords, search algorithms, schedulers).

Beta statuses come from W&B's 2020 beta table (docs/semantics.md): search algorithms and schedulers
are listed there; Tune's domains and tune.run's keywords are not.
"""

from ..compat_row import CompatRow as _R

_DOMAINS = (
    _R("tune.uniform", "Ray Tune domain", "tune.uniform", "uniform", "exact", "not listed"),
    _R(
        "tune.quniform",
        "Ray Tune domain",
        "tune.quniform",
        "q_uniform, float q",
        "exact",
        "not listed",
        "Bounds must be multiples of q (Ray's rule; SpecError otherwise). Values stay floats.",
    ),
    _R(
        "tune.loguniform",
        "Ray Tune domain",
        "tune.loguniform",
        "log_uniform_values",
        "exact",
        "not listed",
        "`base` is accepted and ignored, as Ray ignores it. lower must be > 0.",
    ),
    _R(
        "tune.qloguniform",
        "Ray Tune domain",
        "tune.qloguniform",
        "q_log_uniform_values, float q",
        "exact",
        "not listed",
        "Bounds must be multiples of q (Ray's rule).",
    ),
    _R("tune.randn", "Ray Tune domain", "tune.randn", "normal", "exact", "not listed"),
    _R("tune.qrandn", "Ray Tune domain", "tune.qrandn", "q_normal, float q", "exact", "not listed"),
    _R(
        "tune.randint",
        "Ray Tune domain",
        "tune.randint",
        "int_uniform [lower, upper-1]",
        "exact",
        "not listed",
        "Ray's upper bound is exclusive.",
    ),
    _R(
        "tune.qrandint",
        "Ray Tune domain",
        "tune.qrandint",
        "q_uniform, int q, bounds shifted by q/2 (values under grid)",
        "exact",
        "not listed",
        "Uniform over the multiples of q in [lower, upper] (upper exclusive when q == 1), as Ray samples.",
    ),
    _R(
        "tune.lograndint",
        "Ray Tune domain",
        "tune.lograndint",
        "values + exact probabilities (random only)",
        "exact",
        "not listed",
        "P(k) = ln((k+1)/k) / ln(upper/lower). Exact up to 1,000 values and under method random; "
        "larger supports, or method bayes (which cannot take probabilities), are refused by W&B's engine "
        "unless allow_approximate=True. The Optuna engine samples Ray's rule itself, exactly, for any range.",
        'use the scheduler engine (`--engine optuna`, or `engine="optuna"`), exact for any range and searcher; '
        "or method random (BasicVariantGenerator), a narrower range, or allow_approximate=True.",
    ),
    _R(
        "tune.qlograndint",
        "Ray Tune domain",
        "tune.qlograndint",
        "values + exact probabilities (random only)",
        "exact",
        "not listed",
        "Ray draws an index log-uniformly (floor) over its index range and multiplies by q. Same cap "
        "and bayes rule as tune.lograndint.",
        'use the scheduler engine (`--engine optuna`, or `engine="optuna"`), exact for any range and searcher; '
        "or method random (BasicVariantGenerator), a narrower range, or allow_approximate=True.",
    ),
    _R(
        "tune.lograndint.approximate",
        "Ray Tune domain",
        "tune.lograndint / qlograndint with allow_approximate=True",
        "q_log_uniform_values, int q, bounds (index ± 1/2)·q",
        "approximate-opt-in",
        "not listed",
        "Rounds instead of flooring; the warning states the exact total variation from Ray's pmf "
        "(e.g. 0.03 for lograndint(1, 2000)), also kept in SweepConfig.approximations.",
    ),
    _R(
        "tune.choice",
        "Ray Tune domain",
        "tune.choice",
        "values",
        "exact",
        "not listed",
        "Categories must be JSON values; tuples arrive as lists.",
    ),
    _R(
        "tune.choice.nested",
        "Ray Tune domain",
        "tune.choice over categories holding continuous or unbounded domains",
        "—",
        "unsupported",
        "not listed",
        "A category holding further domains is a conditional space; W&B samples a fixed set of parameters, "
        "so only categories with a finite support become one values list (structure row 'conditional choice').",
        'use the scheduler engine (`--engine optuna`, or `to_sweep(..., engine="optuna")`), which samples '
        "conditional spaces exactly; or split the space into one sweep per category.",
    ),
    _R(
        "tune.grid_search",
        "Ray Tune domain",
        "tune.grid_search (also {'grid_search': [...]})",
        "method grid, values",
        "exact",
        "partial",
        "A pure grid (every non-constant parameter a grid axis) becomes method grid; a list holding "
        "grid axes becomes one axis over their product.",
    ),
    _R(
        "tune.grid_search.nested",
        "Ray Tune domain",
        "tune.grid_search over values holding domains",
        "—",
        "unsupported",
        "not listed",
        "W&B grid axes hold plain values.",
        "make the nested domains their own grid axes.",
    ),
    _R(
        "tune.grid.repeat",
        "Ray Tune domain",
        "num_samples > 1 with a grid",
        "extra grid axis `_tune_repeat: [0 .. num_samples-1]`",
        "exact",
        "partial",
        "Every grid point runs exactly num_samples times, as in Ray. A trainable never sees `_tune_repeat`; "
        "a program finds it in wandb.config only: its command starts it through "
        "`python -m sweepbridge.runtime.program`, which drops `--_tune_repeat=N` from `${args}` (so argparse "
        "programs run unchanged; agents need sweepbridge installed). At most 100,000 repetitions (W&B "
        "lists grid axes eagerly).",
    ),
    _R(
        "tune.grid.mixed",
        "Ray Tune domain",
        "grid_search mixed with sampled domains",
        "—",
        "unsupported",
        "partial",
        "Ray samples the other domains afresh for every grid point; W&B's grid method cannot sample "
        "and its random method cannot enumerate.",
        "use engine='optuna' (W&B's sweep scheduler enumerates Ray's grid points exactly, sampling the "
        "rest), or make every domain a grid axis (method grid), or replace the grid axes with tune.choice.",
    ),
    _R(
        "tune.sample_from",
        "Ray Tune domain",
        "tune.sample_from",
        "—",
        "unsupported",
        "not listed",
        "Arbitrary Python (possibly reading other parameters); W&B samples only its fixed kinds.",
        "use the matching domain, e.g. tune.choice([2, 4, 8, 16, 32]) for 2**np.random.randint(1, 6), "
        "tune.uniform(a, b) for np.random.uniform(a, b), tune.randn(m, s) for np.random.normal(m, s); "
        "compute dependent values in your program.",
    ),
)

_RUN = (
    _R(
        "tune.run.program",
        "tune.run / Tuner",
        "run_or_experiment / trainable",
        "program",
        "exact",
        "supported",
        "A script path: the program each W&B agent launches.",
    ),
    _R(
        "tune.run.trainable",
        "tune.run / Tuner",
        "a function or Trainable class as trainable (also 'path.py:name', 'package.module:name')",
        "program + command `python -m sweepbridge trial ${program} --trainable NAME`",
        "exact",
        "not listed",
        "program is the file (or dotted module) defining the trainable; the agent starts sweepbridge's trial "
        "runtime, which imports it by name, rebuilds Ray's config from wandb.config and logs every report to "
        "the W&B run (see 'Run your Ray Tune trainable under W&B agents').",
    ),
    _R(
        "tune.run.callable",
        "tune.run / Tuner",
        "a trainable without an importable name (lambda, closure, notebook cell) or an Experiment",
        "—",
        "unsupported",
        "not listed",
        "A W&B agent starts a new process, which must import the trainable by name.",
        "define the trainable with `def` / `class` at the top level of a .py file (e.g. train.py) and pass it, "
        "or pass 'train.py:NAME'.",
    ),
    _R("tune.run.config", "tune.run / Tuner", "config / param_space", "parameters", "exact", "supported"),
    _R(
        "tune.run.num_samples",
        "tune.run / Tuner",
        "num_samples",
        "run_cap (random, bayes); repeat axis (grid)",
        "exact",
        "supported",
        "num_samples=-1 (until stopped) emits no run_cap.",
    ),
    _R(
        "tune.run.metric",
        "tune.run / Tuner",
        "metric, mode",
        "metric.name, metric.goal",
        "exact",
        "supported",
        "min → minimize, max → maximize. A metric given to run(), the search algorithm and the scheduler must agree.",
    ),
    _R("tune.run.name", "tune.run / Tuner", "name", "name", "exact", "not listed"),
    _R(
        "tune.run.stop",
        "tune.run / Tuner",
        "stop (RunConfig.stop): dict, stop(trial_id, result), MaximumIterationStopper, TrialPlateauStopper, "
        "CombinedStopper / a list of Stoppers, FunctionStopper",
        "command argument --stop JSON, enforced by the trial runtime",
        "exact",
        "not listed",
        "Applied as Ray applies them, at every report: done=True, the Stopper / callable on the result, then "
        "each dict threshold (result >= value) on the flattened result (`key1/key2`). The trainable stops at the "
        "same report as under ray.tune.Tuner (tested against Ray). A callable, or a Stopper of another class, "
        "is carried by its importable name.",
    ),
    _R(
        "tune.run.stop.experiment",
        "tune.run / Tuner",
        "experiment-wide stoppers (TimeoutStopper, ExperimentPlateauStopper)",
        "—",
        "unsupported",
        "not listed",
        "They judge all trials together (wall clock since the experiment started, every trial's metric); each W&B "
        "run is its own process and sees only itself.",
        "stop the agents yourself (e.g. `timeout` around `wandb agent`), or use a per-trial Stopper.",
    ),
    _R(
        "tune.run.stop.unimportable",
        "tune.run / Tuner",
        "a stop callable or custom Stopper without an importable name",
        "—",
        "unsupported",
        "not listed",
        "The trial runtime imports it by name in every run's process.",
        "define it at the top level of a .py file (a Stopper instance: bound to a module-level name).",
    ),
    _R(
        "tune.run.stop.program",
        "tune.run / Tuner",
        "stop with a script path as trainable",
        "—",
        "unsupported",
        "not listed",
        "A script runs its own loop: nothing between it and W&B could apply the criteria.",
        "pass the trainable function or class itself (or 'train.py:NAME'), which the trial runtime stops, or "
        "end the loop in your script.",
    ),
    _R(
        "tune.run.resources",
        "tune.run / Tuner",
        "resources_per_trial with a script path as trainable",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "A script runs as the agent starts it: nothing carries the request, resources are whatever the machine "
        "running each `wandb agent` has. With a trainable (function or class), resources_per_trial and "
        "tune.with_resources go into the trial command, which `sweepbridge run` honours (CPUs, GPUs).",
    ),
    _R(
        "tune.run.concurrency",
        "tune.run / Tuner",
        "max_concurrent_trials",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "Concurrency is the number of `wandb agent` processes you start.",
    ),
    _R(
        "tune.run.time_budget",
        "tune.run / Tuner",
        "time_budget_s",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "W&B sweeps have no time budget.",
        "stop the agents yourself (e.g. `timeout` around `wandb agent`).",
    ),
    _R(
        "tune.run.storage",
        "tune.run / Tuner",
        "storage_path, storage_filesystem, local_dir, upload_dir, sync_config, sync_function, log_to_file",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "W&B stores runs on its server; files are saved by the program (wandb.save / artifacts).",
    ),
    _R(
        "tune.run.checkpointing",
        "tune.run / Tuner",
        "checkpoint_* , keep_checkpoints_num, export_formats, max_failures, fail_fast, restore, resume, "
        "resume_config, raise_on_failed_trial, failure_config",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "Checkpointing and failure handling belong to the program and the agent.",
    ),
    _R(
        "tune.run.reporting",
        "tune.run / Tuner",
        "verbose, progress_reporter, loggers, callbacks, trial_name_creator, trial_dirname_creator",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "Runs report to W&B through wandb.log in the program; run names come from W&B.",
    ),
    _R(
        "tune.run.execution",
        "tune.run / Tuner",
        "reuse_actors, queue_trials, trial_executor, with_server, server_port, chdir_to_trial_dir, "
        "_remote, _remote_string_queue, _entrypoint",
        "— (no sweep meaning; warned)",
        "equivalent",
        "not listed",
        "Ray's execution settings; a W&B agent starts one process per run.",
    ),
)

_SEARCH = (
    _R(
        "tune.search.hyperopt",
        "search algorithm",
        "HyperOptSearch (hp space or Tune space)",
        "method bayes",
        "equivalent",
        "supported",
        "W&B's bayes models the metric with a Gaussian process, hyperopt with TPE: both search the "
        "same space, they propose different points. Grid axes are refused, as Ray's HyperOptSearch "
        "refuses them.",
        "use engine='optuna' (TPE with hyperopt's settings in W&B's sweep scheduler), or "
        "BasicVariantGenerator (method random) for sampling identical to Ray's.",
    ),
    _R(
        "tune.search.options",
        "search algorithm",
        "points_to_evaluate, n_initial_points, random_state_seed, gamma, random_state, utility_kwargs, ...",
        "— (warned)",
        "equivalent",
        "not listed",
        "W&B's engine takes no initial points, seed or algorithm tuning.",
        "start the points_to_evaluate as ordinary runs before the sweep.",
    ),
    _R(
        "tune.search.basic_variant",
        "search algorithm",
        "BasicVariantGenerator (default): grid and random search",
        "method grid (pure grid) / random",
        "exact",
        "partial",
        "Pure grids enumerate every point num_samples times; random domains sample exactly; grids "
        "mixed with random domains are refused (see grid_search mixed).",
    ),
    _R(
        "tune.search.bayesopt",
        "search algorithm",
        "BayesOptSearch",
        "method bayes",
        "equivalent",
        "planned",
        "Both are Gaussian-process searches; acquisition and kernel differ.",
    ),
    _R(
        "tune.search.concurrency",
        "search algorithm",
        "ConcurrencyLimiter",
        "the wrapped searcher",
        "equivalent",
        "not listed",
        "Unwrapped: concurrency is the number of `wandb agent` processes you start.",
    ),
    _R(
        "tune.search.nevergrad",
        "search algorithm",
        "NevergradSearch",
        "—",
        "unsupported",
        "planned",
        "W&B's engine has no Nevergrad optimiser.",
        "use engine='optuna' (W&B's sweep scheduler runs nevergrad's own optimizer, configured as Ray does), or "
        "HyperOptSearch / BayesOptSearch (method bayes).",
    ),
    _R(
        "tune.search.skopt",
        "search algorithm",
        "SkOptSearch (Scikit-Optimize)",
        "—",
        "unsupported",
        "planned",
        "W&B's engine has no Scikit-Optimize optimiser.",
        "use engine='optuna' (W&B's sweep scheduler runs skopt's own Optimizer, configured as Ray did), or "
        "BayesOptSearch (method bayes, also Gaussian-process based).",
    ),
    _R(
        "tune.search.ax",
        "search algorithm",
        "AxSearch",
        "—",
        "unsupported",
        "planned",
        "W&B's engine has no Ax optimiser; W&B's sweep scheduler has one (its Ax engine, rows ax.*).",
        "use engine='ax' (W&B's sweep scheduler with Ax's own client, equivalent; on the command line --engine ax "
        "or auto), or BayesOptSearch (method bayes).",
    ),
    _R(
        "tune.search.bohb",
        "search algorithm",
        "TuneBOHB (BOHB)",
        "—",
        "unsupported",
        "planned",
        "BOHB couples a model-based searcher with HyperBandForBOHB; W&B has neither.",
        "use HyperOptSearch (method bayes) with HyperBandScheduler (early_terminate hyperband), or "
        "engine='optuna' (W&B's sweep scheduler: Optuna's TPE + HyperbandPruner, equivalent).",
    ),
    _R(
        "tune.search.optuna",
        "search algorithm",
        "OptunaSearch",
        "—",
        "unsupported",
        "not listed",
        "W&B's engine has no Optuna sampler.",
        "use engine='optuna' (W&B's sweep scheduler runs Optuna's TPE itself), or HyperOptSearch (method bayes).",
    ),
    _R(
        "tune.search.multi_objective",
        "search algorithm",
        "metric=[...], mode=[...] (multi-objective: OptunaSearch, AxSearch)",
        "—",
        "unsupported",
        "not listed",
        "W&B's own engine optimizes one metric (`metric`); W&B's `metrics` list requires method: custom.",
        "use engine='optuna' (--engine optuna): W&B's sweep scheduler runs the study on every metric.",
    ),
    _R(
        "tune.search.zoopt",
        "search algorithm",
        "ZOOptSearch",
        "—",
        "unsupported",
        "not listed",
        "W&B's engine has no ZOOpt optimiser.",
        "use engine='optuna' (W&B's sweep scheduler drives zoopt's SRacosTune itself), or HyperOptSearch "
        "(method bayes).",
    ),
    _R(
        "tune.search.hebo",
        "search algorithm",
        "HEBOSearch",
        "—",
        "unsupported",
        "not listed",
        "W&B's engine has no HEBO optimiser, and the sweep scheduler (engine='optuna') cannot drive HEBO's own: "
        "HEBO cannot be installed beside sweepbridge's pins (numpy<2 for W&B's sweeps engine, Python 3.11). "
        "Measured with pip's resolver against the test environment: HEBO 0.3.6 requires numpy<1.25 and "
        "pymoo==0.6.0 (the environment has numpy 1.26.4, pymoo 0.6.2); HEBO 0.3.2-0.3.5 require GPy, whose "
        "wheels need numpy>=2 (GPy 1.14 via paramz 0.10) or scipy<=1.12.0 (GPy 1.13), and GPy 1.10.0 ships only "
        "as source that fails to compile on Python 3.11 ('longintrepr.h: No such file or directory').",
        "use BayesOptSearch (engine='optuna': Optuna's Gaussian-process sampler; or method bayes), or keep "
        "HEBOSearch in Ray Tune in an environment of its own (numpy<1.25).",
    ),
)

_SCHEDULERS = (
    _R(
        "tune.scheduler.fifo",
        "scheduler",
        "FIFOScheduler (default)",
        "no early_terminate",
        "exact",
        "not listed",
        "Runs are never stopped early, as in Ray.",
    ),
    _R(
        "tune.scheduler.asha",
        "scheduler",
        "AsyncHyperBandScheduler / ASHAScheduler",
        "early_terminate hyperband {min_iter: grace_period, eta: reduction_factor}",
        "equivalent",
        "not stated",
        "Same rungs (grace_period·eta^k). Differences: W&B judges a run at a band by its metric over "
        "its logged history against all runs that reached the band, Ray by the result at the rung "
        "against the top 1/reduction_factor recorded there; W&B does not stop runs at max_t and runs "
        "one bracket (brackets > 1 warned). An iteration is one logged value of the metric: under the trial "
        "runtime one report = one run.log row holding the metric = one W&B hyperband iteration = one Ray "
        "training_iteration.",
    ),
    _R(
        "tune.scheduler.time_attr",
        "scheduler",
        "scheduler with time_attr other than training_iteration",
        "—",
        "unsupported",
        "not listed",
        "W&B's hyperband counts logged values of the metric, not seconds or timesteps.",
        "use time_attr='training_iteration' and log the metric once per iteration.",
    ),
    _R(
        "tune.scheduler.hyperband",
        "scheduler",
        "HyperBandScheduler",
        "early_terminate hyperband {max_iter: max_t, eta: reduction_factor, s}",
        "equivalent",
        "not stated",
        "s = Ray's most aggressive bracket that runs (round(log_eta max_t), lowered while its first rung "
        "r0 is 0: Ray skips those brackets; none left is refused), so W&B's bands max_t/eta^i are Ray's "
        "rungs; when they differ, {min_iter: r0, eta} is emitted instead (same first rung; for a "
        "non-integer eta Ray truncates each rung, W&B only the product). Ray's synchronous brackets pause and "
        "promote trials; W&B stops runs asynchronously and does not stop runs at max_t.",
    ),
    _R(
        "tune.scheduler.median",
        "scheduler",
        "MedianStoppingRule",
        "—",
        "unsupported",
        "under study",
        "W&B's only early-termination rule is hyperband.",
        "use engine='optuna' (a MedianPruner in W&B's sweep scheduler), or ASHAScheduler (early_terminate hyperband).",
    ),
    _R(
        "tune.scheduler.pbt",
        "scheduler",
        "PopulationBasedTraining",
        "—",
        "unsupported",
        "under study",
        "PBT mutates running trials' hyperparameters and clones checkpoints; W&B's engine keeps a run's config.",
        "use engine='optuna': W&B's sweep scheduler then runs Ray's PBT, each trial a chain of runs (docs/pbt.md).",
    ),
    _R(
        "tune.scheduler.pbt_replay",
        "scheduler",
        "PopulationBasedTrainingReplay",
        "—",
        "unsupported",
        "not listed",
        "It replays a Ray PBT policy file (pbt_policy_*.txt) inside Ray's trial runner.",
        "run the replay with Ray Tune itself, or fix the final config found by the PBT sweep.",
    ),
    _R(
        "tune.scheduler.pbt.program",
        "scheduler",
        "PopulationBasedTraining with a script program",
        "—",
        "unsupported",
        "not listed",
        "A PBT trial continues in a new run from another run's checkpoint; a script has no checkpoint protocol.",
        "pass the trainable (a function calling tune.report(..., checkpoint=...) and tune.get_checkpoint(), or a "
        "Trainable class with save_checkpoint / load_checkpoint) instead of the script.",
    ),
    _R(
        "tune.scheduler.pbt.time_attr",
        "scheduler",
        "PopulationBasedTraining with time_attr other than training_iteration or time_total_s",
        "—",
        "unsupported",
        "not listed",
        "W&B's sweep scheduler sees a run's metric by step only (the trial runtime logs step = "
        "training_iteration); the runtime records time_total_s with each checkpoint, other result keys never "
        "reach the scheduler.",
        "use time_attr='training_iteration' (exact) or 'time_total_s', with perturbation_interval (and "
        "burn_in_period) in its units.",
    ),
    _R(
        "tune.scheduler.pbt.mutation",
        "scheduler",
        "a hyperparam_mutations value or custom_explore_fn the generated scheduler cannot carry",
        "—",
        "unsupported",
        "not listed",
        "The generated scheduler imports functions by name and samples Tune domains itself; a lambda, a "
        "closure, tune.sample_from (Ray refuses it too) or a grid has no such form.",
        "use a Tune domain (tune.uniform(...), tune.choice([...])), a list, or a function defined with `def` at "
        "the top level of a .py file.",
    ),
    _R(
        "tune.scheduler.pbt.grid",
        "scheduler",
        "PopulationBasedTraining over a grid_search space",
        "—",
        "unsupported",
        "not listed",
        "The population is num_samples trials drawn from the space; a grid's points are not carried into it.",
        "list the grid's values in hyperparam_mutations (a list) or as tune.choice in config.",
    ),
    _R(
        "tune.scheduler.pb2",
        "scheduler",
        "PB2",
        "—",
        "unsupported",
        "not listed",
        "Like PBT, it mutates running trials' hyperparameters.",
        "use engine='optuna': W&B's sweep scheduler then runs PB2, each trial a chain of runs (docs/pbt.md).",
    ),
    _R(
        "tune.scheduler.bohb",
        "scheduler",
        "HyperBandForBOHB",
        "—",
        "unsupported",
        "under study",
        "It only works with TuneBOHB, which W&B has no counterpart for.",
        "use HyperBandScheduler (early_terminate hyperband), or engine='optuna' (HyperbandPruner, equivalent).",
    ),
)

ROWS = _DOMAINS + _RUN + _SEARCH + _SCHEDULERS
