"""Test tiers, and one suite-wide invariant.

Tiers (markers registered in pyproject.toml, `--strict-markers`): `slow` marks oracle sampling at
20,000 draws and end-to-end runs (real wandb runs and agents, Ray Tune, whole sweeps); the fast tier,
`pytest -m "not slow"`, is the edit-test loop. Tests needing an optional library skip without it.

The invariant: every sweep config that passes our validator is accepted by W&B's validator and
schedulable by W&B's engine under its method; a `method: custom` sweep by W&B's scheduler (wandb's
make_optimizer on its generated source, asked for runs). Every SweepConfig any test builds is recorded;
at the end of the session each distinct one is replayed once through the engine. The replay belongs to
the slow tier: it runs when the session selected a slow test and W&B's engine (`sweeps`) is installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Random exploration stays on (a failure prints its reproduction); timing deadlines are off: on a
# shared CI machine they fail for load, not for bugs.
settings.register_profile("sweepbridge", deadline=None)
settings.load_profile("sweepbridge")

sys.path.insert(0, str(Path(__file__).parent))

# The suite's interpreters cache bytecode, as on most machines: with PYTHONDONTWRITEBYTECODE set (some sandboxes
# set it), each of its hundreds of interpreters (trials, CLI runs, agents, workers) compiled what it imported again
# (measured: the xdist run 836 s with it set, 746 s without)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

from sweepbridge.sweep_config import SweepConfig  # noqa: E402

_BUILT: list[tuple[str, SweepConfig]] = []  # (config text at construction, the object) of the current test
# (config text, generated scheduler source) → the first test building it; a method: custom config is the same
# text for every space: its generated source tells them apart
_SEEN: dict[tuple[str, str | None], str] = {}
_original_init = SweepConfig.__init__


def _recording_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    _BUILT.append((json.dumps(dict(self)), self))  # the object too: its scheduler_source is set after init


SweepConfig.__init__ = _recording_init  # type: ignore[method-assign]


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`), the tests sharing a module-scoped fixture (draws, a process
    pool, a Ray cluster) run in one worker, so the fixture is built once, not once per worker.

    The modules holding a slow test run first (whole modules, else a module fixture would be built twice), the
    quick ones last: they fill the end of the run, where a long test would leave the other worker idle."""
    slow_modules = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.module.__name__ not in slow_modules)  # stable: each part keeps its order
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        defs = getattr(item, "_fixtureinfo", None)
        scopes = {d.scope for fixture in (defs.name2fixturedefs.values() if defs else ()) for d in fixture}
        if "module" in scopes:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture
def wandb_env(tmp_path, monkeypatch):
    """No WANDB_* setting of the developer's leaks in; wandb quiet, its files under tmp_path."""
    for key in [k for k in os.environ if k.startswith("WANDB_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def wandb_in_process(monkeypatch):
    """A test whose own process uses wandb (e.g. the generated PBT scheduler's wandb.Api() listing artifacts):
    wandb's process-wide setup (settings read from this test's environment) and service are torn down after
    it, and WANDB_SERVICE (which wandb sets) is unset again, so later tests neither log into this test's
    folders nor hand a dead service to their trial processes."""
    monkeypatch.setenv("WANDB_SERVICE", "")  # recorded as absent (or as it was) before the test
    monkeypatch.delenv("WANDB_SERVICE")
    yield
    import wandb

    wandb.teardown()


@pytest.fixture(autouse=True)
def _record_sweep_configs(request):
    """After each test: keep each distinct config it built (with its generated source) for the replay."""
    _BUILT.clear()
    yield
    for text, sweep in _BUILT:
        _SEEN.setdefault((text, getattr(sweep, "scheduler_source", None)), request.node.nodeid)
    _BUILT.clear()


def _replay_wanted(session: pytest.Session) -> bool:
    slow = any(item.get_closest_marker("slow") for item in session.items)
    return slow and importlib.util.find_spec("sweeps") is not None


@pytest.fixture(scope="session", autouse=True)
def every_valid_config_runs_in_wandbs_engine(request):
    """At the end of the session: configs our validator accepts must pass W&B's validator and engine."""
    yield
    if not _replay_wanted(request.session):
        return
    from engine import engine_problems

    from sweepbridge.validation import validate

    failures = []
    for (text, source), nodeid in _SEEN.items():
        cfg = json.loads(text)
        if validate(cfg):
            continue  # deliberately invalid input in a test: our validator already refuses it
        problems = engine_problems(cfg, source)
        if problems:
            failures.append(f"{nodeid} built\n  {text}\n  -> {problems}")
    assert not failures, "W&B's engine rejects configs we accept:\n" + "\n".join(failures)
