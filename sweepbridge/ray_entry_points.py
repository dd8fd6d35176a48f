"""Ray's entry points replaced while a user's script runs or is imported: `ray.init` and the like, and
the experiment calls (`Tuner.fit`, `tune.run`, `tune.run_experiments`, in `ray.tune` and `ray.tune.tune`).

One helper for the two places that need it: `sweepbridge run/convert script.py` (script_run: the
experiment runs here) and the trial runtime importing the script (runtime/loading.py: the import
stops at the experiment). Ray is not imported for this: wandb's post-import hooks patch Ray when
the script imports it (at once when it is imported already); without wandb (convert needs none),
Ray is patched at once if it is installed. Everything is restored when the block ends. Light: it
imports nothing of sweepbridge, so the trial runtime may use it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any

CALLS = ("Tuner.fit", "tune.run", "tune.run_experiments")
"""The experiment calls replaced, by the name `experiments` receives."""

_ids = itertools.count()


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def replaced(experiments: Callable[[str], Callable[..., Any]], *, no_op: tuple[str, ...] = ("init",)) -> Iterator[None]:
    """While the block runs: the functions `no_op` of the `ray` module do nothing, and each experiment
    call of `CALLS` is `experiments(name)` (for Tuner.fit, a method: it receives the Tuner)."""
    restore: list[tuple[Any, str, Any]] = []

    def swap(owner: Any, name: str, value: Any) -> None:
        if hasattr(owner, name):
            restore.append((owner, name, getattr(owner, name)))
            setattr(owner, name, value)

    def patch_ray(ray: ModuleType) -> None:
        for name in no_op:
            swap(ray, name, _nothing)

    def patch_tune(tune: ModuleType) -> None:
        import ray.tune.tune as tune_module
        from ray.tune.tuner import Tuner

        swap(Tuner, "fit", experiments("Tuner.fit"))
        for owner in (tune, tune_module):
            swap(owner, "run", experiments("tune.run"))
            swap(owner, "run_experiments", experiments("tune.run_experiments"))

    hooks: Mapping[str, Callable[[ModuleType], None]] = {"ray": patch_ray, "ray.tune": patch_tune}
    hook_id = f"sweepbridge-ray-entry-points-{next(_ids)}"
    try:
        from wandb.sdk.lib import import_hooks
    except ImportError:
        import_hooks = None
    try:
        if import_hooks is not None:
            for module, hook in hooks.items():
                import_hooks.register_post_import_hook(hook, hook_id, module)
        elif importlib.util.find_spec("ray") is not None:
            import ray
            import ray.tune

            patch_ray(ray)
            patch_tune(ray.tune)
        yield
    finally:
        if import_hooks is not None:
            for module in hooks:
                import_hooks.unregister_post_import_hook(module, hook_id)
        for owner, name, value in reversed(restore):
            setattr(owner, name, value)
