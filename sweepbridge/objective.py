"""The optimisation direction in both vocabularies: W&B's `goal` and Ray Tune's / Optuna's `mode`."""

from __future__ import annotations

GOAL_OF_MODE = {"min": "minimize", "max": "maximize"}
"""Ray Tune's `mode` → W&B's `metric.goal`."""
MODE_OF_GOAL = {goal: mode for mode, goal in GOAL_OF_MODE.items()}
"""W&B's `metric.goal` → Ray Tune's `mode`."""
GOALS = tuple(GOAL_OF_MODE.values())
