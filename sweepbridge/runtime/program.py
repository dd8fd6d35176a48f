"""`python -m sweepbridge.runtime.program PROGRAM ARGS...`: run a W&B program without sweepbridge's own flags.

A grid with `num_samples > 1` carries the repetition index as the sweep parameter `_tune_repeat`
(W&B's grid runs each point once; the index makes the repetitions distinct points). W&B's `${args}`
passes every parameter as a flag, and a program that parses its flags (argparse) would stop on
`--_tune_repeat=N`, a flag it never declared. The sweep's command therefore starts the program
through this module, which drops that flag and then replaces itself with `python PROGRAM ARGS...`:
the program runs exactly as `${interpreter} ${program} ${args}` would start it, same process, same
environment; `wandb.config` still holds the index (W&B records it with the run).
"""

from __future__ import annotations

import os
import sys

HIDDEN = ("_tune_repeat",)
"""Sweep parameters sweepbridge adds that the program did not declare."""


def visible(args: list[str]) -> list[str]:
    """`args` without the flags of HIDDEN parameters (`--name=value`, or `--name value` pairs)."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        name = arg[2:].split("=", 1)[0] if arg.startswith("--") else None
        if name in HIDDEN:
            skip = "=" not in arg
            continue
        out.append(arg)
    return out


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m sweepbridge.runtime.program PROGRAM [ARGS...]")
    program, *args = argv
    os.execv(sys.executable, [sys.executable, program, *visible(args)])


if __name__ == "__main__":
    main(sys.argv[1:])
