"""The trial command: how a sweep's `command` starts sweepbridge's trial runtime, written and read here only.

A Ray Tune trainable (function or Trainable class) becomes the sweep's `program` (the .py file or
dotted module holding it) and this `command`, which starts `sweepbridge trial`:

    [${env}, ${interpreter}, -m, sweepbridge, trial, ${program}, --trainable, NAME,
     (--metric, METRIC), (--stop, JSON), (--wandb, JSON), (--parameters, FILE), (--resources, JSON)]

The W&B agent expands whole-element macros only (${interpreter} is the literal `python`, ${program}
the sweep's `program`), so every other element reaches the trial verbatim. `stop` is carried here,
never as a sweep parameter (wandb.config holds exactly the parameters).

`TrialCommand.command()` writes it (the translator); `TrialCommand.add_arguments` is the one argparse
definition of its arguments (the CLI's `trial` command); `TrialCommand.parse` reads the arguments
and `TrialCommand.in_sweep` a sweep's command (the runner's check before the first trial). Light:
the trial runtime imports it, so it imports nothing beyond the standard library and `errors`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import SpecError

COMMAND_HEAD = ("${env}", "${interpreter}", "-m", "sweepbridge", "trial", "${program}")
"""The start of every trial command; `${program}` is the file or dotted module holding the trainable."""

PROGRAM_COMMAND = ("${env}", "${interpreter}", "-m", "sweepbridge.runtime.program", "${program}", "${args}")
"""W&B's default command, with the program started through sweepbridge.runtime.program, which drops
the flags of parameters sweepbridge adds (the grid's repetition index) before the program parses its own."""

WANDB_SECRETS = ("api_key", "api_key_file")
"""Keys of config["wandb"] that must never reach a sweep config, a file or a log."""

CONFIG_KEYS = "_config_keys"
"""In the trial's --wandb block: the keys the user's config["wandb"] held (what the trainable gets back as
config["wandb"]), when the block also holds settings from a callback or setup_wandb (absent: all of them)."""

REPEAT_AXIS = "_tune_repeat"
"""The sweep parameter numbering a grid point's repetitions (num_samples > 1 on a grid); the trial
removes it from the config the trainable receives (Ray's config has no such key)."""

PBT_KEY = "_pbt"
"""The sweep config key a Population Based Training sweep's runs carry beside the trainable's parameters:
a dict naming the PBT trial (a chain of runs), the run's generation, its parent run and the donor run and
training_iteration whose checkpoint it continues from, and the checkpoint storage (docs/pbt.md). The trial
runtime removes it from the config the trainable receives (Ray's config has no such key)."""
PBT_TIME_ATTRS = ("training_iteration", "time_total_s")
"""The time_attr values a PBT sweep runs with: the iteration (every result judged), or the run's time_total_s
(judged at the iterations that keep a checkpoint: its marker records the time)."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises SpecError instead of exiting (for commands read from a sweep config)."""

    def error(self, message: str) -> Any:
        raise SpecError(f"the trial command is malformed: {message}.")


@dataclass(frozen=True)
class TrialCommand:
    """The trial runtime's arguments: what `sweepbridge trial` receives after the agent expands the
    sweep's command. `stop` and `wandb` are JSON objects (dicts) or None; `wandb` never holds secrets."""

    program: str
    """The .py file or dotted module defining the trainable."""
    trainable: str
    """The function or Trainable class, by its (qualified) name in `program`."""
    metric: str | None = None
    """The sweep metric (the trial warns when the trainable never reports it)."""
    stop: dict[str, Any] | None = None
    """Stop criteria as data (`sweepbridge.tune.command.stop_spec`)."""
    wandb: dict[str, Any] | None = None
    """The config["wandb"] block (wandb.init settings, excludes, log_config, upload_checkpoints)."""
    parameters: str | None = None
    """A pickle of tune.with_parameters' objects, passed to the trainable as keyword arguments."""
    resources: dict[str, float] | None = None
    """What tune.with_resources asks per trial: `cpu`, `gpu`, `memory`, custom names → amounts. The
    trial ignores it; sweepbridge's runner honours cpu and gpu (runner/resources.py), W&B's agent none."""

    def __post_init__(self) -> None:
        for name in ("stop", "wandb", "resources"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dict):
                raise SpecError(f"--{name} must be a JSON object, got {type(value).__name__}.")
        for key, value in (self.resources or {}).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SpecError(f"--resources: {key!r} must be a number >= 0, got {value!r}.")
        if any(k in (self.wandb or {}) for k in WANDB_SECRETS):
            raise SpecError("--wandb must not hold api_key / api_key_file: use `wandb login` or WANDB_API_KEY.")

    def options(self) -> list[str]:
        """The arguments after the program."""
        out = ["--trainable", self.trainable]
        if self.metric is not None:  # a name starting with "-" would read as an option: attached with "="
            out += [f"--metric={self.metric}"] if self.metric.startswith("-") else ["--metric", self.metric]
        if self.stop is not None:
            out += ["--stop", json.dumps(self.stop, sort_keys=True)]
        if self.wandb:
            out += ["--wandb", json.dumps(self.wandb, sort_keys=True)]
        if self.parameters:
            out += ["--parameters", self.parameters]
        if self.resources:
            out += ["--resources", json.dumps(self.resources, sort_keys=True)]
        return out

    def command(self) -> list[str]:
        """The sweep's `command` (the program is the sweep's `program`, named by the `${program}` macro)."""
        return [*COMMAND_HEAD, *self.options()]

    def argv(self) -> list[str]:
        """The arguments of `sweepbridge trial`, as the agent passes them."""
        return [self.program, *self.options()]

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """The arguments of `sweepbridge trial` (the CLI's subcommand and `parse` share this definition)."""
        parser.add_argument("program", metavar="PROGRAM", help="the .py file or dotted module defining the trainable")
        parser.add_argument("--trainable", required=True, metavar="NAME", help="the function or Trainable class")
        parser.add_argument("--metric", metavar="NAME", help="the sweep metric (warned when never reported)")
        parser.add_argument("--stop", metavar="JSON", type=_json, help="stop criteria (as tune.run emits them)")
        parser.add_argument("--wandb", metavar="JSON", type=_json, help="the config['wandb'] block (no secrets)")
        parser.add_argument(
            "--parameters", metavar="FILE", help="tune.with_parameters' objects (a pickle), passed as keyword arguments"
        )
        parser.add_argument(
            "--resources", metavar="JSON", type=_json, help="tune.with_resources' request per trial (for the runner)"
        )

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TrialCommand:
        """The command from arguments parsed with `add_arguments`."""
        return cls(
            args.program,
            args.trainable,
            metric=args.metric,
            stop=args.stop,
            wandb=args.wandb,
            parameters=args.parameters,
            resources=getattr(args, "resources", None),
        )

    @classmethod
    def parse(cls, argv: Sequence[str]) -> TrialCommand:
        """The arguments of `sweepbridge trial` (`argv()`) → the command; SpecError when malformed."""
        parser = _Parser(prog="sweepbridge trial", add_help=False)
        cls.add_arguments(parser)
        return cls.from_args(parser.parse_args([str(a) for a in argv]))

    @classmethod
    def in_sweep(cls, sweep: Mapping[str, Any]) -> TrialCommand | None:
        """The trial command of a sweep config: None when its `command` does not start `sweepbridge trial`
        (a plain program); `${program}` is the sweep's `program`; other whole-element macros (${args}
        and the like, which the agent expands) are left out. SpecError when the arguments are malformed."""
        command = sweep.get("command")
        if not isinstance(command, list):
            return None
        chunks = [str(c) for c in command]
        start = next((i + 2 for i in range(len(chunks) - 1) if chunks[i : i + 2] == ["sweepbridge", "trial"]), None)
        if start is None:
            return None
        program = str(sweep.get("program") or "")
        argv = [program if c == "${program}" else c for c in chunks[start:]]
        if "${program}" in chunks[start:] and not program:
            raise SpecError("the trial command names ${program}, but the sweep has no `program`.")
        return cls.parse([c for c in argv if not (c.startswith("${") and c.endswith("}"))])


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
