"""Real-world W&B sweep configs (../shared/corpus/wandb, collected from public repositories) through
validate, reverse (hyperopt and Ray Tune), render and the CLI: no crash, no traceback, every refusal
a SweepBridgeError in one line (a parameter's refusal names its path). Skips when the corpus is absent."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import pytest
from optional import needs

import sweepbridge
from sweepbridge import SweepBridgeError, SweepConfig, UnsupportedFeatureError
from sweepbridge.cli import main
from sweepbridge.reverse import render_python


def corpus_dir() -> Path | None:
    for base in (Path(__file__).resolve().parents[2] / "shared" / "corpus", Path("/work/shared/corpus")):
        if (base / "wandb").is_dir():
            return base / "wandb"
    return None


FILES = sorted(p for p in (corpus_dir() or Path("/nonexistent")).glob("*") if p.is_file())
pytestmark = [
    needs("hyperopt", "ray"),
    pytest.mark.skipif(not FILES, reason="the real-world corpus (../shared/corpus/wandb) is absent"),
]


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def attempt(func, *args, **kwargs):
    """func's result, or the SweepBridgeError it raised (anything else fails the test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return func(*args, **kwargs)
        except SweepBridgeError as exc:
            message = str(exc)
            assert message.strip() and "Traceback" not in message
            if isinstance(exc, UnsupportedFeatureError) and exc.feature.split(".")[0] in ("reverse", "wandb"):
                assert exc.path, f"a parameter refusal without its path: {message}"
            return exc


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_real_world_config_works_or_is_refused_in_one_line(path):
    loaded = attempt(SweepConfig.load, path)
    if isinstance(loaded, SweepConfig):
        problems = sweepbridge.validate(loaded)
        assert all(isinstance(p, str) and p.strip() for p in problems)
    for target, reverse in (("hyperopt", sweepbridge.to_hyperopt), ("tune", sweepbridge.to_tune)):
        attempt(reverse, path)
        source = attempt(render_python, path, target=target)
        if isinstance(source, str):
            compile(source, f"<{path.name} → {target}>", "exec")
    for args in (("validate",), ("reverse", "--to", "tune"), ("reverse", "--to", "hyperopt"), ("preview", "-n", "2")):
        code, out, err = cli(args[0], str(path), *args[1:])
        assert code in (0, 1), (args, code, err)
        assert "Traceback" not in err and "rerun with --debug" not in err, err
        if code == 1:
            errors = [line for line in err.splitlines() if line.startswith("error: ")]
            assert (args[0] == "validate" and out.strip()) or len(errors) == 1, err
