"""Mirror of `tune.with_parameters` and `tune.with_resources`.

`with_parameters(trainable, **objects)` gives the trainable the objects as keyword arguments (a
function's, or the class's `setup(config, **objects)`), as Ray's does; the translation imports the
trainable by name and pickles the objects for the trials (see tune.command.unwrap_ray).
`with_resources(trainable, resources)` records Ray's resource request (a dict such as
{"cpu": 2, "gpu": 1}, or a PlacementGroupFactory); the translation writes it into the trial command
(`--resources`), and sweepbridge's runner honours cpu and gpu (see docs/resources.md).
"""

from __future__ import annotations

from typing import Any


class WithParameters:
    """A trainable with objects bound to it (what `with_parameters` returns)."""

    def __init__(self, trainable: Any, parameters: dict[str, Any]) -> None:
        self.trainable, self.parameters = trainable, dict(parameters)
        self.__name__ = getattr(trainable, "__name__", "with_parameters")

    def __call__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return self.trainable(config, *args, **{**self.parameters, **kwargs})


def with_parameters(trainable: Any, **kwargs: Any) -> WithParameters:
    return WithParameters(trainable, kwargs)


def with_resources(trainable: Any, resources: Any) -> Any:
    try:
        trainable._resources = resources
    except AttributeError:
        pass
    return trainable
