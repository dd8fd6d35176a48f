"""Import the user's trainable (and stop callables) by name, without starting the experiment again."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import SpecError

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


class _RayStart(TrialImportError):
    pass


@contextlib.contextmanager
def _no_ray_start(program: str) -> Iterator[None]:
    """While the module is imported, `ray.init()` (which ray.tune.run / Tuner.fit call) fails fast.

    Ray is not imported for this: a post-import hook (wandb's own mechanism) guards `ray.init` if
    the module imports Ray; the original function is back once the import is over.
    """
    from wandb.sdk.lib import import_hooks

    swapped: list[tuple[Any, Any]] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise _RayStart(GUARD_ADVICE.format(program=program, what="starts Ray (ray.init, Tuner.fit or tune.run)"))

    def guard(ray: ModuleType) -> None:
        swapped.append((ray, ray.init))
        ray.init = refuse

    import_hooks.register_post_import_hook(guard, "sweepbridge-trial-guard", "ray")
    try:
        yield
    finally:
        import_hooks.unregister_post_import_hook("ray", "sweepbridge-trial-guard")
        for ray, init in swapped:
            ray.init = init
