"""Suite-wide invariant: every sweep config that passes our validator is accepted by W&B's
validator and schedulable by W&B's engine under its method (checked after every test); a
`method: custom` sweep by W&B's scheduler: wandb's make_optimizer on its generated source, asked for runs."""

from __future__ import annotations

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

from engine import engine_problems  # noqa: E402

from sweepbridge.sweep_config import SweepConfig  # noqa: E402
from sweepbridge.validation import validate  # noqa: E402

_RECORDED: list[tuple[str, SweepConfig]] = []
_original_init = SweepConfig.__init__


def _recording_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    _RECORDED.append((json.dumps(dict(self)), self))  # the object too: its scheduler_source is set after init


SweepConfig.__init__ = _recording_init  # type: ignore[method-assign]


@pytest.fixture
def wandb_env(tmp_path, monkeypatch):
    """No WANDB_* setting of the developer's leaks in; wandb quiet, its files under tmp_path."""
    for key in [k for k in os.environ if k.startswith("WANDB_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def every_valid_config_runs_in_wandbs_engine():
    """After each test: configs our validator accepts must pass W&B's validator and engine."""
    _RECORDED.clear()
    yield
    failures = []
    # a method: custom config is the same text for every space: its generated source tells them apart
    for text, source in dict.fromkeys((text, sweep.scheduler_source) for text, sweep in _RECORDED):
        cfg = json.loads(text)
        if validate(cfg):
            continue  # deliberately invalid input in a test: our validator already refuses it
        problems = engine_problems(cfg, source)
        if problems:
            failures.append(f"{text}\n  -> {problems}")
    _RECORDED.clear()
    assert not failures, "W&B's engine rejects configs we accept:\n" + "\n".join(failures)
