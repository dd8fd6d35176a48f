"""The part of hyperopt's `pyll.scope` spaces use on expressions: `scope.int(...)`, `scope.float(...)`.

Both build the same node the walker builds from real hyperopt's `scope.int(hp.quniform(...))`
(the shared rules live in `sweepbridge.arithmetic`); anything else is refused when translated.
"""

from __future__ import annotations

from typing import Any

from ..frontends.expression import Expression, apply


def int(x: Any) -> Expression:  # noqa: A001 - hyperopt's name
    """int(x): an int-valued expression (e.g. scope.int(hp.quniform(label, 0, 10, 2)))."""
    return apply("int", x)


def float(x: Any) -> Expression:  # noqa: A001 - hyperopt's name
    return apply("float", x)
