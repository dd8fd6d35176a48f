"""Compat rows: tune (filled by its front-end issue)."""

from ..compat_row import CompatRow as _R  # noqa: F401

ROWS: tuple = ()
