"""Run the installed `sweepbridge` console script in a subprocess (test helper)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def script() -> list[str]:
    """The console script next to this interpreter (where pip installs it), else `python -m sweepbridge`."""
    here = Path(sys.executable).parent / "sweepbridge"
    if here.is_file():
        return [str(here)]
    found = shutil.which("sweepbridge", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "sweepbridge"]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def run(*args: str, cwd: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Result:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTHONWARNINGS", None)
    proc = subprocess.run(
        [*script(), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
