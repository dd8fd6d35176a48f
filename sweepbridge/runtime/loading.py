"""Import the user's trainable (and stop callables) by name, without starting the experiment again."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import SpecError
from ..tune.session import ExperimentReached

MODULE_NAME = "__sweepbridge_trial__"
"""`__name__` of a script loaded for a trial: its `if __name__ == "__main__":` block does not run."""

GUARD_ADVICE = (
    "Importing {program} for a trial ran module-level code that {what}. Every trial imports the file "
    "that defines the trainable: put the experiment's start (tuner.fit(), tune.run(...), ray.init(), "
    'wandb.sweep(...), saving the sweep) under `if __name__ == "__main__":`.'
)


class TrialImportError(SpecError):
    """The trainable's module could not be imported for a trial."""


class Loader:
    """Loads programs (a .py path or a dotted module) once each and resolves names in them."""

    def __init__(self) -> None:
        self._files: dict[Path, ModuleType] = {}

    def module(self, program: str) -> ModuleType:
        if program.endswith(".py") or os.sep in program or Path(program).is_file():
            return self._file(Path(program))
        with _no_ray_start(program):
            try:
                return importlib.import_module(program)
            except ExperimentReached:  # the module stopped at its experiment: what it defined before is there
                return sys.modules[program]
            except TrialImportError:
                raise
            except ImportError as exc:
                raise TrialImportError(f"cannot import the module {program!r}: {exc}.") from exc
            except Exception as exc:
                what = f"raised {type(exc).__name__}: {exc}"
                raise TrialImportError(GUARD_ADVICE.format(program=program, what=what)) from exc

    def _file(self, path: Path) -> ModuleType:
        resolved = path.resolve()
        if resolved in self._files:
            return self._files[resolved]
        if not resolved.is_file():
            raise TrialImportError(f"{path} does not exist (run the agent from the directory the sweep was made in).")
        name = MODULE_NAME if not self._files else f"{MODULE_NAME}{len(self._files)}"
        spec = importlib.util.spec_from_file_location(name, resolved)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        sys.path.insert(0, str(resolved.parent))  # as when the script runs: its siblings import
        self._files[resolved] = module
        with _no_ray_start(str(path)):
            try:
                spec.loader.exec_module(module)  # type: ignore[union-attr]
            except ExperimentReached:  # the script stopped at its experiment: the trainable is defined
                pass
            except TrialImportError:
                raise
            except Exception as exc:
                what = f"raised {type(exc).__name__}: {exc}"
                raise TrialImportError(GUARD_ADVICE.format(program=path, what=what)) from exc
        return module

    def object(self, reference: str) -> Any:
        """`program:name` → the object (`name` may be dotted: Class.attr)."""
        program, _, name = reference.rpartition(":")
        return self.attribute(self.module(program), name, program)

    @staticmethod
    def attribute(module: ModuleType, name: str, program: str) -> Any:
        found: Any = module
        for part in name.split("."):
            try:
                found = getattr(found, part)
            except AttributeError:
                raise TrialImportError(f"{program} defines no {name!r}.") from None
        return found


def _no_ray_start(program: str) -> contextlib.AbstractContextManager[None]:
    """While the module is imported, no experiment starts: `ray.init()` does nothing, and an experiment
    call (Ray's Tuner.fit, tune.run, run_experiments; sweepbridge's Tuner.fit) ends the import there,
    keeping what the module defined before it (`ExperimentReached`). Ray is not imported for this
    (sweepbridge.ray_entry_points)."""
    from ..ray_entry_points import replaced

    def reached(what: str) -> Any:
        def stop(*args: Any, **kwargs: Any) -> None:
            raise ExperimentReached(what)

        return stop

    return replaced(reached)
