"""Exceptions and warnings raised by sweepbridge."""

from __future__ import annotations


class SweepBridgeError(ValueError):
    """Base class of every error sweepbridge raises on bad or untranslatable input."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.message = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)

    def at(self, path: str) -> SweepBridgeError:
        """Return this error located at parameter `path` (kept if already located)."""
        if self.path or not path:
            return self
        clone = self._clone(path)
        clone.__cause__ = self.__cause__
        return clone

    def _clone(self, path: str) -> SweepBridgeError:
        return type(self)(self.message, path=path)


class SpecError(SweepBridgeError):
    """The input is not a valid search specification."""


class UnsupportedFeatureError(SweepBridgeError):
    """Valid input that W&B (or the chosen target) cannot express exactly.

    `feature` names the compat-table row, `status` its fidelity, `suggestion` what to do instead.
    """

    def __init__(
        self,
        message: str,
        *,
        feature: str,
        status: str = "unsupported",
        suggestion: str = "",
        path: str | None = None,
    ) -> None:
        self.feature = feature
        self.status = status
        self.suggestion = suggestion
        full = message if not suggestion else f"{message} Instead: {suggestion}"
        super().__init__(full, path=path)
        self.message = message

    def _clone(self, path: str) -> UnsupportedFeatureError:
        return type(self)(
            self.message,
            feature=self.feature,
            status=self.status,
            suggestion=self.suggestion,
            path=path,
        )


class ApproximationWarning(UserWarning):
    """A translation whose behaviour is equivalent, not identical, to the source."""
