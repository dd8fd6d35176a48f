"""`sweepbridge run --mode online`: the unmodified wandb client logs to W&B's server (here the local
stub, tests/wandb_stub.py), the runs form a W&B sweep with a local controller, scheduled here."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from clirun import run
from wandb_stub import API_KEY, stub_server

from sweepbridge.errors import SpecError
from sweepbridge.runner import run_sweep

pytestmark = pytest.mark.slow  # end to end: online sweeps against the W&B stub

HERE = Path(__file__).resolve().parent
BIN = os.path.dirname(sys.executable)
RANDOM = {
    "program": "prog.py",
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"curve": {"min": 0.0, "max": 1.0}, "tag": {"values": ["a", "b"]}},
}


@pytest.fixture
def workdir(tmp_path, monkeypatch, wandb_env):
    """The test program in a scratch working directory; HOME and wandb's directories under it too."""
    shutil.copy(HERE / "run_program.py", tmp_path / "prog.py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([BIN, os.environ.get("PATH", "")]))
    monkeypatch.delenv("WANDB_DIR")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(home / "wandb-config"))
    monkeypatch.setenv("WANDB_CACHE_DIR", str(home / "wandb-cache"))
    return tmp_path


@pytest.fixture
def stub(workdir, monkeypatch):
    """The local stand-in for W&B's server, and the stub's fake key as the login."""
    import wandb

    with stub_server() as server:
        monkeypatch.setenv("WANDB_BASE_URL", server.url)
        monkeypatch.setenv("WANDB_API_KEY", API_KEY)
        yield server
        wandb.teardown()  # the runner's wandb session talked to this stub: none of it may outlive it


def files_holding_the_key(root: Path) -> list[str]:
    """Every file under `root` holding the API key, except the test program's own dump of its
    environment (records/, which a real program does not write)."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and "records" not in path.relative_to(root).parts:
            if API_KEY.encode() in path.read_bytes():
                found.append(str(path.relative_to(root)))
    return found


def sent_sweep(config: dict) -> dict:
    """What `wandb sweep --controller` sends for `config`: wandb's own filling, a local controller."""
    from wandb.apis.public.sweeps import _validate_config_and_fill_distribution

    return _validate_config_and_fill_distribution({**config, "controller": {"type": "local"}})


def test_online_runs_form_a_local_controller_sweep_on_the_server(stub, workdir):
    outcome = run_sweep(RANDOM, mode="online", count=3, project="proj1", out="out")
    (sweep,) = stub.sweeps.values()
    assert yaml.safe_load(sweep.config) == sent_sweep(RANDOM)
    assert sweep.project == "proj1" and outcome.sweep_id == sweep.name
    assert outcome.url == f"{stub.url}/{sweep.entity}/proj1/sweeps/{sweep.name}"
    assert outcome.sync_command() is None and outcome.prior_run_command() is None
    assert outcome.reason == "3 runs" and not sweep.updates and not outcome.online_ended  # count: it stays open
    runs = stub.online_runs
    assert [r.id for r in outcome.results] == list(runs) and len(runs) == 3
    for result in outcome.results:
        sent = runs[result.id]
        assert (sent.sweep, sent.project, sent.state) == (sweep.name, "proj1", "finished")
        assert sent.config == result.config  # W&B's engine's choice, as the client uploaded it
        assert len(sent.history) == result.history_rows == 4
        assert [row["_step"] for row in sent.history] == [0, 1, 2, 3]
        assert sent.history[-1]["loss"] == result.metric == result.config["curve"]
        assert sent.summary["loss"] == result.metric
    assert {u["path"].split("/v1/")[0] for u in stub.unknown} <= {"/sdk/otel"}  # only wandb's telemetry
    assert files_holding_the_key(workdir) == []


def test_in_process_function_online_and_the_local_controllers_end(stub, workdir):
    import wandb

    def train():
        run = wandb.init()
        for step in range(3):
            run.log({"loss": run.config["x"] + step}, step=step)

    cfg = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"x": {"values": [1, 2]}}}
    outcome = run_sweep(cfg, function=train, mode="online", project="proj2", out="out")
    assert outcome.reason == "the search space is exhausted" and outcome.online_ended
    runs = stub.online_runs
    assert sorted(r.config["x"] for r in runs.values()) == [1, 2]
    for result in outcome.results:
        sent = runs[result.id]
        assert (sent.sweep, sent.state, sent.config) == (outcome.sweep_id, "finished", result.config)
        assert [row["loss"] for row in sent.history] == [result.config["x"] + s for s in range(3)]
    # W&B's search has nothing left: wandb's local controller schedules an entry without args
    (sweep,) = stub.sweeps.values()
    (update,) = sweep.updates
    (entry,) = json.loads(update["controller"])["schedule"]
    assert entry["data"] == {"args": None} and update["id"] == sweep.obj_id
    assert yaml.safe_load(update["config"]) == sent_sweep(cfg)
    assert files_holding_the_key(workdir) == []


def test_cli_online_prints_the_sweep_url_not_wandb_sync(stub, workdir):
    (workdir / "sweep.yaml").write_text(yaml.safe_dump(RANDOM))
    done = run("run", "sweep.yaml", "--mode", "online", "--count", "2", "--out", "out", cwd=workdir)
    assert done.code == 0, done.err
    (sweep,) = stub.sweeps.values()
    assert f"{stub.url}/{sweep.entity}/{sweep.project}/sweeps/{sweep.name}" in done.out
    assert "wandb sync" not in done.out + done.err
    assert f"wandb sweep --stop {sweep.entity}/{sweep.project}/{sweep.name}" in done.out  # still open: count ended it
    assert [r.sweep for r in stub.online_runs.values()] == [sweep.name] * 2
    assert all(r.state == "finished" for r in stub.online_runs.values())
    assert files_holding_the_key(workdir) == []


def test_not_logged_in_is_refused_before_anything_runs(workdir, monkeypatch):
    (workdir / "sweep.yaml").write_text(yaml.safe_dump(RANDOM))
    with stub_server() as stub:
        monkeypatch.setenv("WANDB_BASE_URL", stub.url)  # no key: not in the environment, HOME holds no .netrc
        done = run("run", "sweep.yaml", "--mode", "online", "--count", "2", "--out", "out", cwd=workdir)
        assert done.code == 1 and "wandb login" in done.err and "WANDB_API_KEY" in done.err, done.err
        assert "Traceback" not in done.err
        with pytest.raises(SpecError, match="wandb login"):
            run_sweep(RANDOM, mode="online", count=1, out="out")
        assert stub.requests == [] and stub.online_runs == {}
    assert not (workdir / "out").exists() and not (workdir / "records").exists() and not (workdir / "wandb").exists()


def test_the_login_is_found_where_wandb_finds_it(workdir, monkeypatch):
    """wandb's own lookup: a .netrc entry for the server (as `wandb login` writes it) is a login."""
    from wandb.sdk.lib import wbauth

    from sweepbridge.runner.online import require_login

    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:9")  # never contacted: the lookup is local
    monkeypatch.setenv("NETRC", str(workdir / "home" / "netrc"))
    with pytest.raises(SpecError, match="wandb login"):
        require_login()
    wbauth.write_netrc_auth(host="http://127.0.0.1:9", api_key=API_KEY)
    require_login()
    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:10")  # a key for another server is no login
    with pytest.raises(SpecError, match="wandb login"):
        require_login()


def test_a_scheduler_sweep_is_created_without_a_controller(stub, workdir):
    """W&B's schema: `controller: {type: local}` cannot be used together with `scheduler`."""
    from sweepbridge.runner.online import create_sweep

    custom = {"program": "prog.py", "method": "custom", "metric": {"name": "loss"}, "parameters": RANDOM["parameters"],
              "scheduler": {"engine": "ax", "source": "s.py", "optimizer": "optimizer"}}  # fmt: skip
    create_sweep(custom, project="proj1", entity=None)
    (sweep,) = stub.sweeps.values()
    sent = yaml.safe_load(sweep.config)
    assert "controller" not in sent and sent["scheduler"] == custom["scheduler"]
