"""sweepbridge.runtime.pbt in-process: the `_pbt` block read and checked, checkpoints published to and
fetched from the storage (a directory, or a file:// URI through pyarrow's filesystems), a missing or
unreadable donor checkpoint refused naming its path. End to end runs: tests/test_runtime_pbt.py."""

from __future__ import annotations

import json

import pytest

from sweepbridge.errors import SpecError
from sweepbridge.runtime.checkpoints import MARKER, Store, class_restore_argument
from sweepbridge.runtime.config import ray_config
from sweepbridge.runtime.pbt import DonorCheckpointError, Hold, Lineage, PbtConfigError


def _block(storage, generation=1, donor="pbt_00001/0003", iteration=4, trial="pbt_00000"):
    return {"_pbt": {"trial": trial, "generation": generation, "parent": f"{trial}/0000", "donor": donor,
                     "iteration": iteration, "storage": str(storage)}}  # fmt: skip


def _checkpoint(tmp_path, iteration, payload="weights", time_total=6.0):
    """A checkpoint kept the way the trial keeps one (the run directory's Store), marker included."""
    source = tmp_path / "reported"
    source.mkdir(exist_ok=True)
    (source / "state.bin").write_text(payload)
    (source / "sub").mkdir(exist_ok=True)
    (source / "sub" / "more.txt").write_text(payload * 2)
    return Store(tmp_path / "run-dir" / "files", "abc").keep(str(source), iteration, time_total)


@pytest.fixture(params=["dir", "uri"])
def storage(request, tmp_path):
    root = tmp_path / "storage"
    if request.param == "uri":
        pytest.importorskip("pyarrow")
        return root, f"file://{root}"
    return root, str(root)


def test_published_checkpoint_comes_back_whole_for_the_continuation(tmp_path, storage):
    root, where = storage
    donor = Lineage.from_config(_block(where, generation=3, trial="pbt_00001", donor="pbt_00002/0000", iteration=1))
    kept = _checkpoint(tmp_path, 4)
    target = donor.publish(kept, 4)
    assert target.endswith("pbt_00001/0003/checkpoint_000004")
    published = root / "pbt_00001" / "0003" / "checkpoint_000004"
    assert sorted(p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()) == [
        MARKER,
        "state.bin",
        "sub/more.txt",
    ]
    assert not [p for p in published.parent.iterdir() if p.name.startswith(".")]  # no partial copy left
    _checkpoint(tmp_path, 4, payload="newer")
    donor.publish(kept, 4)  # published again (a resumed run): replaced
    assert (published / "state.bin").read_text() == "newer"

    continuation = Lineage.from_config(_block(where, donor="pbt_00001/0003", iteration=4))
    local, info = continuation.fetch_donor(tmp_path / "scratch")
    assert (local / "sub" / "more.txt").read_text() == "newernewer"
    assert info["training_iteration"] == 4 and info["time_total_s"] == 6.0


def test_missing_or_unreadable_donor_is_refused_naming_the_path(tmp_path, storage):
    root, where = storage
    continuation = Lineage.from_config(_block(where, donor="pbt_00001/0003", iteration=4))
    path = f"{where}/pbt_00001/0003/checkpoint_000004"
    with pytest.raises(DonorCheckpointError, match="does not exist") as missing:
        continuation.fetch_donor(tmp_path / "scratch")
    assert path in str(missing.value) and "pbt_00001/0003" in str(missing.value)
    broken = root / "pbt_00001" / "0003" / "checkpoint_000004"
    broken.mkdir(parents=True)
    with pytest.raises(DonorCheckpointError, match="cannot be read") as unreadable:  # no marker: half a copy
        continuation.fetch_donor(tmp_path / "scratch")
    assert path in str(unreadable.value)
    (broken / MARKER).write_text(json.dumps({"training_iteration": 3}))
    with pytest.raises(DonorCheckpointError, match="does not record training_iteration 4"):
        continuation.fetch_donor(tmp_path / "scratch")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"_pbt": "pbt_00000"}, "must be a mapping"),
        ({"_pbt": {"trial": "a/b", "generation": 0, "storage": "/s"}}, "'trial'"),
        ({"_pbt": {"trial": "t", "generation": -1, "storage": "/s"}}, "'generation'"),
        ({"_pbt": {"trial": "t", "generation": True, "storage": "/s"}}, "'generation'"),
        ({"_pbt": {"trial": "t", "generation": 0, "storage": ""}}, "'storage'"),
        ({"_pbt": {"trial": "t", "generation": 2, "storage": "/s", "donor": "t", "iteration": 1}}, "'donor'"),
        ({"_pbt": {"trial": "t", "generation": 2, "storage": "/s", "donor": "t/1", "iteration": None}}, "'iteration'"),
        ({"_pbt": {"trial": "t", "generation": 2, "storage": "/s", "donor": None, "iteration": 3}}, "'donor'"),
        ({"_pbt": {"trial": "t", "generation": 0, "storage": "/s", "hold": "3"}}, "'hold'"),
        ({"_pbt": {"trial": "t", "generation": 0, "storage": "/s", "time_attr": "timesteps_total"}}, "'time_attr'"),
    ],
)  # fmt: skip
def test_a_malformed_block_is_a_readable_error(block, message):
    with pytest.raises(PbtConfigError, match=message) as raised:
        Lineage.from_config(block)
    assert isinstance(raised.value, SpecError) and "_pbt" in str(raised.value)


def test_plain_runs_have_no_lineage_and_the_trainable_never_sees_it(tmp_path):
    assert Lineage.from_config({"lr": 0.1}) is None
    first = Lineage.from_config(_block("~/ckpt", generation=0, donor=None, iteration=None))
    assert (first.donor, first.iteration, first.tags()) == (None, None, ["pbt", "generation:0"])
    assert not first.published(3).startswith("~") and first.published(3).endswith("pbt_00000/0000/checkpoint_000003")
    assert ray_config({"lr": 0.1, **_block("/s")}, None) == {"lr": 0.1}


def test_a_later_generation_naming_no_donor_starts_afresh():
    """A trial whose earlier run published nothing, continued after a restarted scheduler rebuilt the population."""
    fresh = Lineage.from_config(_block("/s", generation=2, donor=None, iteration=None))
    assert (fresh.generation, fresh.donor, fresh.iteration, fresh.run_name) == (2, None, None, "pbt_00000/0002")


def test_a_path_returned_by_save_resolves_inside_the_checkpoint_wherever_it_is_copied(tmp_path):
    class Legacy:
        def save_checkpoint(self, directory):
            path = f"{directory}/model.pt"
            open(path, "w").write("m")
            return path

    kept = Store(tmp_path / "run" / "files", "r1").save_class(Legacy(), 2, 3.0)
    info = json.loads((kept / MARKER).read_text())
    assert info == {"training_iteration": 2, "returned": "model.pt", "time_total_s": 3.0}
    moved = tmp_path / "elsewhere"
    kept.rename(moved)
    assert class_restore_argument(moved, info["returned"]) == str(moved / "model.pt")
    assert class_restore_argument(moved, "/abs/kept/as/is") == "/abs/kept/as/is"


@pytest.mark.parametrize("time_attr", ["training_iteration", "time_total_s"])
def test_a_run_holds_where_the_scheduler_judges_and_follows_its_decisions(storage, time_attr):
    """training_iteration: every result from `hold` on is judged; time_total_s: a result whose checkpoint was
    published, from `hold` seconds on. Decisions chain the holds; a stop names why; release.json ends them."""
    root, uri = storage
    block = {"trial": "pbt_00002", "generation": 1, "donor": "pbt_00001/0000", "iteration": 2, "storage": uri,
             "hold": 4 if time_attr == "training_iteration" else 6.0, "time_attr": time_attr}  # fmt: skip
    hold = Hold(Lineage.from_config({"_pbt": block}), timeout=0)
    result = {"training_iteration": 4, "time_total_s": 6.0}
    assert not hold.due({"training_iteration": 3, "time_total_s": 4.5}, True)
    assert hold.due(result, published=False) == (time_attr == "training_iteration")
    assert hold.due(result, published=True) and hold.step == 4
    assert hold.check() == (False, None)  # no decision yet: it waits
    folder = root / "pbt_00002" / "0001"
    folder.mkdir(parents=True)
    (folder / "decision_000004.json").write_text(json.dumps({"action": "continue", "hold": 7}))
    assert hold.check() == (True, None) and hold.at == 7
    assert hold.due({"training_iteration": 7, "time_total_s": 10.5}, True) and hold.step == 7
    assert hold.wait(lambda: False) is None and hold.at is None  # unanswered: trains on without holds
    hold = Hold(Lineage.from_config({"_pbt": {**block, "hold": 7}}), timeout=0)
    assert hold.due({"training_iteration": 7, "time_total_s": 10.5}, True)
    (folder / "decision_000007.json").write_text(json.dumps({"action": "stop", "why": "pause"}))
    assert hold.wait(lambda: False) == "pause"
    hold = Hold(Lineage.from_config({"_pbt": {**block, "hold": 8}}), timeout=60)
    assert hold.due({"training_iteration": 9, "time_total_s": 12.0}, True)
    (folder / "release.json").write_text(json.dumps({"action": "release"}))
    assert hold.wait(lambda: False) is None and hold.at is None
    assert not hold.due({"training_iteration": 10, "time_total_s": 13.5}, True)
