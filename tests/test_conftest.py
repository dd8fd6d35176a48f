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


def test_the_serial_run_names_every_module_holding_a_serial_test():
    """CI's second pytest run (README's test command, .ci/run) collects only the modules it names: collecting
    the whole suite for its few tests took ~10 s. A serial test in another module would run in neither run."""
    from pathlib import Path

    here = Path(__file__)
    marked = {p.name for p in here.parent.glob("test_*.py") if p != here and "pytest.mark.serial" in p.read_text()}
    assert marked
    for path in (here.parent.parent / "README.md", here.parent.parent / ".ci" / "run"):
        (command,) = [line for line in path.read_text().splitlines() if "pytest -q -m serial" in line]
        named = {Path(word).name for word in command.split("-m serial", 1)[1].split() if word.endswith(".py")}
        assert named == marked, f"{path.name}: the serial run names {sorted(named)}, not {sorted(marked)}"
