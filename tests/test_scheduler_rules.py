"""W&B's rules for a sweep with a `scheduler` block (the `sweeps` package's schema and cfg.py): `validate` enforces
them with a readable message naming the field and the way out, agrees with W&B's own validator on each rule, and
every config the translator generates obeys them (no early_terminate or controller beside scheduler; every
generated study names its pruner, so Optuna's default MedianPruner never prunes runs unasked)."""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import pytest

from sweepbridge import SweepBridgeError, tune, validate
from sweepbridge.tune import registry
from sweepbridge.tune.schedulers.trial_scheduler import Refused as RefusedScheduler
from sweepbridge.tune.search.concurrency_limiter import ConcurrencyLimiter
from sweepbridge.tune.search.searcher import Refused as RefusedSearcher

ROOT = Path(__file__).resolve().parent.parent
SOURCE = {"engine": "optuna", "source": "s.py", "optimizer": "optimizer", "search_space": "search_space"}
METRIC = {"name": "loss", "goal": "minimize"}
PARAMS = {"x": {"distribution": "uniform", "min": 0, "max": 1}}
M2 = [{"name": "loss"}, {"name": "acc", "goal": "maximize"}]

VALID = [
    {"method": "custom", "metric": METRIC, "scheduler": SOURCE},
    {"method": "custom", "metrics": M2, "scheduler": SOURCE},
    {
        "method": "custom",
        "metric": METRIC,
        "scheduler": {"engine": "ax", "source": "s.py", "optimizer": "o"},
        "parameters": PARAMS,
    },  # fmt: skip
    {"method": "custom", "metric": METRIC, "scheduler": {"engine": "optuna"}, "parameters": PARAMS},
    {"method": "bayes", "metric": METRIC, "scheduler": {"engine": "wandb"}, "parameters": PARAMS},
    {"method": "random", "scheduler": {"engine": "wandb"}, "parameters": PARAMS, "controller": {"type": "cloud"}},
]
INVALID = [  # (config, the field the message names, words of the way out)
    ({"method": "custom", "metric": METRIC, "metrics": M2, "scheduler": SOURCE}, "metrics", "keep metric"),
    ({"method": "random", "metrics": M2, "parameters": PARAMS}, "metrics", "method custom"),
    ({"method": "custom", "scheduler": SOURCE}, "metric", "set metric"),
    (
        {"method": "random", "metric": METRIC, "scheduler": SOURCE, "parameters": PARAMS},
        "scheduler.engine",
        "method: custom",
    ),  # fmt: skip
    (
        {"method": "custom", "metric": METRIC, "scheduler": {"engine": "wandb"}, "parameters": PARAMS},
        "scheduler.engine",
        "method grid, random or bayes",
    ),  # fmt: skip
    (
        {
            "method": "custom",
            "metric": METRIC,
            "scheduler": SOURCE,
            "early_terminate": {"type": "hyperband", "min_iter": 3},
        },
        "early_terminate",
        "Drop early_terminate",
    ),  # fmt: skip
    (
        {"method": "custom", "metric": METRIC, "scheduler": SOURCE, "controller": {"type": "local"}},
        "controller",
        "Drop controller",
    ),  # fmt: skip
    (
        {"method": "custom", "metric": METRIC, "scheduler": {"engine": "optuna", "source": "s.py"}},
        "parameters",
        "scheduler.search_space",
    ),  # fmt: skip
    ({"method": "random", "metric": METRIC}, "parameters", "scheduler.search_space"),
]


@pytest.mark.parametrize("cfg", VALID, ids=range(len(VALID)))
def test_what_w_and_b_accepts_validates(cfg):
    assert validate(cfg) == []
    wandb_rules = pytest.importorskip("sweeps.config.cfg")
    assert wandb_rules.schema_violations_from_proposed_config(cfg) == []


@pytest.mark.parametrize(("cfg", "field", "way_out"), INVALID, ids=[f for _, f, _ in INVALID])
def test_each_rule_names_the_field_and_the_way_out(cfg, field, way_out):
    problems = validate(cfg)
    assert any(p.startswith(f"{field}: ") and way_out in p for p in problems), problems
    wandb_rules = pytest.importorskip("sweeps.config.cfg")
    if field != "metric":  # sweepbridge's own rule: W&B's validator lets a custom sweep without one through
        assert wandb_rules.schema_violations_from_proposed_config(cfg) != []  # W&B refuses it too


def test_sweepbridge_validate_prints_the_rule_and_fails(tmp_path):
    from sweepbridge.cli import main

    path = tmp_path / "sweep.yaml"
    path.write_text("method: random\nmetric: {name: loss}\nscheduler: {engine: optuna, source: s.py, search_space: f}\n"
                    "parameters: {x: {min: 0.0, max: 1.0}}\n", encoding="utf-8")  # fmt: skip
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["validate", str(path)])
    assert code != 0
    assert "scheduler.engine: engine optuna runs method custom only" in out.getvalue()
    assert "set method: custom" in out.getvalue()


# --- every config the translator generates ---------------------------------------------------------------

SPACE = {"x": tune.uniform(-5, 10), "y": tune.uniform(0, 15), "k": 3}
OPTIONS = {"ZOOptSearch": {"budget": 10}}
"""Options a searcher needs to translate at all (Ray asserts them)."""


def _homes() -> list[tuple[object, object]]:
    searchers = [s for s in registry.SEARCHERS if s is not ConcurrencyLimiter and not issubclass(s, RefusedSearcher)]
    schedulers = [s for s in registry.SCHEDULERS if not issubclass(s, RefusedScheduler)]
    return list(itertools.product(searchers, schedulers))


def check_rules(cfg) -> None:
    """W&B's scheduler rules, and an explicit pruner in every generated study."""
    assert validate(cfg) == [], validate(cfg)
    if "scheduler" in cfg:
        assert "early_terminate" not in cfg and "controller" not in cfg
    if cfg.get("method") == "custom" and cfg.get("scheduler", {}).get("engine") == "optuna":
        source = cfg.scheduler_source
        study = source[source.index("optuna.create_study(") :]
        assert re.search(r"\bpruner=optuna\.pruners\.\w+\(", study), "a study without an explicit pruner"


def test_every_config_the_homes_generate_obeys_the_scheduler_rules():
    made = 0
    for (searcher, scheduler), engine in itertools.product(_homes(), ("wandb", "optuna")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                search = searcher(**OPTIONS.get(searcher.__name__, {}))
                cfg = tune.run("t.py", config=SPACE, num_samples=6, metric="loss", mode="min", engine=engine,
                               search_alg=search, scheduler=scheduler())  # fmt: skip
        except SweepBridgeError:
            continue  # refused (by its compat row): nothing generated
        check_rules(cfg)
        made += 1
    assert made >= 20  # the translations that exist: each searcher with the schedulers it takes, both engines


@pytest.mark.slow
def test_every_config_the_examples_generate_obeys_the_scheduler_rules(tmp_path, monkeypatch, capsys):
    """examples/*.py converted as `sweepbridge convert` does (nothing runs), under both engines."""
    from sweepbridge.script_run import script_sweep

    monkeypatch.chdir(tmp_path)  # examples write their sweep files beside them
    made = 0
    for path, engine in itertools.product(sorted((ROOT / "examples").glob("*.py")), (None, "optuna")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cfg = script_sweep(path, engine=engine)
        except SweepBridgeError:
            continue
        check_rules(cfg)
        made += 1
    capsys.readouterr()
    assert made >= 6
