"""Optional libraries: a test that needs one skips where it is not installed (the fast tier runs with the
runtime dependencies, pytest and hypothesis alone)."""

from __future__ import annotations

import importlib.util

import pytest


def installed(module: str) -> bool:
    """Whether top-level `module` can be imported (found, not imported)."""
    return importlib.util.find_spec(module) is not None


def needs(*modules: str) -> pytest.MarkDecorator:
    """Skip the test (or module, as `pytestmark`) unless every top-level module named is installed."""
    missing = [m for m in modules if not installed(m)]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}, which is not installed")
