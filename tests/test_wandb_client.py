"""The REAL wandb client (Python API and `wandb sweep` CLI) receives exactly the config we wrote.

Only the network is replaced: the client and its wandb-core sidecar talk HTTP to a local stub
(tests/wandb_stub.py) that records the GraphQL requests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clirun import run
from wandb_stub import SWEEP_ID, stub_server

from sweepbridge import SweepConfig, to_sweep
from sweepbridge.hyperopt import hp

pytest.importorskip("wandb")

pytestmark = pytest.mark.slow  # end to end: the real wandb client and CLI against the stub

TRICKY = ["yes", "no", "null", "008", "1e3", "on", "", "~", "0x1F", "-.inf", "日本"]


def tricky_sweep() -> SweepConfig:
    """Values that YAML/JSON round trips commonly get wrong, in a config the engine accepts."""
    space = {
        "lr": hp.loguniform("lr", -9.2, -2.3),
        "decay": hp.uniform("decay", 1e-05, 0.1),
        "big": hp.randint("big", 2**40, 2**40 + 7),
        "tag": hp.choice("tag", TRICKY),
        "model": {"width": hp.uniformint("width", 16, 256), "batch": hp.pchoice("batch", [(0.25, 32), (0.75, 64)])},
        "const": {"nested": [1, "2", None, 0.1]},
    }
    return to_sweep(space, method="random", metric="val_loss", program="train.py", name="tricky", run_cap=7)


def canonical(yaml_text: str) -> str:
    """Type-exact comparison form (16 != 16.0, True != 1); the client sorts keys, so we do too."""
    return json.dumps(yaml.safe_load(yaml_text), sort_keys=True)


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    return subprocess.run(cmd, env={**full, **env}, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "sweep.yaml"
    tricky_sweep().save(path)
    return path


def test_wandb_sweep_python_api_receives_our_config(tmp_path, saved):
    code = "import sys, wandb\nfrom sweepbridge import SweepConfig\nprint(wandb.sweep(SweepConfig.load(sys.argv[1])))\n"
    with stub_server() as stub:
        proc = _run([sys.executable, "-c", code, str(saved)], stub.env(str(tmp_path)), tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == SWEEP_ID
        (sent,) = stub.upserted_configs()
    assert canonical(sent) == canonical(saved.read_text()) == json.dumps(tricky_sweep(), sort_keys=True)


ODD_VALUES = """\
import json, sys, wandb
from sweepbridge import SweepConfig, validate
cfg = SweepConfig.load(sys.argv[1])
cfg["parameters"]["odd"] = {"values": [1e-05, 0.1, 2**70, -0.0, "yes", "null", "008", "", "~"]}
cfg["parameters"]["n"] = {"distribution": "q_uniform", "min": 0, "max": 2, "q": 1}
assert validate(cfg) == []
before = json.dumps(cfg)
wandb.sweep(cfg)
assert json.dumps(cfg) == before, "wandb.sweep changed our config"
print(json.dumps(cfg, sort_keys=True))
"""


def test_wandb_sweep_sends_odd_values_and_types_unchanged(tmp_path, saved):
    """Big ints, -0.0, YAML-ambiguous strings and int q reach W&B as they are (types too), and
    `wandb.sweep` leaves the config object alone."""
    with stub_server() as stub:
        proc = _run([sys.executable, "-c", ODD_VALUES, str(saved)], stub.env(str(tmp_path)), tmp_path)
        assert proc.returncode == 0, proc.stderr
        (sent,) = stub.upserted_configs()
    expected = proc.stdout.strip().splitlines()[-1]
    assert json.dumps(yaml.safe_load(sent), sort_keys=True) == expected
    assert '"odd": {"values": [1e-05, 0.1, 1180591620717411303424, -0.0, "yes", "null", "008", "", "~"]}' in expected


def test_wandb_sweep_cli_receives_the_file_we_wrote(tmp_path):
    wandb_cli = Path(sys.executable).parent / "wandb"
    if not wandb_cli.is_file():
        pytest.skip("the wandb console script is not installed next to this interpreter")
    src = tmp_path / "space.py"
    src.write_text(
        "from sweepbridge.hyperopt import hp\n"
        f"space = {{'tag': hp.choice('tag', {TRICKY!r}), 'lr': hp.loguniform('lr', -9.2, -2.3),"
        " 'm': {'w': hp.uniformint('w', 16, 256)}}\n"
    )
    converted = run(
        "convert",
        "space.py",
        "--method",
        "bayes",
        "--metric",
        "loss",
        "--program",
        "train.py",
        "-o",
        "sweep.yaml",
        cwd=tmp_path,
    )
    assert converted.code == 0, converted.err
    written = (tmp_path / "sweep.yaml").read_text()
    with stub_server() as stub:
        env = {k: v for k, v in stub.env(str(tmp_path)).items() if k != "WANDB_SILENT"}
        proc = _run([str(wandb_cli), "sweep", "sweep.yaml"], env, tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert SWEEP_ID in proc.stderr + proc.stdout
        (sent,) = stub.upserted_configs()
    assert canonical(sent) == canonical(written)
