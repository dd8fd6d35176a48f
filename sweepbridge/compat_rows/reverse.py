"""Compat rows: reverse translation, W&B sweep → hyperopt space / Ray Tune param_space.

One row per W&B kind × target where the targets differ. The 2020 beta covered only the forward
direction, so every row here is "not listed" there.
"""

from __future__ import annotations

from ..compat_row import CompatRow

HP, TUNE, BOTH = "a hyperopt space", "a Ray Tune param_space", "hyperopt / Ray Tune"


def _r(
    key: str, group: str, feature: str, construct: str, fidelity: str, note: str = "", suggestion: str = ""
) -> CompatRow:
    target = {"→ hyperopt": HP, "→ Ray Tune": TUNE}.get(group.removeprefix("reverse "), BOTH)
    return CompatRow(key, group, feature, construct, fidelity, "not listed", note, suggestion, target)


H, T, B = "reverse → hyperopt", "reverse → Ray Tune", "reverse"
SAMPLE_FROM = (
    "Ray's basic variant generator (its default search) calls the tune.sample_from function; other search "
    "algorithms cannot model it."
)

ROWS = (
    _r(
        "reverse.tune.pbt",
        T,
        "a generated PBT scheduler source (tune.run with PopulationBasedTraining, engine optuna)",
        "—",
        "unsupported",
        "Its SPEC holds Ray's PBT settings as data (SPEC['pbt']); reverse does not rebuild a "
        "PopulationBasedTraining from them.",
        "keep the tune.run / Tuner the sweep was made from (the settings are readable in SPEC['pbt']).",
    ),
    _r(
        "reverse.tune.settings",
        T,
        "W&B settings with no Ray Tune run counterpart (program, name, command, metric.target, ...)",
        "—",
        "equivalent",
        "A Ray Tune run calls the trainable you pass to Tuner; stop and naming are set on RunConfig.",
        "set them on tune.RunConfig (name=, stop=) or in your trainable.",
    ),
    _r(
        "reverse.tune.marker",
        T,
        "W&B value holding a {grid_search: ...} mapping",
        "—",
        "unsupported",
        "Ray Tune reads a one-key {grid_search: [...]} mapping anywhere in param_space as a grid axis, "
        "so the constant would be expanded instead of passed through.",
        "rename the key, or make it a real grid with method grid and values.",
    ),
    _r(
        "reverse.hyperopt.labels",
        H,
        "two parameters with the same dotted path (a key containing '.')",
        "—",
        "unsupported",
        "hyperopt labels are the dotted paths and must be unique (hyperopt raises DuplicateLabel).",
        "rename one of the parameters.",
    ),
    _r(
        "reverse.grid_size",
        B,
        "W&B grid axis (int_uniform / q_uniform) with more than 100,000 points",
        "grid_search / choice values",
        "unsupported",
        "The axis would be enumerated value by value into the target space.",
        "narrow the range, raise q, or list the values you want.",
    ),
    _r("reverse.nested", B, "W&B nested parameters", "nested dict", "exact", "Labels are the dotted parameter paths."),
    _r(
        "reverse.value",
        B,
        "W&B value",
        "the constant",
        "exact",
        "Lists stay lists (hyperopt: wrapped in pyll Literal).",
    ),
    _r(
        "reverse.inferred",
        B,
        "W&B spec without distribution",
        "as W&B infers it",
        "exact",
        "values → categorical, values+probabilities → weighted, integer min/max → int_uniform, "
        "other numeric min/max → uniform (sweeps' fill_parameter order); omitted mu/sigma/a/b/q take "
        "W&B's defaults 0/1/1/1/1.0.",
    ),
    _r(
        "reverse.deprecated",
        B,
        "W&B log_uniform / q_log_uniform / inv_log_uniform (exponent bounds)",
        "their *_values successors",
        "exact",
        "Old YAML still reads: bounds e^min, e^max (inv_log_uniform: e^-max, e^-min).",
    ),
    _r("reverse.hyperopt.values", H, "W&B values", "hp.choice", "exact"),
    _r(
        "reverse.hyperopt.probabilities",
        H,
        "W&B values + probabilities",
        "hp.pchoice",
        "exact",
    ),
    _r("reverse.hyperopt.int_uniform", H, "W&B int_uniform", "hp.randint(label, min, max+1)", "exact"),
    _r("reverse.hyperopt.uniform", H, "W&B uniform", "hp.uniform", "exact"),
    _r(
        "reverse.hyperopt.q_uniform",
        H,
        "W&B q_uniform",
        "hp.quniform; int q: hp.uniformint (q=1) or scope.int(hp.quniform)",
        "exact",
        "Same rounding (numpy round of U/q); an int q gives ints in both.",
    ),
    _r(
        "reverse.hyperopt.log_uniform_values",
        H,
        "W&B log_uniform_values",
        "hp.loguniform(label, log(min), log(max))",
        "exact",
        "Bounds become natural-log exponents (round trip within 1e-12 relative).",
    ),
    _r(
        "reverse.hyperopt.q_log_uniform_values",
        H,
        "W&B q_log_uniform_values",
        "hp.qloguniform(label, log(min), log(max), q); int q: scope.int(...)",
        "exact",
    ),
    _r(
        "reverse.hyperopt.inv_log_uniform_values",
        H,
        "W&B inv_log_uniform_values",
        "hp.loguniform(label, log(min), log(max))",
        "exact",
        "W&B samples exp(-U(-ln max, -ln min)): the same distribution as log_uniform_values (measured).",
    ),
    _r("reverse.hyperopt.normal", H, "W&B normal", "hp.normal", "exact"),
    _r("reverse.hyperopt.q_normal", H, "W&B q_normal", "hp.qnormal; int q: scope.int(hp.qnormal)", "exact"),
    _r("reverse.hyperopt.log_normal", H, "W&B log_normal", "hp.lognormal", "exact"),
    _r(
        "reverse.hyperopt.q_log_normal",
        H,
        "W&B q_log_normal",
        "hp.qlognormal; int q: scope.int(hp.qlognormal)",
        "exact",
    ),
    _r(
        "reverse.hyperopt.beta",
        H,
        "W&B beta / q_beta",
        "—",
        "unsupported",
        "hyperopt has no beta operator.",
        "replace it by a uniform / choice in the sweep first, or translate to a sampler you write yourself.",
    ),
    _r(
        "reverse.hyperopt.grid",
        H,
        "W&B method grid",
        "—",
        "unsupported",
        "hyperopt samples; it has no grid enumeration.",
        "use to_tune (tune.grid_search), or method random for hp.choice sampling.",
    ),
    _r("reverse.tune.values", T, "W&B values", "tune.choice", "exact"),
    _r(
        "reverse.tune.probabilities",
        T,
        "W&B values + probabilities",
        "tune.choice over a multiset; else tune.sample_from(random.choices)",
        "exact",
        "Ray has no weighted choice: each value is repeated in proportion to its probability when every "
        "probability is a multiple of 1/N (N ≤ 10,000; within 1e-12); otherwise a tune.sample_from draws "
        "with the probabilities. " + SAMPLE_FROM,
    ),
    _r("reverse.tune.int_uniform", T, "W&B int_uniform", "tune.randint(min, max+1)", "exact"),
    _r("reverse.tune.uniform", T, "W&B uniform", "tune.uniform", "exact"),
    _r(
        "reverse.tune.q_uniform",
        T,
        "W&B q_uniform",
        "tune.quniform; else tune.choice over its pmf; else tune.sample_from",
        "exact",
        "tune.quniform needs a float q and bounds that are multiples of q; otherwise (an int q, or "
        "other bounds) W&B's finite pmf becomes a tune.choice multiset when its probabilities are "
        "multiples of 1/N (N ≤ 10,000); else a tune.sample_from draws round(U / q) * q as W&B does. " + SAMPLE_FROM,
    ),
    _r(
        "reverse.tune.log_uniform_values",
        T,
        "W&B log_uniform_values / inv_log_uniform_values",
        "tune.loguniform",
        "exact",
        "inv_log_uniform_values samples the same distribution as log_uniform_values (measured).",
    ),
    _r(
        "reverse.tune.q_log_uniform_values",
        T,
        "W&B q_log_uniform_values",
        "tune.qloguniform; else tune.sample_from",
        "exact",
        "tune.qloguniform needs a float q and bounds that are multiples of q (Ray's rule); otherwise (an "
        "int q gives ints) a tune.sample_from draws round(exp(U(ln min, ln max)) / q) * q as W&B does. " + SAMPLE_FROM,
    ),
    _r("reverse.tune.normal", T, "W&B normal", "tune.randn", "exact"),
    _r(
        "reverse.tune.q_normal",
        T,
        "W&B q_normal",
        "tune.qrandn; int q: tune.sample_from",
        "exact",
        "Ray's qrandn returns floats; W&B's int q returns ints, drawn by a tune.sample_from. " + SAMPLE_FROM,
    ),
    _r(
        "reverse.tune.no_domain",
        T,
        "W&B log_normal / q_log_normal / beta / q_beta",
        "tune.sample_from(lambda: random.lognormvariate / betavariate ...)",
        "exact",
        "Ray Tune has no log-normal or beta domain: a tune.sample_from draws W&B's law with Python's "
        "random module (q kinds: round(x / q) * q, ints for an int q). " + SAMPLE_FROM,
    ),
    _r(
        "reverse.tune.int_q",
        T,
        "W&B q kinds with an int q (int values)",
        "tune.sample_from(lambda: round(x / q) * q)",
        "exact",
        "Ray's quantized domains return floats; W&B's int q returns ints: a tune.sample_from draws them "
        "as W&B does. " + SAMPLE_FROM,
    ),
    _r("reverse.tune.grid", T, "W&B method grid", "tune.grid_search axes, num_samples=1", "exact"),
    _r(
        "reverse.tune.grid_run_cap",
        T,
        "W&B grid with run_cap below the grid size",
        "the full grid",
        "equivalent",
        "W&B stops after run_cap runs; Ray has no trial cap for a grid and runs all combinations.",
    ),
    _r(
        "reverse.tune.run_settings",
        T,
        "W&B metric / goal / run_cap",
        "metric, mode (min/max), num_samples",
        "exact",
        "No run_cap gives num_samples=-1 (sample until stopped), as a W&B sweep runs until stopped.",
    ),
    _r(
        "reverse.tune.bayes",
        T,
        "W&B method bayes",
        "HyperOptSearch(space=to_hyperopt(sweep))",
        "equivalent",
        "TPE instead of W&B's Gaussian process; the space is our exact hyperopt space (Ray's own "
        "Tune→hyperopt converter distorts integer domains).",
    ),
    _r(
        "reverse.tune.hyperband",
        T,
        "W&B early_terminate hyperband",
        "AsyncHyperBandScheduler (ASHA)",
        "equivalent",
        "grace_period = first band, reduction_factor = eta, max_t = last band, time_attr "
        "training_iteration. Differs: W&B counts logged metric values, Ray counts reports; ASHA stops "
        "trials at max_t, W&B never stops a run past its last band; cut-off quantiles differ slightly; "
        "strict: false (W&B compares the best value so far) has no ASHA counterpart.",
    ),
    _r(
        "reverse.scheduler",
        B,
        "W&B method custom with a sweepbridge-generated scheduler source",
        "the source's space, searcher and scheduler (read from its SPEC, never run)",
        "exact",
        "The space round-trips exactly (conditional branches to hyperopt; grid × num_samples, "
        "HyperOptSearch / OptunaSearch, ASHA / HyperBand / MedianStoppingRule to Ray Tune).",
    ),
    _r(
        "reverse.optuna.sampler",
        T,
        "a generated study from OptunaSearch(sampler=...)",
        "OptunaSearch(sampler=optuna.samplers.<the same class>(<the carried arguments>))",
        "exact",
        "The arguments carried into the study (nested samplers and crossovers as calls), with "
        "points_to_evaluate and evaluated_rewards.",
    ),
    _r(
        "reverse.multi_objective",
        T,
        "a multi-objective sweep (W&B's metrics) whose study's sampler is not OptunaSearch's",
        "—",
        "unsupported",
        "Ray's searchers here take one metric, except OptunaSearch; a study with hyperopt's TPE settings "
        "(gamma as hyperopt's rule, a function) cannot be given to OptunaSearch as a sampler argument.",
        "translate the original experiment again, or use method random (its RandomSampler reverses to "
        "OptunaSearch(sampler=RandomSampler(seed))).",
    ),
    _r(
        "reverse.optuna.define_by_run",
        T,
        "a generated study from OptunaSearch's define-by-run space function",
        "—",
        "unsupported",
        "The SPEC holds no space: the function is Python code, which reverse reads but never runs.",
        "pass the original function to OptunaSearch again (the generated file keeps it as written).",
    ),
    _r(
        "reverse.scheduler.foreign",
        B,
        "W&B method custom with a scheduler source sweepbridge did not generate",
        "—",
        "unsupported",
        "Arbitrary Optuna code: sweepbridge cannot know what it samples.",
        "translate the original space with engine='optuna', or write the hyperopt / Tune space by hand.",
    ),
    _r(
        "reverse.tune.conditional",
        T,
        "a conditional space (choice over sub-spaces) from a scheduler source",
        "—",
        "unsupported",
        "Ray's tune.choice does not sample domains inside its categories.",
        "use to_hyperopt (hp.choice over sub-spaces), or keep the sweep on W&B's scheduler.",
    ),
)
