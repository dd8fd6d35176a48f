"""The arguments of `sweepbridge trial` (a light module: the CLI's parser imports it)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("program", metavar="PROGRAM", help="the .py file or dotted module defining the trainable")
    parser.add_argument("--trainable", required=True, metavar="NAME", help="the function or Trainable class")
    parser.add_argument("--metric", metavar="NAME", help="the sweep metric (warned when never reported)")
    parser.add_argument("--stop", metavar="JSON", type=_json, help="stop criteria (as tune.run emits them)")
    parser.add_argument("--wandb", metavar="JSON", type=_json, help="the config['wandb'] block (no secrets)")
    parser.add_argument(
        "--parameters", metavar="FILE", help="tune.with_parameters' objects (a pickle), passed as keyword arguments"
    )


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
