"""flat_keys.nest and flat_keys.flatten against Ray's own unflatten_dict and flatten_dict, on arbitrary names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge.tune import flat_keys

pytest.importorskip("ray")
from ray.tune.utils.util import flatten_dict, unflatten_dict  # noqa: E402

names = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3).map("/".join)


@given(st.dictionaries(names, st.integers(), max_size=6))
def test_nest_is_rays_unflatten_or_refuses_where_ray_fails_or_overwrites(flat):
    try:
        ours = flat_keys.nest(flat.items())
    except flat_keys.KeyClash as clash:
        assert clash.key in flat
        try:
            theirs = unflatten_dict(dict(flat))
        except TypeError:
            return  # Ray fails too: a name under a value
        # Ray succeeded: only by overwriting a dict with a value (a name given twice), which we refuse
        leaves = sum(1 for _ in _leaves(theirs))
        assert leaves < len(flat), "refused although Ray kept every value"
        return
    assert ours == unflatten_dict(dict(flat))


def _leaves(tree):
    for value in tree.values():
        if isinstance(value, dict):
            yield from _leaves(value)
        else:
            yield value


def test_clashes_name_the_key():
    with pytest.raises(flat_keys.KeyClash) as info:
        flat_keys.nest([("a", 1), ("a/b", 2)])
    assert info.value.key == "a/b"
    with pytest.raises(flat_keys.KeyClash):
        flat_keys.nest([("a/b", 2), ("a", 1)])  # Ray replaces {"b": 2} by 1 silently
    assert flat_keys.nest([("a/b", 1), ("a/c", 2), (3, "x")]) == {"a": {"b": 1, "c": 2}, 3: "x"}


keys = st.sampled_from(["a", "b", "c", "a/b", "b/c", ""])
trees = st.recursive(
    st.integers() | st.lists(st.integers(), max_size=2),
    lambda inner: st.dictionaries(keys, inner, max_size=4),
    max_leaves=10,
).filter(lambda t: isinstance(t, dict))


@given(trees, st.sampled_from(["/", "."]))
def test_flatten_is_rays_flatten_dict_key_for_key_in_order(tree, delimiter):
    """Collisions ("a/b" given flat and nested), empty dicts and the order of the names included."""
    before = repr(tree)
    ours = flat_keys.flatten(tree, delimiter)
    assert list(ours.items()) == list(flatten_dict(tree, delimiter).items())
    assert repr(tree) == before  # the input is left as it was


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.dictionaries(st.sampled_from(["x", "y"]), st.integers())))
def test_nest_undoes_flatten(tree):
    """Without "/" in names and without empty dicts, nesting the flat names gives the tree back."""
    tree = {k: v for k, v in tree.items() if v != {}}
    assert flat_keys.nest(flat_keys.flatten(tree).items()) == tree


def test_keep_empty_keeps_an_empty_dict_as_a_value():
    tree = {"a": {}, "b": {"c": {}, "d": 1}}
    assert flat_keys.flatten(tree, ".", keep_empty=True) == {"a": {}, "b.c": {}, "b.d": 1}
    assert flat_keys.flatten(tree) == {"b/d": 1}
