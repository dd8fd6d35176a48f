"""The installed `sweepbridge` console script, run in subprocesses: every command, both paths."""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from clirun import run, script
from engine import engine_problems, sample
from optional import needs

import sweepbridge
from sweepbridge import compat, to_sweep
from sweepbridge.hyperopt import hp

SPACE_PY = """\
from sweepbridge.hyperopt import hp

space = dict(
    width=hp.uniform("width", 0, 20),
    height=hp.uniform("height", -100, 100),
    activation=hp.choice("activation", ["relu", "tanh"]),
)
"""
SPACE_OPTIONS = ["--method", "bayes", "--metric", "mean_loss", "--program", "train.py", "--run-cap", "10"]

SWEEP_PY = """\
from sweepbridge import to_sweep
from sweepbridge.hyperopt import hp

helper = 3
sweep = to_sweep({"lr": hp.loguniform("lr", -9, -2), "depth": hp.randint("depth", 1, 5)}, metric="loss")
"""

NESTED = {
    "method": "grid",
    "parameters": {"a": {"values": [1, 2, 3]}, "m": {"parameters": {"x": {"values": ["u", "v"]}, "c": {"value": 7}}}},
}


def seed_space():
    return dict(
        width=hp.uniform("width", 0, 20),
        height=hp.uniform("height", -100, 100),
        activation=hp.choice("activation", ["relu", "tanh"]),
    )


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "space.py").write_text(SPACE_PY)
    (tmp_path / "sweep_src.py").write_text(SWEEP_PY)
    return tmp_path


def write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data)), sort_keys=False))
    return path


# --- the script itself ------------------------------------------------------------------------


def test_console_script_is_installed():
    try:
        metadata.distribution("sweepbridge")
    except metadata.PackageNotFoundError:
        pytest.skip("sweepbridge is not pip-installed in this interpreter (run from a checkout)")
    assert Path(script()[0]).name == "sweepbridge", "pip installed sweepbridge without its console script"


def test_version():
    r = run("--version")
    assert (r.code, r.out.strip(), r.err) == (0, f"sweepbridge {sweepbridge.__version__}", "")


@pytest.mark.parametrize("command", [[], ["convert"], ["validate"], ["compat"], ["preview"], ["reverse"]])
def test_help_everywhere_with_examples(command):
    r = run(*command, "--help")
    assert r.code == 0 and r.err == ""
    assert "usage: sweepbridge" in r.out and "examples:" in r.out


def test_python_dash_m_is_the_same_program(workdir):
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "sweepbridge", "convert", "space.py", *SPACE_OPTIONS],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run("convert", "space.py", *SPACE_OPTIONS, cwd=workdir).out


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["convert"],
        ["convert", "a.py", "--format", "xml"],
        ["preview", "s.yaml", "-n", "0"],
        ["reverse", "s.yaml"],
        ["compat", "--format", "html"],
        ["convert", "notes.txt"],
        ["convert", "s.yaml:NAME"],
    ],
)
def test_usage_errors_exit_2_with_one_line(args, tmp_path):
    r = run(*args, cwd=tmp_path)
    assert r.code == 2, r
    assert r.out == ""
    assert len(r.err_lines) == 1 and "error:" in r.err and "Traceback" not in r.err


# --- convert --------------------------------------------------------------------------------


def test_convert_bare_space(workdir):
    r = run("convert", "space.py", *SPACE_OPTIONS, cwd=workdir)
    assert (r.code, r.err) == (0, "")
    expected = to_sweep(seed_space(), method="bayes", metric="mean_loss", program="train.py", run_cap=10)
    assert r.out == expected.to_yaml()
    assert yaml.safe_load(r.out) == expected
    assert engine_problems(yaml.safe_load(r.out)) == []


def test_convert_picks_the_global_named_sweep_and_name_selects(workdir):
    from sweepbridge.sources import run_python

    expected = run_python(workdir / "sweep_src.py")["sweep"]
    r = run("convert", "sweep_src.py", cwd=workdir)
    assert r.code == 0 and yaml.safe_load(r.out) == expected
    assert run("convert", "sweep_src.py:sweep", cwd=workdir).out == r.out
    bad = run("convert", "sweep_src.py:nothing_here", cwd=workdir)
    assert bad.code == 1 and "defines no 'nothing_here'" in bad.err and "sweep" in bad.err
    helper = run("convert", "sweep_src.py:helper", cwd=workdir)  # 3 is no search space
    assert helper.code == 1 and "helper" in helper.err and len(helper.err_lines) == 1


def test_convert_json_and_format_equivalence(workdir):
    y = run("convert", "space.py", *SPACE_OPTIONS, cwd=workdir)
    j = run("convert", "space.py", *SPACE_OPTIONS, "--format", "json", cwd=workdir)
    assert j.code == 0 and json.loads(j.out) == yaml.safe_load(y.out)
    assert list(json.loads(j.out)) == list(yaml.safe_load(y.out))  # same stable key order


def test_convert_output_file_is_written_atomically(workdir):
    r = run("convert", "space.py", *SPACE_OPTIONS, "-o", "sweep.yaml", cwd=workdir)
    assert r.code == 0 and r.out == "" and r.err_lines == ["wrote sweep.yaml"]
    stdout_version = run("convert", "space.py", *SPACE_OPTIONS, cwd=workdir).out
    assert (workdir / "sweep.yaml").read_text() == stdout_version
    r = run("convert", "space.py", *SPACE_OPTIONS, "-o", "sweep.json", cwd=workdir)
    assert r.code == 0 and json.loads((workdir / "sweep.json").read_text()) == yaml.safe_load(stdout_version)


@pytest.mark.parametrize(
    "source, snippet",
    [
        ("space.py", "grid"),  # uniform under grid: refused by W&B's method rules
        ("broken.py", "ZeroDivisionError"),  # the source itself fails
        ("cond.py", "model.opt"),  # a conditional space: unsupported, path named
    ],
)
def test_failed_convert_leaves_existing_output_untouched(workdir, source, snippet):
    (workdir / "broken.py").write_text("x = 1 / 0\n")
    (workdir / "cond.py").write_text(
        "from sweepbridge.hyperopt import hp\n"
        "space = {'model': {'opt': hp.choice('opt', [{'lr': hp.uniform('lr', 0, 1)}, 'sgd'])}}\n"
    )
    out = workdir / "sweep.yaml"
    out.write_text("OLD CONTENT\n")
    before = sorted(p.name for p in workdir.iterdir())
    r = run("convert", source, "--method", "grid", "-o", "sweep.yaml", cwd=workdir)
    assert r.code == 1 and r.out == ""
    assert len(r.err_lines) == 1 and r.err.startswith("error:") and snippet in r.err
    assert out.read_text() == "OLD CONTENT\n"
    assert sorted(p.name for p in workdir.iterdir()) == before  # no temp file left behind


def test_unsupported_feature_error_names_path_and_suggestion(workdir):
    (workdir / "cond.py").write_text(
        "from sweepbridge.hyperopt import hp\n"
        "space = {'model': {'opt': hp.choice('opt', [{'lr': hp.uniform('lr', 0, 1)}, 'sgd'])}}\n"
    )
    r = run("convert", "cond.py", cwd=workdir)
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("error: model.opt: ") and "Instead:" in r.err and len(r.err_lines) == 1


def test_debug_shows_the_traceback(workdir):
    (workdir / "broken.py").write_text("def f():\n    return 1 / 0\nx = f()\n")
    plain = run("convert", "broken.py", cwd=workdir)
    assert plain.code == 1 and "Traceback" not in plain.err and len(plain.err_lines) == 1
    for args in (["--debug", "convert", "broken.py"], ["convert", "broken.py", "--debug"]):
        debug = run(*args, cwd=workdir)
        assert debug.code == 1 and "Traceback" in debug.err and "ZeroDivisionError" in debug.err
        assert debug.err_lines[-1] == plain.err_lines[0]


def test_several_candidates_need_a_name(workdir):
    (workdir / "two.py").write_text(
        SWEEP_PY.replace("sweep = ", "first = ") + "second = to_sweep({'a': hp.choice('a', [1, 2])})\n"
    )
    r = run("convert", "two.py", cwd=workdir)
    assert r.code == 1 and "first, second" in r.err and "two.py:NAME" in r.err
    assert run("convert", "two.py:second", cwd=workdir).code == 0


def test_main_block_of_a_source_does_not_run(workdir):
    (workdir / "guarded.py").write_text(SPACE_PY + "if __name__ == '__main__':\n    open('MAIN_RAN', 'w').close()\n")
    assert run("convert", "guarded.py", cwd=workdir).code == 0
    assert not (workdir / "MAIN_RAN").exists()


def test_space_options_refused_for_a_finished_sweep(workdir):
    r = run("convert", "sweep_src.py", "--method", "grid", cwd=workdir)
    assert r.code == 1 and "--method" in r.err and "bare space" in r.err


def test_wandb_dict_source(workdir):
    (workdir / "plain.py").write_text(f"sweep = {NESTED!r}\n")
    r = run("convert", "plain.py", cwd=workdir)
    assert r.code == 0 and yaml.safe_load(r.out) == NESTED


APPROX_PY = """\
import warnings
from sweepbridge import ApproximationWarning, to_sweep
from sweepbridge.hyperopt import hp

warnings.warn("lr: scheduler X -> hyperband is equivalent, not identical: it differs", ApproximationWarning)
sweep = to_sweep({"lr": hp.uniform("lr", 0, 1)})
"""


def test_warnings_go_to_stderr_and_strict_makes_them_errors(workdir):
    (workdir / "approx.py").write_text(APPROX_PY)
    r = run("convert", "approx.py", cwd=workdir)
    assert r.code == 0
    assert r.err_lines == ["warning: lr: scheduler X -> hyperband is equivalent, not identical: it differs"]
    assert yaml.safe_load(r.out)["parameters"] == {"lr": {"distribution": "uniform", "min": 0, "max": 1}}
    (workdir / "sweep.yaml").write_text("OLD\n")
    strict = run("convert", "approx.py", "--strict", "-o", "sweep.yaml", cwd=workdir)
    assert strict.code == 1 and strict.out == ""
    assert strict.err_lines == [
        "error: --strict: lr: scheduler X -> hyperband is equivalent, not identical: it differs"
    ]
    assert (workdir / "sweep.yaml").read_text() == "OLD\n"


def test_allow_approximate_refused_where_it_means_nothing(workdir):
    r = run("convert", "space.py", "--allow-approximate", cwd=workdir)
    assert r.code == 1 and "--allow-approximate" in r.err


# --- safe YAML ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["convert", "evil.yaml"],
        ["validate", "evil.yaml"],
        ["preview", "evil.yaml"],
        ["reverse", "evil.yaml", "--to", "tune"],
    ],
)
def test_python_tags_are_rejected_not_executed(tmp_path, command):
    marker = tmp_path / "PWNED"
    (tmp_path / "evil.yaml").write_text(
        f"program: !!python/object/apply:os.system ['touch {marker}']\n"
        "method: random\nparameters:\n  a: {values: [1, 2]}\nparam_space: {a: 1}\n"
    )
    r = run(*command, cwd=tmp_path)
    assert r.code == 1, r
    message = r.err if command[0] != "validate" else r.out  # validate reports problems on stdout
    assert "could not determine a constructor for the tag" in message and "python/object/apply:os.system" in message
    assert "Traceback" not in r.err
    assert not marker.exists(), "the YAML tag was executed"


# --- validate -------------------------------------------------------------------------------


def test_validate_valid_and_invalid_files(tmp_path):
    good = write_yaml(tmp_path / "good.yaml", to_sweep(seed_space(), metric="loss"))
    bad = write_yaml(
        tmp_path / "bad.yaml",
        {
            "method": "bayes",
            "parameters": {
                "m": {"parameters": {"lr": {"distribution": "log_uniform", "min": -9, "max": -2}}},
                "b": {"values": [1, 2], "probabilities": [0.5, 0.6]},
            },
        },
    )
    ok = run("validate", str(good))
    assert (ok.code, ok.out, ok.err_lines) == (0, "", ["1 file checked: all valid"])
    r = run("validate", str(good), str(bad), str(tmp_path / "missing.yaml"))
    assert r.code == 1
    lines = r.out.splitlines()
    assert all(line.startswith((f"{bad}: ", f"{tmp_path / 'missing.yaml'}: ")) for line in lines)
    assert any(line.startswith(f"{bad}: m.lr: distribution log_uniform") for line in lines)
    assert any(f"{bad}: b: probabilities sum to" in line for line in lines)
    assert any("bayes needs a metric" in line for line in lines)
    assert any("missing.yaml: cannot read" in line for line in lines)
    assert r.err_lines == [f"3 files checked: 2 invalid ({len(lines)} problems)"]


def test_validate_recognises_tune_specs_and_beta_files(tmp_path):
    ok = run("validate", str(EXAMPLE_SPEC))
    assert ok.code == 0 and ok.out == "", ok
    assert f"{EXAMPLE_SPEC}: a tune spec" in ok.err and f"sweepbridge convert {EXAMPLE_SPEC}" in ok.err
    assert ok.err_lines[-1] == "1 file checked: all valid"
    typo = write_yaml(tmp_path / "typo.yaml", {"program": "t.py", "param_space": {"act": {"choise": ["relu", "tanh"]}}})
    r = run("validate", str(typo))
    assert r.code == 1 and r.out.startswith(f"{typo}: param_space.act: unknown domain `choise`; did you mean `choice`?")
    assert "a tune spec" in r.err and "Traceback" not in r.err
    untranslatable = write_yaml(tmp_path / "mode.yaml", {"program": "t.py", "metric": "loss", "param_space": {"a": 1}})
    r = run("validate", str(untranslatable))
    assert r.code == 1 and r.out.startswith(f"{untranslatable}: ") and "mode" in r.out
    beta = write_yaml(
        tmp_path / "beta.yaml",
        {"program": "p.py", "tune": {"num_samples": 5, "config": {"layers": {"tune.randint": [1, 5]}}}},
    )
    r = run("validate", str(beta))
    assert r.code == 0 and "2020 beta" in r.err, r


# --- compat ---------------------------------------------------------------------------------


def test_compat_formats():
    rows = compat.compat_table()
    table = run("compat")
    assert table.code == 0 and table.err == ""
    whole, _, beta = table.out.partition("\n\nW&B's 2020 beta table, row by row: the best translation today\n")
    lines = whole.splitlines()
    assert lines[0].split()[:2] == ["Group", "Source"] and set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + len(rows)
    assert all(r.feature in line for r, line in zip(rows, lines[2:], strict=True))
    assert len(beta.splitlines()) == 2 + len(compat.beta_rows())  # then the 2020 table's rows, one line each
    assert run("compat", "--format", "markdown").out == compat.markdown()
    assert json.loads(run("compat", "--format", "json").out) == [r.as_dict() for r in rows]


# --- preview --------------------------------------------------------------------------------


@pytest.mark.slow
@needs("sweeps")
def test_preview_random_is_the_engines_seeded_draws(tmp_path):
    cfg = to_sweep(seed_space(), metric="loss")
    path = write_yaml(tmp_path / "s.yaml", cfg)
    r = run("preview", str(path), "-n", "5", "--seed", "3", "--format", "json")
    assert r.code == 0 and r.err == ""
    assert json.loads(r.out) == sample(cfg, 5, seed=3)
    again = run("preview", str(path), "-n", "5", "--seed", "3")
    other = run("preview", str(path), "-n", "5", "--seed", "4")
    assert again.out == run("preview", str(path), "-n", "5", "--seed", "3").out != other.out
    lines = again.out.splitlines()
    assert lines[0].split() == ["#", "width", "height", "activation"] and len(lines) == 2 + 5


@pytest.mark.slow
@needs("sweeps")
def test_preview_grid_enumerates_with_dotted_columns(tmp_path):
    path = write_yaml(tmp_path / "g.yaml", NESTED)
    r = run("preview", str(path), "-n", "100", "--format", "json")
    configs = json.loads(r.out)
    expected = [{"a": a, "m": {"x": x, "c": 7}} for a in (1, 2, 3) for x in ("u", "v")]
    assert sorted(map(json.dumps, configs)) == sorted(json.dumps(c, sort_keys=False) for c in expected) or sorted(
        json.dumps(c, sort_keys=True) for c in configs
    ) == sorted(json.dumps(c, sort_keys=True) for c in expected)
    assert r.err_lines == ["note: the grid has 6 points; all are shown."]
    table = run("preview", str(path), "-n", "2").out.splitlines()
    assert table[0].split() == ["#", "a", "m.x", "m.c"] and len(table) == 4


@pytest.mark.slow
@needs("sweeps")
def test_preview_bayes_explains_it_is_random(tmp_path):
    path = write_yaml(tmp_path / "b.yaml", to_sweep(seed_space(), method="bayes", metric="loss"))
    r = run("preview", str(path), "-n", "2")
    assert r.code == 0 and "bayes" in r.err and "random" in r.err


def test_preview_refuses_invalid_files(tmp_path):
    path = write_yaml(tmp_path / "b.yaml", {"method": "grid", "parameters": {"x": {"min": 0.0, "max": 1.0}}})
    r = run("preview", str(path))
    assert r.code == 1 and r.out == "" and "x:" in r.err and len(r.err_lines) == 1


def test_preview_without_the_engine_names_the_extra(tmp_path):
    blocker = tmp_path / "block" / "sweeps"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named sweeps')\n")
    path = write_yaml(tmp_path / "s.yaml", to_sweep(seed_space()))
    pythonpath = os.pathsep.join(filter(None, [str(tmp_path / "block"), os.environ.get("PYTHONPATH")]))
    r = run("preview", str(path), env={"PYTHONPATH": pythonpath})
    assert r.code == 1 and r.out == ""
    assert r.err_lines == [
        "error: preview needs W&B's sweep engine, which is not installed: "
        "pip install 'sweepbridge[preview]'  (or: pip install sweeps)"
    ]


# --- reverse --------------------------------------------------------------------------------


def test_reverse(tmp_path):
    cfg = to_sweep(seed_space(), method="bayes", metric="loss", run_cap=10)
    path = write_yaml(tmp_path / "s.yaml", cfg)
    try:
        from sweepbridge.reverse import render_python
    except ImportError:
        r = run("reverse", str(path), "--to", "tune")
        assert r.code == 1 and "reverse translation" in r.err and len(r.err_lines) == 1
        pytest.skip("sweepbridge.reverse is not on this branch yet")
    for target in ("tune", "hyperopt"):
        r = run("reverse", str(path), "--to", target)
        assert r.code == 0, r.err
        expected = render_python(sweepbridge.SweepConfig.load(path), target=target)
        assert r.out.rstrip("\n") == expected.rstrip("\n")
        compile(r.out, f"<reverse {target}>", "exec")
        o = run("reverse", str(path), "--to", target, "-o", str(tmp_path / f"{target}.py"))
        assert o.code == 0 and (tmp_path / f"{target}.py").read_text() == r.out


# --- tune specs -----------------------------------------------------------------------------

EXAMPLE_SPEC = Path(__file__).resolve().parent.parent / "examples" / "tune_spec.yaml"


def test_invalid_tune_spec_names_the_path(tmp_path):
    (tmp_path / "spec.yaml").write_text("program: train.py\nparam_space:\n  lr: {loguniform: [1e-4, 1.0e-1]}\n")
    (tmp_path / "sweep.yaml").write_text("OLD\n")
    r = run("convert", "spec.yaml", "-o", "sweep.yaml", cwd=tmp_path)
    assert r.code == 1 and r.out == ""
    assert r.err_lines == [
        "error: spec.yaml: param_space.lr.loguniform[0]: '1e-4' is text, not a number, to YAML 1.1 (which W&B "
        "reads: a number needs a dot and a signed exponent): write 1.0e-4 or 0.0001."
    ]
    assert (tmp_path / "sweep.yaml").read_text() == "OLD\n"


def test_convert_the_tune_spec_example():
    from sweepbridge import tune_spec

    r = run("convert", str(EXAMPLE_SPEC), "--strict")
    assert r.code == 0 and r.err == ""
    assert r.out == tune_spec.convert(EXAMPLE_SPEC).to_yaml()
    assert engine_problems(yaml.safe_load(r.out)) == []


def test_strict_tune_spec_with_an_equivalent_scheduler(tmp_path):
    (tmp_path / "spec.yaml").write_text(
        "program: train.py\nmetric: loss\nmode: min\nnum_samples: 8\n"
        "scheduler: {asha: {time_attr: training_iteration, grace_period: 1, reduction_factor: 3}}\n"
        "param_space:\n  lr: {loguniform: [1.0e-4, 1.0e-1]}\n"
    )
    r = run("convert", "spec.yaml", cwd=tmp_path)
    assert r.code == 0 and r.err_lines and all(line.startswith("warning: ") for line in r.err_lines)
    assert yaml.safe_load(r.out)["early_terminate"]["type"] == "hyperband"
    strict = run("convert", "spec.yaml", "--strict", cwd=tmp_path)
    assert strict.code == 1 and strict.out == "" and strict.err.startswith("error: --strict: ")


def test_source_prints_go_to_stderr_and_exits_are_errors(workdir):
    (workdir / "chatty.py").write_text("print('building the space')\n" + SPACE_PY)
    r = run("convert", "chatty.py", cwd=workdir)
    assert r.code == 0 and r.err_lines == ["building the space"]
    assert yaml.safe_load(r.out) == to_sweep(seed_space())
    (workdir / "quits.py").write_text("import sys\nsys.exit(3)\n")
    q = run("convert", "quits.py", cwd=workdir)
    assert q.code == 1 and q.err_lines == ["error: quits.py exited (sys.exit(3)) instead of defining a sweep."]
