"""When failing runs stop a sweep: the wandb agent's own rule (wandb/wandb_agent.py), as the runner applies it."""

from __future__ import annotations

import itertools
import time

import pytest

from sweepbridge.errors import SpecError
from sweepbridge.runner import run_sweep
from sweepbridge.runner.failures import FailureRule

pytest.importorskip("wandb")

pytestmark = pytest.mark.slow  # end to end: sweeps of failing trials


def agents_stop(outcomes: tuple[bool, ...], late_from: int) -> int | None:
    """Index of the run after which wandb's Agent stops (its counters as `_run_loop` keeps them, its
    own `is_flapping` / `is_failing`); runs from `late_from` on end after FLAPPING_MAX_SECONDS."""
    from wandb.wandb_agent import Agent

    agent = Agent(api=None, queue=None)
    for i, failed in enumerate(outcomes):
        elapsed = Agent.FLAPPING_MAX_SECONDS + 1 if i >= late_from else 1
        agent._start_time = time.time() - elapsed
        if failed:
            agent._failed += 1
            if agent.is_flapping() or agent.is_failing():
                return i
        agent._finished += 1
    return None


def rules_stop(outcomes: tuple[bool, ...], late_from: int, max_failures: int | None) -> int | None:
    rule = FailureRule.from_agent(max_failures)
    for i, failed in enumerate(outcomes):
        if rule.ended(failed, now=rule.start + (rule.flapping_seconds + 1 if i >= late_from else 1)):
            return i
    return None


@pytest.mark.parametrize(
    "env",
    [{}, {"WANDB_AGENT_DISABLE_FLAPPING": "true"}, {"WANDB_AGENT_MAX_INITIAL_FAILURES": "2"}],
    ids=["defaults", "no-flapping", "max-initial-2"],
)
def test_the_rule_stops_after_the_same_run_as_wandbs_agent(wandb_env, monkeypatch, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    stops = set()
    for n in range(1, 9):
        for outcomes in itertools.product((False, True), repeat=n):
            for late_from in range(n + 1):
                expected = agents_stop(outcomes, late_from)
                assert rules_stop(outcomes, late_from, None) == expected, (outcomes, late_from)
                stops.add(expected)
    assert None in stops and len(stops) >= 3  # sequences on both sides of the checks


def test_max_failures_replaces_the_agents_initial_limit(wandb_env, monkeypatch):
    monkeypatch.setenv("WANDB_AGENT_DISABLE_FLAPPING", "true")
    monkeypatch.setenv("WANDB_AGENT_MAX_INITIAL_FAILURES", "7")
    for outcomes in itertools.product((False, True), repeat=7):
        monkeypatch.setenv("WANDB_AGENT_MAX_INITIAL_FAILURES", "3")
        expected = agents_stop(outcomes, 0)
        monkeypatch.setenv("WANDB_AGENT_MAX_INITIAL_FAILURES", "7")
        assert rules_stop(outcomes, 0, 3) == expected
    with pytest.raises(SpecError, match="max_failures must be a positive integer"):
        run_sweep({"method": "random", "parameters": {"x": {"values": [1]}}}, function=lambda: None, max_failures=0)


def grid(n: int) -> dict:
    return {"method": "grid", "parameters": {"i": {"values": list(range(n))}}}


def failing_unless(ok: set[int]):
    def train() -> None:
        import wandb

        if wandb.init().config["i"] not in ok:
            raise RuntimeError("this trial fails")

    return train


def test_a_trial_failing_at_once_stops_the_sweep_where_the_agent_would(wandb_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # within the first FLAPPING_MAX_SECONDS: the third failure stops it (the flapping check)
    outcome = run_sweep(grid(8), function=failing_unless(set()), out="a")
    assert [r.state for r in outcome.results] == ["failed"] * 3 and "flapping" in outcome.reason
    # flapping check off: the agent's initial limit (here max_failures=4) stops it
    monkeypatch.setenv("WANDB_AGENT_DISABLE_FLAPPING", "true")
    outcome = run_sweep(grid(8), function=failing_unless(set()), out="b", max_failures=4)
    assert [r.state for r in outcome.results] == ["failed"] * 4 and "at most one run ended otherwise" in outcome.reason


def test_successes_and_failures_mixed(wandb_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # flapping: 3 failures in the first seconds stop the sweep even between successes
    outcome = run_sweep(grid(7), function=failing_unless({1, 3}), out="a", max_failures=10)
    assert [r.state for r in outcome.results] == ["failed", "finished", "failed", "finished", "failed"]
    monkeypatch.setenv("WANDB_AGENT_DISABLE_FLAPPING", "true")
    # one success before: 3 failures still stop it (failed >= runs ended before)
    outcome = run_sweep(grid(7), function=failing_unless({0}), out="b", max_failures=3)
    assert [r.state for r in outcome.results] == ["finished"] + ["failed"] * 3
    # two successes before: failures never stop it (the agent's check is about the start of a sweep)
    outcome = run_sweep(grid(7), function=failing_unless({0, 1}), out="c", max_failures=3)
    assert [r.state for r in outcome.results] == ["finished"] * 2 + ["failed"] * 5
    assert outcome.reason == "the search space is exhausted"
