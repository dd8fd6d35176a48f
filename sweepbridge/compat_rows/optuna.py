"""Compat rows: the second W&B target, W&B's client-side sweep scheduler with the Optuna engine.

`to_sweep(..., engine="optuna")`, `tune.run(..., engine="optuna")` and `convert --engine optuna`
emit a `method: custom` sweep plus a generated source (search_space + optimizer).
"""

from ..compat_row import CompatRow

TARGET = "W&B's sweep scheduler (Optuna engine)"


def _R(key: str, feature: str, construct: str, fidelity: str, note: str = "", suggestion: str = "") -> CompatRow:
    group = "sweep scheduler (optuna)"
    return CompatRow(key, group, feature, construct, fidelity, "not listed", note, suggestion, TARGET)


ROWS = (
    _R(
        "optuna.space",
        "every hyperopt operator and Ray Tune domain",
        "search_space(trial): suggest_float / suggest_int / suggest_categorical",
        "exact",
        "Under a random sampler: q kinds quantize the unquantized draw (half to even, as numpy), normal "
        "kinds use the standard library's NormalDist inverse CDF of one uniform draw, weighted choices "
        "the inverse CDF over their probabilities; integer types kept. Measured through wandb's own "
        "make_optimizer (20,000 draws per case).",
    ),
    _R(
        "optuna.conditional",
        "hp.choice / hp.pchoice over nested expressions (any depth; the optional idiom)",
        "one function per choice; only the chosen branch is sampled",
        "exact",
        "Inactive branches are absent from the run's config, as in hyperopt.",
    ),
    _R(
        "optuna.grid.mixed",
        "grid_search mixed with sampled domains (num_samples ≥ 1)",
        "trial k takes grid point k mod points; run_cap = points × num_samples",
        "exact",
        "Ray's multiset of grid points, other parameters sampled afresh for each. A failed run's point "
        "is not run again (as in Ray).",
    ),
    _R(
        "optuna.lograndint",
        "tune.lograndint / qlograndint of any range, under any searcher (TPE included)",
        "floor(exp(suggest_float(log=True))) · q",
        "exact",
        "Ray's own rule over Ray's index range, for any number of values (no 1,000-value cap), so TPE "
        "models a log-scaled float. Measured through wandb's make_optimizer against Ray's samples "
        "(20,000 draws, e.g. lograndint(1, 1000000)).",
    ),
    _R(
        "optuna.beta",
        "W&B's beta / q_beta",
        "—",
        "unsupported",
        "The standard library has no beta inverse CDF (the generated file needs only optuna).",
        "use engine wandb (W&B's own engine samples beta).",
    ),
    _R(
        "optuna.grid.conditional",
        "a grid axis inside a conditional branch",
        "—",
        "unsupported",
        "Grid points are enumerated for the whole space, not per branch.",
        "use tune.choice for that parameter.",
    ),
    _R(
        "optuna.metric",
        "a sweep without a metric",
        "—",
        "unsupported",
        "W&B's Optuna scheduler tells each finished run's metric to the study; without one it fails.",
        "pass metric= and goal= (mode=).",
    ),
    _R(
        "optuna.search.random",
        "BasicVariantGenerator / method random (random_state → seed)",
        "RandomSampler(seed)",
        "exact",
    ),
    _R(
        "optuna.search.hyperopt",
        "HyperOptSearch / hyperopt's tpe.suggest (n_initial_points, gamma, random_state_seed)",
        "TPESampler with hyperopt's settings (TPESampler.hyperopt_parameters, gamma as hyperopt's)",
        "equivalent",
        "Optuna's TPE reimplements hyperopt's: same settings, different code and random stream; normal "
        "kinds and weighted choices are modelled through their uniform draws.",
    ),
    _R(
        "optuna.search.optuna",
        "OptunaSearch (default sampler, seed)",
        "TPESampler(seed)",
        "equivalent",
        "Same sampler and settings; Ray converts Tune domains to Optuna distributions itself (e.g. "
        "quniform as a stepped float), sweepbridge samples them as Ray's random search does.",
    ),
    _R(
        "optuna.search.bohb",
        "TuneBOHB (seed)",
        "TPESampler(seed)",
        "equivalent",
        "BOHB models good and bad configurations with kernel density estimates per budget (hpbandster); "
        "Optuna's TPE models them with Parzen estimators over finished runs' final values. bohb_config "
        "is refused (no TPE counterpart).",
    ),
    _R(
        "optuna.search.bohb.configspace",
        "TuneBOHB(space=ConfigSpace.ConfigurationSpace): UniformFloat (log), UniformInteger, Categorical "
        "(weights), Ordinal, Constant",
        "suggest_float (log) / randint / choice (weighted) / constant",
        "exact",
        "The space ConfigSpace samples (BOHB's random configurations): a UniformInteger's upper bound is "
        "included, Ordinal values are drawn uniformly; names with / nest, as Ray's TuneBOHB returns them "
        "(points_to_evaluate keys too). "
        "A real TuneBOHB given Tune domains keeps only Ray's ConfigSpace conversion of them: it is read "
        "back, so it translates as TuneBOHB(space=those domains) does.",
    ),
    _R(
        "optuna.search.bohb.configspace.other",
        "a ConfigSpace hyperparameter without an exact counterpart (log-scaled UniformInteger, Normal / "
        "Beta kinds, quantized floats), conditions, forbidden clauses, list positions in names",
        "—",
        "unsupported",
        "ConfigSpace samples a log-scaled integer from a discretized log density, close to but not Ray's "
        "lograndint rule (chi-square p = 3e-20 on [1, 9]); conditions and forbidden clauses have no "
        "sweep-scheduler counterpart here.",
        "use UniformFloat / UniformInteger without log, Categorical, Ordinal, Constant; or OptunaSearch / "
        "HyperOptSearch with Tune domains (conditional spaces: hyperopt's hp.choice).",
    ),
    _R(
        "optuna.search.bohb.space",
        "TuneBOHB with Tune domains its converter changes: quantized kinds, lograndint, normal kinds, "
        "conditional choices",
        "—",
        "unsupported",
        "Ray's TuneBOHB converts Tune domains to ConfigSpace before sampling: it drops the quantization "
        "(logging a warning), samples lograndint by ConfigSpace's own log rule and refuses unbounded "
        "normals, so its trials do not sample those domains as Ray's random search does. tune.uniform / "
        "loguniform / randint / choice and constants are kept exactly.",
        "use those kinds (what TuneBOHB samples), or OptunaSearch / HyperOptSearch to keep the domain.",
    ),
    _R(
        "optuna.search.bayesopt",
        "BayesOptSearch (random_state, random_search_steps, points_to_evaluate)",
        "GPSampler(seed=random_state, n_startup_trials=random_search_steps)",
        "equivalent",
        "Both are Gaussian-process searches after random_search_steps random runs, with different "
        "implementations: bayes_opt fits scikit-learn's GP (one Matern-5/2 length scale, normalized "
        "targets, noise 1e-6) and maximizes UCB (kappa 2.576; utility_kwargs kind / kappa / xi) over "
        "random points + L-BFGS-B; Optuna's GPSampler fits its own PyTorch GP (Matern-5/2 with a length "
        "scale per parameter, priors on the kernel, fitted noise) and maximizes log expected improvement. "
        "utility_kwargs are not carried; patience (Ray stops the search once a configuration repeats more "
        "than patience times) and skip_duplicate have no counterpart: the sweep runs to run_cap. The "
        "generated file needs torch and scipy on the scheduler's machine (pip install 'sweepbridge[gp]'); "
        "analysis= is refused. Points name nested parameters by Ray's flat keys ('a/b') and must give every "
        "parameter a value, as bayes_opt registers them; other points are SpecErrors (they fail in Ray).",
    ),
    _R(
        "optuna.search.optuna.sampler",
        "OptunaSearch(sampler=...): any sampler Optuna ships, nested samplers and crossovers included",
        "the same sampler class, its arguments read from the object",
        "equivalent",
        "The sampler itself is exact: each argument is read from where its class keeps it (the seed from its "
        "random state), and the rebuilt sampler is compared with the given one attribute by attribute, random "
        "states included; any difference is refused by the attribute's path. Measured on 12 configurations "
        "(TPE plain and multivariate/group, Random, CMA-ES plain and with a nested TPE, NSGA-II with an SBX "
        "crossover, NSGA-III, QMC, GP, Grid, BruteForce, PartialFixed): the first 5-10 suggestions of wandb's "
        "optimizer on the generated file, told the same Branin values, equal bit for bit those of an Optuna "
        "study driven by the given sampler. What differs is the space, as for Ray's default TPE: Ray converts "
        "Tune domains to Optuna distributions itself (quantized kinds as stepped floats), sweepbridge samples "
        "them as Ray's random search does; uniform, loguniform, randint and choice draw alike (measured against "
        "Ray's real OptunaSearch). points_to_evaluate are enqueued; evaluated_rewards become finished trials "
        "before the first ask, as Ray's add_evaluated_point adds them; seed= beside a sampler is ignored, as "
        "in Ray.",
    ),
    _R(
        "optuna.search.optuna.sampler.arguments",
        "a sampler argument the generated file cannot rebuild: a callable (gamma, weights, constraints_func, "
        "strategies), a non-Optuna object, a GridSampler seed other than 0, a sampler that has already drawn",
        "—",
        "unsupported",
        "The generated study source is plain Python with optuna only: it cannot hold the user's functions or "
        "objects, and a random state that has drawn (or GridSampler's, spent shuffling the grid) no longer "
        "shows its seed.",
        "drop the argument (Optuna's default), pass a freshly built sampler, or write the study yourself "
        "(scheduler.optimizer in a method: custom sweep).",
    ),
    _R(
        "optuna.search.optuna.define_by_run",
        "OptunaSearch(space=<define-by-run function>) or space={name: Optuna distribution} (also what a real "
        "OptunaSearch keeps of Tune domains given to it)",
        "the function copied into the generated file (the distributions written as suggest_* calls, in order); "
        "search_space calls it as Ray's OptunaSearch does",
        "exact",
        "Ray's configuration: every trial.suggest_* value, updated by the dict the function returns (or none), "
        "names with / nested. Carried where the function stands alone: a plain def of one trial that calls only "
        "trial.suggest_*, reads no closure or global other than an imported module, and returns None or a dict "
        "with str keys; anything else is refused with the reason. evaluated_rewards beside a function fail in "
        "Ray (TypeError) and are refused; beside distributions they are told as Ray adds them. Measured against "
        "Ray's real OptunaSearch: the same first 6-8 suggestions (a conditional function with a constants dict; "
        "Ray's conversion of quniform / randint / choice / loguniform; Ray's documented distributions example "
        "with evaluated_rewards).",
    ),
    _R(
        "optuna.search.optuna.storage",
        "OptunaSearch(storage=...)",
        "—",
        "unsupported",
        "W&B's sweep scheduler keeps its study in memory and rebuilds it from the sweep's runs on a restart.",
        "drop storage= (resume the sweep with `sweepbridge run --resume`).",
    ),
    _R(
        "optuna.multi_objective",
        "Ray's metric=[...] / mode=[...] (OptunaSearch, multi-objective)",
        "W&B's metrics: [{name, goal}, ...] (method: custom); the study's directions read from it",
        "exact",
        "wandb's Optuna optimizer tells each finished run's values of every metric (a run missing one fails), "
        "as Ray's OptunaSearch tells them; neither reports intermediate values. sweepbridge run ranks by the "
        "first metric and writes the Pareto set (pareto.json, the terminal summary), which equals Optuna's "
        "study.best_trials over the same finished runs.",
    ),
    _R(
        "optuna.multi_objective.pruner",
        "a multi-objective search with a trial scheduler (ASHA, HyperBand, median stopping)",
        "—",
        "unsupported",
        "Optuna's pruners rank against one best value; wandb's Optuna optimizer never prunes a multi-objective "
        "trial, so the scheduler would silently do nothing.",
        "drop the scheduler (FIFOScheduler), or optimize one metric.",
    ),
    _R(
        "optuna.search.bayesopt.space",
        "a parameter other than tune.uniform under BayesOptSearch",
        "—",
        "unsupported",
        "Ray's BayesOptSearch searches float ranges only: it raises ValueError for integer, categorical "
        "and grid domains, fails on a range inside a list, and silently drops log scales and quantization "
        "(U(lower, upper) floats).",
        "use tune.uniform(lower, upper) (what Ray's BayesOptSearch searches), or HyperOptSearch / "
        "OptunaSearch (TPE), which take every domain.",
    ),
    _R(
        "optuna.search.zoopt",
        "ZOOptSearch (algo, budget, parallel_num, points_to_evaluate)",
        "a generated ZOOptSampler driving zoopt's SRacosTune",
        "equivalent",
        "The sampler builds zoopt's SRacosTune exactly as Ray's ZOOptSearch does (Dimension2 of Ray's "
        "convert_search_space, Parameter(budget, init_samples=points), parallel_num), asks it for each trial and "
        "tells it each finished trial's metric (negated when maximizing); a pruned trial tells its last reported "
        "value, as Ray tells an early-stopped trial's last result. Measured: with the same numpy seed and the same "
        "told results, the suggestions through wandb's make_optimizer + ask_n_runs equal Ray's ZOOptSearch.suggest "
        "bit for bit (10 runs per mode; 30 runs x 5 seeds on Branin; parallel_num runs at a time; the search ends "
        "where Ray's returns FINISHED). On Branin, best after 30 runs, median of 5 seeds: 0.93 with budget 100 "
        "against random search's 1.70, but 5.69 with budget 30 (zoopt's initial sample is 4 runs for a budget <= "
        "50, 6 up to 100). Differs: zoopt's initial sample is taken whole at the first ask (every point runs first; "
        "Ray 2.60's controller asks a custom searcher one trial ahead, and zoopt drops the points not yet asked "
        "once a result arrives); points are handed to zoopt as lists (Ray's tuples make zoopt's classifier fail "
        "with TypeError once a point is the best); zoopt declines while its initial sample's results are out and "
        "beyond parallel_num running trials, and Ray's controller then waits, but W&B's scheduler cannot leave a "
        "worker idle, so extra concurrent runs are sampled as SRacosTune samples for a free worker. Ray's run "
        "draws from numpy's global state; the generated sampler keeps its own, seeded by seed= (which Ray itself "
        "ignores). The file needs zoopt >= 0.4.1 and numpy on the scheduler's machine and checks them at start.",
    ),
    _R(
        "optuna.search.zoopt.space",
        "a parameter Ray's ZOOptSearch converter refuses or distorts",
        "—",
        "unsupported",
        "Ray's convert_search_space takes tune.uniform, tune.quniform, tune.randint and tune.choice only (ValueError "
        "for log scales, normals, grid_search), drops qrandint's q, passes quniform's q to zoopt as a precision "
        "(zoopt rounds to its number of decimals: multiples of q only when q is a power of ten), and zoopt draws "
        "categories through numpy, which converts mixed-type lists to one dtype; a searched value inside a list "
        "fails in Ray (TypeError joining its path).",
        "use tune.uniform / quniform (q a power of ten) / randint / choice over values of one type (what Ray's "
        "ZOOptSearch samples), or HyperOptSearch / OptunaSearch, which take every domain.",
    ),
    _R(
        "optuna.search.nevergrad",
        "NevergradSearch (optimizer: a registry name, optimizer class or ConfiguredOptimizer; optimizer_kwargs "
        "such as budget / num_workers; points_to_evaluate)",
        "AskTellSampler driving nevergrad's own optimizer (generated source)",
        "exact",
        "The generated sampler builds the optimizer as Ray's NevergradSearch does (Ray's convert_search_space: "
        "Scalar / Log with exponent e, integer casting over [lower, upper - 1], Choice; flat names 'a/b' in Ray's "
        "order), asks it when a trial starts and tells it the run's final metric (negated when maximizing; a "
        "pruned run its last value, as Ray tells a stopped trial's last result; a failed run nothing). "
        "points_to_evaluate are suggested to nevergrad in reverse order, as Ray does (nevergrad asks them last in, "
        "first out), and must give every parameter by its flat name (Ray fails otherwise). Ray's NevergradSearch "
        "takes no seed: nevergrad seeds from numpy's global generator, so Ray repeats a search only under "
        "np.random.seed(s); the mirror's seed=s reproduces that. Measured: the first 10 suggestions through "
        "wandb's make_optimizer + ask_n_runs equal Ray's NevergradSearch.suggest bit for bit (OnePlusOne, "
        "TwoPointsDE, CMA; same seed, same told results). On Branin (5 seeds x 30 runs through sweepbridge run) "
        "OnePlusOne's median best is 0.6949, random search's 1.7047. The file needs nevergrad and numpy on the "
        "scheduler's machine (pip install 'sweepbridge[nevergrad]').",
    ),
    _R(
        "optuna.search.nevergrad.space",
        "a Tune domain NevergradSearch's converter changes: quantized kinds (quniform, qloguniform, qrandint, "
        "qlograndint), randn / qrandn, conditional choices, grid_search, a domain inside a list",
        "—",
        "unsupported",
        "Ray's NevergradSearch drops quantization (with a warning), searches an unbounded Scalar for a normal "
        "(dropping mean and sd), passes a conditional choice's nested domains as values and raises for grids "
        "and list positions: its trials do not sample those domains. tune.uniform, loguniform, randint, "
        "lograndint, choice and constants are carried exactly.",
        "use those kinds, or HyperOptSearch / OptunaSearch (TPE), which keep every domain.",
    ),
    _R(
        "optuna.search.skopt",
        "SkOptSearch (optimizer_kwargs or an skopt.Optimizer instance; points_to_evaluate, evaluated_rewards)",
        "AskTellSampler driving skopt's own Optimizer (generated source)",
        "exact",
        "The generated sampler builds skopt.Optimizer as Ray's last SkOptSearch did (its convert_search_space: "
        "Real / Integer with uniform or log-uniform prior, an Integer's upper bound upper - 1, Categorical; the "
        "2020 beta's Ray 1.0 passed (lower, upper) pairs instead, dropping log scales and including randint's "
        "upper bound, which Ray fixed later; flat "
        "names 'a/b' in Ray's order; optimizer_kwargs, or the constructor arguments skopt keeps in an Optimizer "
        "instance's specs), asks it when a trial starts and tells it the run's final metric (negated when "
        "maximizing; NaN / inf not told; a pruned run its last value; a failed run nothing). points_to_evaluate "
        "run first as given, then are told; with evaluated_rewards they are told before anything runs, as given "
        "(Ray does not negate them when maximizing) and not run. Without random_state skopt draws from numpy's "
        "global generator, as in Ray. convert_to_python=False changes nothing a run sees (W&B's config is JSON). "
        "Measured: the first 10 suggestions through wandb's make_optimizer + ask_n_runs equal those of "
        "skopt.Optimizer driven as Ray's SkOptSearch drives it, bit for bit (same random_state, same told "
        "results). On Branin (5 seeds x 30 runs, Ray's defaults: GP, gp_hedge) the median best is 0.4024, random "
        "search's 1.7047. Needs scikit-optimize on the scheduler's machine (pip install 'sweepbridge[skopt]').",
    ),
    _R(
        "optuna.search.skopt.space",
        "a Tune domain SkOptSearch's converter changes: quantized kinds (quniform, qloguniform, qrandint, "
        "qlograndint), randn / qrandn, conditional choices, grid_search, a domain inside a list",
        "—",
        "unsupported",
        "Ray's SkOptSearch drops quantization (qloguniform and qlograndint lose their log scale too), builds "
        "Real(None, None) for a normal (skopt refuses it), passes a conditional choice's nested domains as "
        "categories and raises for grids and list positions. tune.uniform, loguniform, randint, lograndint, "
        "choice and constants are carried exactly.",
        "use those kinds, or HyperOptSearch / OptunaSearch (TPE), which keep every domain.",
    ),
    _R(
        "optuna.search.other",
        "HEBO and other searchers under the sweep scheduler",
        "—",
        "unsupported",
        "Not generated: they have no Optuna sampler with their settings.",
        "use HyperOptSearch or OptunaSearch (TPE) or BayesOptSearch (GP) under engine='optuna', or engine='wandb'.",
    ),
    _R(
        "optuna.search.points",
        "points_to_evaluate of HyperOptSearch / OptunaSearch / TuneBOHB / BayesOptSearch",
        "study.enqueue_trial(the space's own draws for each point)",
        "exact",
        "The first runs are the points, exactly (values and types); parameters a point leaves out are "
        "sampled, as Ray does. Draws are computed when the file is generated (a quantized value is its "
        "own draw, a normal one its CDF, a choice its index) and checked to give back the point; a point "
        "that cannot be reproduced, or names what the space does not have, is a SpecError. Restarting "
        "wandb sweep-scheduler enqueues the points again, ahead of its replay of earlier runs, so the "
        "replayed runs' results can be told to the wrong trials: restart such a sweep's scheduler only "
        "before its first run finishes (SweepInfo cannot tell a restart from a fresh start).",
    ),
    _R(
        "optuna.search.points.variant",
        "BasicVariantGenerator(points_to_evaluate) under the sweep scheduler",
        "—",
        "unsupported",
        "Ray's variant generator mixes points with grid repetitions; not generated.",
        "use OptunaSearch(points_to_evaluate=...) (enqueued trials), or start those points as ordinary runs.",
    ),
    _R(
        "optuna.scheduler.asha",
        "AsyncHyperBandScheduler / ASHAScheduler",
        "SuccessiveHalvingPruner(min_resource=grace_period, reduction_factor)",
        "equivalent",
        "An iteration is one logged value of the metric (step = W&B's _step + 1). Optuna's pruner "
        "stops a run below the top 1/reduction_factor at its rung, Ray's ASHA likewise but over the "
        "results recorded so far at the rung; W&B does not stop runs at max_t.",
    ),
    _R(
        "optuna.scheduler.hyperband",
        "HyperBandScheduler",
        "HyperbandPruner(min_resource=1, max_resource=max_t, reduction_factor)",
        "equivalent",
        "Optuna's HyperbandPruner runs asynchronous successive-halving brackets, a run's bracket "
        "chosen by crc32 of the study name (sweep-<sweep id>, so reproducible and kept across scheduler "
        "restarts) and its trial number, pruning at rungs 1, reduction_factor, ...; Ray's HyperBand fills "
        "its brackets in order (the first runs max_t without halving) and pauses a bracket's trials until "
        "all reach the rung. Measured with real Ray Tune on 12 fixed crossing curves (max_t=27, "
        "reduction_factor=3): Ray stops 4 trials, all at iteration 9; the trials stopped, and when, agree "
        "on 5/12 (sweep id s), 3-8/12 over 100 sweep ids (mean 4.9), stopped-or-not on 4-10/12 (mean "
        "7.2); Optuna prunes the curve best at max_t in 31 of 100 sweeps (at an early rung, where it "
        "ranks mid-field), Ray never.",
    ),
    _R(
        "optuna.scheduler.bohb",
        "HyperBandForBOHB (max_t, reduction_factor)",
        "HyperbandPruner(min_resource=1, max_resource=max_t, reduction_factor)",
        "equivalent",
        "Ray's HyperBandForBOHB pauses a bracket's trials and promotes the best synchronously; Optuna's "
        "HyperbandPruner runs its successive-halving brackets asynchronously (a run is pruned as soon as "
        "it falls below its rung's top 1/reduction_factor).",
    ),
    _R(
        "optuna.scheduler.median",
        "MedianStoppingRule (grace_period, min_samples_required)",
        "MedianPruner(n_startup_trials=min_samples_required, n_warmup_steps=grace_period)",
        "equivalent",
        "Optuna compares the run's value at a step with the median of earlier runs' values at that "
        "step; Ray compares its best result with the median of the others' running means.",
    ),
    _R(
        "optuna.scheduler.pbt",
        "PopulationBasedTraining",
        "a generated PBT scheduler: PBTSampler + PBTPruner; each PBT trial a chain of runs (config key _pbt)",
        "equivalent",
        "Ray's decisions (quantiles, exploit, explore, synch) on the results W&B reports; a stopped trial "
        "continues as a new run from a top trial's checkpoint; a run holds at each point PBT judges until the "
        "decision (a file beside its checkpoints). Differs: decisions wait for the scheduler's next look at "
        "the run; once W&B's scheduler gets no run for a free slot (a trial finished while others run) it "
        "ends the sweep, so later results are not exploited.",
        "use ASHAScheduler (SuccessiveHalvingPruner).",
    ),
    _R(
        "optuna.scheduler.pbt.time_total_s",
        "PopulationBasedTraining(time_attr='time_total_s') (Ray's default)",
        "the generated PBT scheduler, judging a run's results by the time_total_s recorded with each checkpoint",
        "equivalent",
        "W&B's scheduler sees a run's metric by step (training_iteration) only, so a result is judged at "
        "the iterations that keep a checkpoint, its time_total_s read from the checkpoint's marker; Ray "
        "judges every result. The same where the trainable checkpoints every iteration (class trainables "
        "do in a PBT sweep).",
        "report a checkpoint with every result, or use time_attr='training_iteration' (exact).",
    ),
    _R(
        "optuna.scheduler.pb2",
        "PB2",
        "the generated PBT scheduler with PB2's GP-bandit explore (Ray's code, carried)",
        "equivalent",
        "Ray's PB2 decisions and explore on the results W&B reports, as for PBT (same differences); the "
        "scheduler's machine needs numpy, pandas, scipy and scikit-learn, which Ray's PB2 needs too.",
        "pip install scikit-learn pandas scipy numpy where the scheduler runs, or use PopulationBasedTraining.",
    ),
)
