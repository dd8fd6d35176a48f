"""Ray's lograndint / qlograndint of any range under engine="optuna": exact through W&B's own scheduler code.

The space is emitted by `tune.run(..., engine="optuna")`, built by wandb's `make_optimizer` from the generated
source and asked 20,000 times (`ask_n_runs`, seeded RandomSampler); Ray's own domains draw 20,000 samples
(`Domain.sample`, seeded; no cluster). Per parameter: same Python type (int), two-sample KS on the values
and chi-square over log-spaced bins; on a range just over W&B's 1,000-value limit the full probability
table (chi-square against the exact pmf, tail pooled). The same machinery rejects an off-by-one variant.
W&B's own engine still refuses the large ranges, naming the Optuna engine; reverse gives Ray's calls back.
"""

from __future__ import annotations

import tempfile
import warnings

import pytest
from engine import scheduler_optimizer, to_plain

from sweepbridge import ApproximationWarning, SpecError, UnsupportedFeatureError, reverse, to_sweep, tune
from sweepbridge.backends.wandb import LOG_INTEGER_CAP
from sweepbridge.check import hyperopt_samples
from sweepbridge.stats import P_MIN, ks, type_counts

pytest.importorskip("optuna")
np = pytest.importorskip("numpy")
scipy_stats = pytest.importorskip("scipy.stats")
ray_tune = pytest.importorskip("ray.tune")

N = 20_000
N_WRONG = 5_000
BINS = 40
EXPECTED_MIN = 5
"""Cells of the full table expecting fewer draws are pooled (the tail of the pmf)."""

CASES = {  # path → (Ray domain, its arguments, (index low, index high, q))
    "x": ("lograndint", (1, 1_000_000), (1, 1_000_000, 1)),
    "y": ("qlograndint", (10, 500_000, 5), (2, 100_001, 5)),
    "model.width": ("qlograndint", (8, 100_000, 8), (1, 12_501, 8)),
    "w": ("lograndint", (1, 1_500), (1, 1_500, 1)),
}


def _space(domains: dict) -> dict:
    return {"x": domains["x"], "y": domains["y"], "model": {"width": domains["model.width"]}, "w": domains["w"]}


def _get(config: dict, path: str):
    for part in path.split("."):
        config = config[part]
    return config


def scheduler_draws(source_edit=lambda text: text, n: int = N) -> dict[str, list]:
    """n configs from W&B's Optuna scheduler on the emitted sweep (its source edited by `source_edit`)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = _space({path: getattr(tune, op)(*args) for path, (op, args, _) in CASES.items()})
    search = tune.search.BasicVariantGenerator(random_state=17)  # → RandomSampler(seed=17)
    cfg = tune.run("t.py", config=space, num_samples=n, metric="m", mode="min", search_alg=search, engine="optuna")
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna's experimental notes
        runs = scheduler_optimizer(dict(cfg), source_edit(cfg.scheduler_source), folder).ask_n_runs(n)
    configs = [to_plain(run.config.flat_dict()) for run in runs]
    return {path: [_get(c, path) for c in configs] for path in CASES}


def ray_draws(path: str, n: int = N, seed: int = 3) -> list:
    op, args, _ = CASES[path]
    domain = getattr(ray_tune, op)(*args)
    return [
        v.item() if hasattr(v, "item") else v for v in domain.sample(size=n, random_state=np.random.default_rng(seed))
    ]


def log_bins_p(a: list, b: list, low: float, high: float) -> float:
    """Chi-square p that `a` and `b` share one distribution over BINS log-spaced bins of [low, high]."""
    edges = np.geomspace(low, high, BINS + 1)
    table = np.array([np.histogram(a, edges)[0], np.histogram(b, edges)[0]])
    table = table[:, table.sum(axis=0) > 0]
    return scipy_stats.chi2_contingency(table).pvalue


def same_law(ray: list, ours: list, low: float, high: float) -> tuple[float, float]:
    """(KS p, log-bins chi-square p); asserts Python types agree and both p > P_MIN."""
    assert set(type_counts(ours)) == set(type_counts(ray)) == {"int"}
    p_ks, p_bins = ks([float(v) for v in ray], [float(v) for v in ours]), log_bins_p(ray, ours, low, high)
    assert p_ks > P_MIN and p_bins > P_MIN, f"KS p = {p_ks:.3g}, log-bins chi-square p = {p_bins:.3g}"
    return p_ks, p_bins


def table_p(draws: list, low: int, high: int, q: int) -> float:
    """Chi-square p of `draws` against Ray's exact pmf P(i) = ln((i+1)/i) / ln(high/low) (cells expecting
    fewer than EXPECTED_MIN draws pooled into one tail cell); asserts p > P_MIN and no value off the support."""
    node = tune.qlograndint(low * q, (high - 1) * q, q) if q != 1 else tune.lograndint(low, high)
    values, probabilities = node.support()
    counts = {v: 0 for v in values}
    for v in draws:
        assert v in counts, f"{v!r} is outside Ray's support"
        counts[v] += 1
    observed, expected, tail = [], [], [0, 0.0]
    for v, p in zip(values, probabilities, strict=True):
        if p * len(draws) < EXPECTED_MIN:
            tail[0] += counts[v]
            tail[1] += p * len(draws)
        else:
            observed.append(counts[v])
            expected.append(p * len(draws))
    observed.append(tail[0])
    expected.append(tail[1])
    p_value = scipy_stats.chisquare(observed, expected, sum_check=False).pvalue
    assert p_value > P_MIN, f"probability table differs from Ray's pmf: chi-square p = {p_value:.3g}"
    return p_value


@pytest.fixture(scope="module")
def ours() -> dict[str, list]:
    return scheduler_draws()


@pytest.mark.slow
@pytest.mark.parametrize("path", list(CASES))
def test_any_range_samples_rays_law(ours, path):
    op, args, (low, high, q) = CASES[path]
    ray = ray_draws(path)
    p_ks, p_bins = same_law(ray, ours[path], low * q, high * q)
    assert all(v % q == 0 and low <= v // q < high for v in ours[path])
    print(f"{op}{args}: KS p={p_ks:.3g}, log bins p={p_bins:.3g}")


@pytest.mark.slow
def test_just_over_the_limit_full_probability_table(ours):
    """lograndint(1, 1500): 1,499 values (W&B's engine refuses it); both Ray's and our draws fit the exact pmf."""
    _, args, (low, high, q) = CASES["w"]
    assert high - low > LOG_INTEGER_CAP
    p_ours, p_ray = table_p(ours["w"], low, high, q), table_p(ray_draws("w"), low, high, q)
    print(f"lograndint{args}: full table p={p_ours:.3g} (Ray's own draws: p={p_ray:.3g})")


def _off_by_one(text: str) -> str:
    """The generated source with every log-integer's lower index bound one too high."""
    for _, _, (low, high, _) in CASES.values():
        text = text.replace(f", {low}, {high})", f", {low + 1}, {high})")
    return text


@pytest.mark.slow
def test_the_same_machinery_rejects_an_off_by_one_bound():
    wrong = scheduler_draws(_off_by_one, N_WRONG)
    for path, (_, _, (low, high, q)) in CASES.items():
        with pytest.raises(AssertionError, match="p = "):
            same_law(ray_draws(path), wrong[path], low * q, high * q)
    with pytest.raises(AssertionError):
        table_p(wrong["w"], 1, 1_500, 1)


def test_wandb_engine_still_refuses_over_the_limit_naming_the_optuna_engine():
    for op, args, _ in CASES.values():
        for translate in (lambda s: tune.run("t.py", config=s), lambda s: to_sweep(s)):
            with pytest.raises(UnsupportedFeatureError, match=f"emitted up to {LOG_INTEGER_CAP:,}") as info:
                translate({"p": getattr(ray_tune, op)(*args)})
            assert info.value.path == "p" and "--engine optuna" in str(info.value)
    for space, path in [
        ({"c": tune.choice([tune.lograndint(1, 5000), 3])}, "c[option 0]"),
        ({"c": [tune.lograndint(1, 5000), 1]}, "c[0]"),
    ]:
        with pytest.raises(UnsupportedFeatureError, match="emitted up to") as info:  # enumerated inside a whole value
            to_sweep(space)
        assert info.value.path == path and info.value.feature == "tune.lograndint"
    cfg = tune.run("t.py", config={"p": ray_tune.lograndint(1, LOG_INTEGER_CAP + 1)})  # the largest from 1
    assert len(cfg["parameters"]["p"]["values"]) == LOG_INTEGER_CAP


def test_reverse_gives_rays_calls_back(tmp_path):
    space = _space({path: getattr(ray_tune, op)(*args) for path, (op, args, _) in CASES.items()})
    cfg = tune.run("t.py", config=space, num_samples=4, metric="m", mode="min", engine="optuna")
    cfg.save(tmp_path / "sweep.yaml")
    text = reverse.render_python(tmp_path / "sweep.yaml", "tune")
    for op, args, _ in CASES.values():
        assert f"tune.{op}({', '.join(map(str, args))})" in text
    back = reverse.to_tune(tmp_path / "sweep.yaml").param_space
    for path, (_, args, _) in CASES.items():
        domain = _get(back, path)
        assert type(domain) is type(_get(space, path))
        assert (domain.lower, domain.upper, getattr(domain.get_sampler(), "q", 1)) == (*args[:2], (*args, 1)[2])
    again = tune.run("t.py", config=back, num_samples=4, metric="m", mode="min", engine="optuna")
    assert again == cfg and again.scheduler_source == cfg.scheduler_source


@pytest.mark.slow
def test_hyperopt_reverse_is_rays_rule():
    """to_hyperopt: int(exp(U(ln low, ln high))) · q, hyperopt's own terms for Ray's rule (any range)."""
    cfg = tune.run("t.py", config={"y": ray_tune.qlograndint(10, 500_000, 5)}, metric="m", mode="min", engine="optuna")
    draws = [d["y"] for d in hyperopt_samples(reverse.to_hyperopt(cfg), N_WRONG, np.random.default_rng(5))]
    same_law(ray_draws("y", N_WRONG), draws, 10, 500_000)
    assert min(draws) == 10 and max(draws) <= 500_000


def test_an_earlier_spec_reads_back_as_the_same_draw():
    """Files generated before LogInteger held Ray's pmf as a finite kind with `log_integer` bounds."""
    from sweepbridge import distributions as d
    from sweepbridge.ir_data import from_data, to_data

    old = {"kind": "finite", "values": [2, 4], "probabilities": [0.6, 0.4], "source": "tune.qlograndint(2, 4, 2)"}
    assert from_data({**old, "log_integer": [1, 3, 2]}) == d.LogInteger(1, 3, 2, source="tune.qlograndint(2, 4, 2)")
    node = d.LogInteger(2, 100_001, 5, approximate=True)
    assert from_data(to_data(node)) == node


def test_points_and_a_restart_give_the_values_back():
    """A point's value is enqueued as its own index draw; a qlograndint's draw has an internal name, so a
    restarted scheduler enqueueing old configs by parameter name gives back the lograndint value only."""
    space = {"x": tune.lograndint(1, 1_000_000), "y": tune.qlograndint(10, 500_000, 5)}
    points = [{"x": 123_456, "y": 250_000}, {"y": 10}]
    search = tune.search.OptunaSearch(space=space, metric="m", mode="min", points_to_evaluate=points, seed=1)
    cfg = tune.run("t.py", num_samples=4, search_alg=search, engine="optuna")
    assert '"y#index"' in cfg.scheduler_source
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = scheduler_optimizer(dict(cfg), cfg.scheduler_source, folder)
        configs = [run.config.flat_dict() for run in optimizer.ask_n_runs(3)]
        optimizer.study.enqueue_trial({"x": 77, "y": 5_000})  # what tell_existing_active_run does on a restart
        replay = optimizer.ask_n_runs(1)[0].config.flat_dict()
    assert configs[0] == {"x": 123_456, "y": 250_000} and configs[1]["y"] == 10
    assert all(type(v) is int for c in configs for v in c.values())
    assert replay["x"] == 77 and type(replay["x"]) is int
    with pytest.raises(SpecError, match="outside"):
        tune.run("t.py", num_samples=2, engine="optuna", search_alg=tune.search.OptunaSearch(
            space=space, metric="m", mode="min", points_to_evaluate=[{"y": 12}]))  # fmt: skip


def test_bayes_under_wandbs_engine_refuses_or_approximates_as_before():
    with pytest.raises(UnsupportedFeatureError, match="bayes cannot take") as info:
        to_sweep({"u": tune.lograndint(1, 100)}, method="bayes", metric="m")
    assert info.value.path == "u" and info.value.feature == "tune.lograndint"
    with pytest.warns(ApproximationWarning, match="total variation"):
        cfg = to_sweep({"u": tune.qlograndint(10, 500_000, 5, allow_approximate=True)}, method="bayes", metric="m")
    assert cfg["parameters"]["u"] == {"distribution": "q_log_uniform_values", "min": 7.5, "max": 500_002.5, "q": 5}
    exact = tune.run("t.py", config={"u": tune.lograndint(1, 100)}, engine="optuna", metric="m", mode="min",
                     search_alg=tune.search.HyperOptSearch())  # fmt: skip
    assert "_log_int(trial" in exact.scheduler_source


def test_a_plain_finite_pmf_still_reverses_to_tune():
    """The finite kind without Ray's bounds (a mapped hyperopt expression) becomes a tune.choice multiset."""
    from hyperopt import hp

    cfg = to_sweep({"a": hp.randint("a", 5) // 2}, engine="optuna", metric="m")
    assert "tune.choice([0, 0, 1, 1, 2])" in reverse.render_python(cfg, "tune")
