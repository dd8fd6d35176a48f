"""values.python_value: the one unwrapping of numpy scalars, and the places that rely on it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge.values import plain, python_value

np = pytest.importorskip("numpy")

NUMERIC = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
NUMERIC += [np.float16, np.float32, np.float64, np.complex64, np.complex128]  # longdouble.item() stays numpy


@pytest.mark.parametrize("kind", NUMERIC, ids=lambda k: k.__name__)
@given(x=st.integers(0, 100))
def test_every_numpy_scalar_becomes_the_python_value_item_gives(kind, x):
    value = kind(x)
    out = python_value(value)
    assert type(out) is type(value.item()) and out == value.item()
    assert type(out).__module__ == "builtins"
    assert python_value(np.array(value)) == out  # a 0-d array is a scalar too


@pytest.mark.parametrize("value", [np.str_("relu"), np.bytes_(b"x"), np.datetime64("2020-01-01")])
def test_non_numeric_scalars_too(value):
    out = python_value(value)
    assert out == value.item() and type(out) is type(value.item()) and type(out).__module__ in ("builtins", "datetime")


@pytest.mark.parametrize("value", [np.array([5]), np.array([1, 2]), [np.int64(1)], 3, "a", None, 1.5, object()])
def test_anything_else_is_returned_unchanged(value):
    assert python_value(value) is value


def test_it_never_imports_numpy():
    code = "import sys; from sweepbridge.values import python_value; print(python_value(3), 'numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["3", "False"]


def test_the_places_that_unwrap_agree():
    from sweepbridge import preview, stats
    from sweepbridge.runner import engine

    config = {"i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "s": np.str_("x"), "l": [np.int8(2)]}
    expected = {"i": 3, "f": 0.5, "b": True, "s": "x", "l": [2]}
    for out in (plain(config), stats.normalise(config), engine.plain(config)):
        assert out == expected and [type(v) for v in out.values()] == [int, float, bool, str, list]
    assert [preview._item(v) for v in (np.int64(3), np.float32(0.5))] == [3, 0.5]
    with pytest.raises(TypeError, match="not a JSON value"):
        preview._item(object())
    assert engine.plain({"o": np.array([1, 2])}) == {"o": "[1 2]"}  # not a scalar: its text
