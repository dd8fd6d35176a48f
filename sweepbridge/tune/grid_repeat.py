"""The grid's repetition axis: the one name the translator and the trial runtime share (kept light)."""

from __future__ import annotations

REPEAT_AXIS = "_tune_repeat"
"""Grid axis added for num_samples > 1 on a grid: the repetition index, seen by the program."""
