"""Where an experiment call goes (a light translator-level module: it runs nothing itself).

While `sweepbridge run/convert` runs a script (sweepbridge.script_run), `Tuner.fit`, `tune.run` and
`tune.run_experiments` go to the active driver. Otherwise `Tuner.fit()` goes to the fit installed by
the package's entry point (`sweepbridge/__init__.py` installs `sweepbridge.experiment.fit`, which runs
the experiment with the runner): the translator never imports the runner, the entry point wires them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SpecError

_driver: Any = None
"""While `sweepbridge run/convert` runs a script: what its experiment call does (script_run.Driver)."""


@contextlib.contextmanager
def driving(driver: Any) -> Iterator[None]:
    """Route experiment calls (Tuner.fit, tune.run, run_experiments) to `driver` while the block runs."""
    global _driver
    previous, _driver = _driver, driver
    try:
        yield
    finally:
        _driver = previous


def current_driver() -> Any:
    return _driver


@dataclass
class RunCall:
    """A `tune.run(trainable, **keywords)` call as an experiment (what `fit` needs of a Tuner)."""

    trainable: Any
    keywords: dict[str, Any]
    analysis: bool = True
    """Return Ray's ExperimentAnalysis API (tune.run) rather than a ResultGrid."""
    engine: str | None = None
    allow_approximate: bool = False

    def __post_init__(self) -> None:
        self.keywords = dict(self.keywords)
        self.engine = self.keywords.pop("engine", self.engine)
        self.allow_approximate = self.keywords.pop("allow_approximate", self.allow_approximate)

    @property
    def param_space(self) -> Any:
        return self.keywords.get("config")

    def metric_mode(self) -> tuple[str | None, str | None]:
        return self.keywords.get("metric"), self.keywords.get("mode")

    def to_sweep(self) -> Any:
        from .. import engine_choice
        from .translate import translate

        keywords = {**self.keywords, "allow_approximate": self.allow_approximate}
        return engine_choice.build(lambda chosen: translate(self.trainable, **keywords, engine=chosen), self.engine)


def experiment_specs(experiments: Any) -> dict[str, dict[str, Any]]:
    """tune.run_experiments' argument (a dict name → spec, an Experiment, or a list of them) as specs."""
    items = experiments if isinstance(experiments, (list, tuple)) else [experiments]
    specs: dict[str, dict[str, Any]] = {}
    for item in items:
        if isinstance(item, Mapping):
            for name, spec in item.items():
                if not isinstance(spec, Mapping):
                    raise SpecError(f"run_experiments: experiment {name!r} must be a dict spec, got {spec!r}.")
                specs[str(name)] = dict(spec)
        elif hasattr(item, "spec") and hasattr(item, "name"):  # ray.tune.Experiment
            spec = dict(item.spec)
            spec.setdefault("run", getattr(item, "_run_identifier", None) or spec.get("run"))
            specs[str(item.name)] = spec
        else:
            raise SpecError(f"run_experiments takes dicts of specs or Experiments, got {type(item).__name__}.")
    return specs


_fit: Callable[[Any], Any] | None = None
"""`Tuner.fit()` outside a script run: installed by the entry point (`install_fit`)."""


def install_fit(fit: Callable[[Any], Any]) -> None:
    global _fit
    _fit = fit


def run_fit(tuner: Any) -> Any:
    """`tuner.fit()` from plain Python: the installed fit (the runner), else SpecError."""
    if _fit is None:
        raise SpecError("Tuner.fit() needs sweepbridge's runner: import sweepbridge (`from sweepbridge import tune`).")
    return _fit(tuner)
