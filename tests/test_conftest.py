"""The suite's own machinery (tests/conftest.py and the pinned test tools) works as CI relies on it."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("grouping_check")
def test_loadgroup_keeps_a_group_in_one_worker(request):
    """Under `--dist loadgroup`, pytest-xdist groups tests by a suffix it gives their node ids; pytest 9.2 ignores
    that suffix (pyproject pins pytest<9.2), and every group (draws, process pools built once per module) was
    then split over the workers and built once per worker, silently."""
    if not request.config.getoption("loadgroup", False):
        pytest.skip("not run by a pytest-xdist worker under --dist loadgroup")
    assert request.node.nodeid.endswith("@grouping_check"), f"{request.node.nodeid}: this pytest-xdist cannot group"
