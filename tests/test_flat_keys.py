"""flat_keys.nest against Ray's own unflatten_dict, on arbitrary flat names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge.tune import flat_keys

pytest.importorskip("ray")
from ray.tune.utils.util import unflatten_dict  # noqa: E402

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
