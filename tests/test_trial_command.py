"""sweepbridge.trial_command: the trial command is written and read by one class, and stays light."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
import runtime_trainables as rt
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge import tune
from sweepbridge.cli import build_parser
from sweepbridge.errors import SpecError
from sweepbridge.trial_command import COMMAND_HEAD, REPEAT_AXIS, WANDB_SECRETS, TrialCommand

AGENT_HEAD = ["/usr/bin/env", "python", "-m", "sweepbridge", "trial"]
"""COMMAND_HEAD as the agent expands it (${env}, ${interpreter}); ${program} follows."""

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}(\.[A-Za-z_][A-Za-z0-9_]{0,12}){0,2}", fullmatch=True)
programs = st.one_of(names, names.map(lambda n: n.replace(".", "/") + ".py"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
commands = st.builds(
    TrialCommand,
    program=programs,
    trainable=names,
    metric=st.none() | st.text(max_size=12) | st.just("-loss"),
    stop=st.none() | objects,
    wandb=st.none() | objects.filter(lambda d: not any(k in d for k in WANDB_SECRETS)),
    resources=st.none()
    | st.dictionaries(
        st.sampled_from(["cpu", "gpu", "memory", "custom_x"]),
        st.integers(1, 8) | st.floats(0.01, 8),
        min_size=1,
        max_size=3,
    ),
)


def _expected(command: TrialCommand) -> TrialCommand:
    """What survives the round trip: an empty --wandb block is not written."""
    return command if command.wandb else dataclasses.replace(command, wandb=None)


@given(commands)
def test_what_is_written_reads_back_the_same_everywhere(command):
    written = command.command()
    assert written[: len(COMMAND_HEAD)] == list(COMMAND_HEAD)
    sweep = {"program": command.program, "command": written}
    assert TrialCommand.in_sweep(sweep) == _expected(command)  # the runner's reading
    assert TrialCommand.parse(command.argv()) == _expected(command)
    agent_argv = [*AGENT_HEAD, command.program, *written[len(COMMAND_HEAD) :]]
    cli_args = build_parser().parse_args(agent_argv[len(AGENT_HEAD) - 1 :])  # `sweepbridge trial ...`
    assert TrialCommand.from_args(cli_args) == _expected(command)  # the CLI's reading, the same definition


def test_tune_run_writes_a_trial_command():
    cfg = tune.run(
        rt.train_fn,
        config={"x": tune.uniform(0, 1), "wandb": {"group": "g"}},
        metric="loss",
        mode="min",
        stop={"training_iteration": 3},
    )
    assert TrialCommand.in_sweep(cfg) == TrialCommand(
        "runtime_trainables",
        "train_fn",
        metric="loss",
        stop={"criteria": {"training_iteration": 3}},
        wandb={"group": "g"},
    )


@pytest.mark.parametrize(
    "command",
    [
        None,
        "python train.py",
        ["${env}", "${interpreter}", "${program}", "${args}"],
        ["python", "-m", "sweepbridge", "convert", "x.py"],
    ],
)
def test_a_command_that_starts_no_trial_has_none(command):
    assert TrialCommand.in_sweep({"program": "train.py", "command": command}) is None


@pytest.mark.parametrize(
    "rest, words",
    [
        ([], "the following arguments are required: --trainable"),
        (["--trainable"], "argument --trainable: expected one argument"),
        (["--trainable", "f", "--stop", "{"], "argument --stop: not JSON"),
        (["--trainable", "f", "--stop", "[1]"], "--stop must be a JSON object, got list"),
        (["--trainable", "f", "--wandb", '{"api_key": "x"}'], "--wandb must not hold api_key"),
        (["--trainable", "f", "--bogus", "1"], "unrecognized arguments: --bogus 1"),
    ],
)
def test_a_malformed_trial_command_is_a_spec_error(rest, words):
    sweep = {"program": "train.py", "command": [*COMMAND_HEAD, *rest]}
    with pytest.raises(SpecError, match=words):
        TrialCommand.in_sweep(sweep)


def test_macros_the_agent_expands_are_left_out_and_program_is_required():
    command = [*COMMAND_HEAD, "--trainable", "f", "${args_no_hyphens}"]
    assert TrialCommand.in_sweep({"program": "train.py", "command": command}) == TrialCommand("train.py", "f")
    with pytest.raises(SpecError, match=r"names \$\{program\}, but the sweep has no `program`"):
        TrialCommand.in_sweep({"command": command})


def test_the_cli_refuses_secrets_before_any_run(capsys):
    from sweepbridge.cli import main

    assert main(["trial", "train.py", "--trainable", "f", "--wandb", '{"api_key_file": "k"}']) == 1
    assert "--wandb must not hold api_key / api_key_file" in capsys.readouterr().err


def test_the_repeat_axis_is_the_translators():
    cfg = tune.run("train.py", config={"a": tune.grid_search([1, 2])}, num_samples=2)
    assert REPEAT_AXIS in cfg["parameters"]


def test_importing_it_loads_no_other_sweepbridge_module():
    """Beyond what `import sweepbridge` itself loads (errors, and tune/driver.py where the entry point wires fit)."""
    code = "import sys, {}; print(' '.join(sorted(m for m in sys.modules if m.startswith('sweepbridge'))))"
    loaded = {}
    for module in ("sweepbridge", "sweepbridge.trial_command"):
        done = subprocess.run([sys.executable, "-c", code.format(module)], capture_output=True, text=True, check=True)
        loaded[module] = set(done.stdout.split())
    assert loaded["sweepbridge"] <= {"sweepbridge", "sweepbridge.errors", "sweepbridge.tune", "sweepbridge.tune.driver"}
    assert loaded["sweepbridge.trial_command"] - loaded["sweepbridge"] == {"sweepbridge.trial_command"}


TRANSLATOR = ("sweepbridge.api", "sweepbridge.backends", "sweepbridge.frontends", "sweepbridge.validation")
TRANSLATOR += ("sweepbridge.compat", "sweepbridge.tune.translate", "sweepbridge.tune.command", "sweepbridge.sources")


def test_the_trial_runtimes_own_imports_reach_no_translator_module():
    """What runtime.trial imports itself, with sweepbridge.tune's package __init__ (which re-exports the
    whole mirror) left out: the trial must not need a translator module for its own work."""
    code = (
        "import pathlib, sys, types, sweepbridge\n"
        "tune = types.ModuleType('sweepbridge.tune')\n"
        "tune.__path__ = [str(pathlib.Path(sweepbridge.__file__).parent / 'tune')]\n"
        "sys.modules['sweepbridge.tune'] = tune\n"
        "import sweepbridge.runtime.trial\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('sweepbridge'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.split()
    assert "sweepbridge.trial_command" in loaded and "sweepbridge.runtime.trial" in loaded
    assert not [m for m in loaded if m.startswith(TRANSLATOR)], loaded


@pytest.mark.parametrize("bad", [{"cpu": -1}, {"gpu": "1"}, {"cpu": True}, [1]])
def test_a_malformed_resource_request_is_a_spec_error(bad):
    with pytest.raises(SpecError):
        TrialCommand("train.py", "f", resources=bad)
