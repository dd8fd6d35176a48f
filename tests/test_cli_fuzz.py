"""Every CLI subcommand on arbitrary bytes and arbitrary YAML: exit 0, 1 or 2, never a traceback or the
catch-all "rerun with --debug" (the fuzz findings C1, C3, C6, C8, C9 at the command line)."""

from __future__ import annotations

import contextlib
import io
import os
import time

import pytest
import yaml
from clirun import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optional import needs

from sweepbridge.cli import main

COMMANDS = (
    ("validate",),
    ("convert",),
    ("convert", "--format", "json"),
    ("preview", "-n", "2"),
    ("preview", "-n", "2", "--format", "json"),
    ("reverse", "--to", "tune"),
    ("reverse", "--to", "hyperopt"),
)
"""Each subcommand that reads a file (compat reads none), with its output options."""


def cli(*args: str) -> tuple[int, str, str]:
    """`sweepbridge ARGS` in-process (faithful: main() is what the console script calls)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors and --help
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def assert_clean(code: int, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "rerun with --debug" not in err, err


# --- arbitrary inputs --------------------------------------------------------------------------------

KINDS = ["uniform", "int_uniform", "q_uniform", "log_uniform_values", "q_log_uniform_values", "normal", "q_normal",
         "log_normal", "q_log_normal", "beta", "q_beta", "categorical", "constant", "inv_log_uniform_values",
         "log_uniform", "q_log_uniform", "bogus"]  # fmt: skip
numbers = st.integers(-(2**70), 2**70) | st.floats() | st.sampled_from([0, 1, 2, -1, 0.5, 1e-324, 5e-324, 2**63])
scalars = numbers | st.text(max_size=5) | st.booleans() | st.none()
values = st.recursive(scalars, lambda v: st.lists(v, max_size=3) | st.dictionaries(st.text(max_size=3), v, max_size=3))
specs = st.fixed_dictionaries(
    {},
    optional={
        "distribution": st.sampled_from(KINDS),
        "min": numbers,
        "max": numbers,
        "q": numbers,
        "mu": numbers,
        "sigma": numbers,
        "a": numbers,
        "b": numbers,
        "value": values,
        "values": st.lists(values, max_size=4) | values,
        "probabilities": st.lists(numbers, max_size=4),
    },
)
parameters = st.recursive(
    st.dictionaries(st.text(max_size=4), specs, min_size=1, max_size=3),
    lambda inner: st.dictionaries(st.text(max_size=4), st.fixed_dictionaries({"parameters": inner}) | specs),
    max_leaves=6,
)
early_terminate = st.fixed_dictionaries(
    {"type": st.sampled_from(["hyperband", "other"])},
    optional={"max_iter": numbers, "min_iter": numbers, "s": numbers, "eta": numbers},
)
sweeps = st.fixed_dictionaries(
    {"parameters": parameters | values},
    optional={
        "method": st.sampled_from(["random", "grid", "bayes", "custom", 3]),
        "metric": st.fixed_dictionaries({"name": st.text(max_size=3), "goal": st.sampled_from(["minimize", "up"])}),
        "early_terminate": early_terminate | values,
        "program": st.text(max_size=5),
        "run_cap": numbers,
        "param_space": values,
        "num_samples": numbers,
    },
)  # fmt: skip


def yaml_text(data) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return str(data)


documents = (
    st.binary(max_size=300)
    | st.text(max_size=200).map(str.encode)
    | sweeps.map(lambda d: yaml_text(d).encode("utf-8", "surrogatepass"))
    | values.map(lambda d: yaml_text(d).encode("utf-8", "surrogatepass"))
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=documents, command=st.sampled_from(COMMANDS), suffix=st.sampled_from([".yaml", ".json", ".yml"]))
def test_any_file_gives_a_clean_exit(tmp_path, data, command, suffix):
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    code, _, err = cli(command[0], str(path), *command[1:])
    assert_clean(code, err)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sweep=sweeps, command=st.sampled_from(COMMANDS))
def test_any_sweep_like_yaml_gives_a_clean_exit(tmp_path, sweep, command):
    path = tmp_path / "sweep.yaml"
    path.write_bytes(yaml_text(sweep).encode("utf-8", "surrogatepass"))
    output = ("-o", str(tmp_path / "out" / "x.py")) if command[0] in ("reverse", "convert") else ()
    code, _, err = cli(command[0], str(path), *command[1:], *output)
    assert_clean(code, err)


@settings(max_examples=60, deadline=None)
@given(argv=st.lists(st.sampled_from(["validate", "preview", "reverse", "convert", "compat", "--to", "tune", "-n",
                                      "--seed", "-1", "4294967296", "x", "--format", "json", "-o", "--debug", "0"]),
                     max_size=6))  # fmt: skip
def test_any_argument_list_gives_a_clean_exit(argv):
    code, _, err = cli(*[a for a in argv if a != "--debug"])
    assert_clean(code, err)


# --- the fuzz findings at the command line, through the console script (subprocess) ---------------


@pytest.fixture
def sweep_file(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text("method: random\nparameters:\n  x: {distribution: q_uniform, min: 0, max: 10, q: 2}\n")
    return path


def test_non_utf8_files_are_one_line_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"method: random\nparameters:\n  x: {value: caf\xe9}\n")
    for args in (("validate",), ("convert",), ("preview",), ("reverse", "--to", "tune")):
        result = run(args[0], str(path), *args[1:])
        said = result.out + result.err  # validate lists problems on stdout
        assert result.code == 1 and "not UTF-8 text (byte 0xe9" in said and "rerun" not in said


def test_reverse_output_failures_are_spec_errors_leaving_nothing(sweep_file, tmp_path):
    (tmp_path / "dir.py").mkdir()
    for target in (tmp_path / "no" / "such" / "out.py", tmp_path / "dir.py"):
        result = run("reverse", str(sweep_file), "--to", "tune", "-o", str(target))
        assert result.code == 1 and result.err_lines[-1].startswith(f"error: cannot write {target}"), result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.py", "good.yaml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_reverse_into_a_read_only_directory_is_a_spec_error(sweep_file, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    result = run("reverse", str(sweep_file), "--to", "tune", "-o", str(ro / "out.py"))
    assert result.code == 1 and "error: cannot write" in result.err


@pytest.mark.slow
@needs("sweeps")
def test_preview_json_of_int_q_and_the_seed_range(sweep_file):
    result = run("preview", str(sweep_file), "--format", "json", "-n", "3")
    assert result.code == 0 and result.out.count('"x":') == 3, result.err
    for seed in ("-1", "4294967296"):
        bad = run("preview", str(sweep_file), "--seed", seed)
        assert bad.code == 2 and "between 0 and 2**32 - 1" in bad.err
    assert run("preview", str(sweep_file), "--seed", str(2**32 - 1)).code == 0


def test_pathological_files_end_fast(tmp_path):
    bomb = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    bomb += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\nmethod: random\nparameters:\n  lol:\n    value: *l8\n")
    (tmp_path / "grid.yaml").write_text(
        "method: grid\nparameters:\n  x: {distribution: int_uniform, min: 0, max: 1000000000}\n"
    )
    for args in (("validate", "bomb.yaml"), ("preview", "bomb.yaml"), ("preview", "grid.yaml", "-n", "2")):
        start = time.perf_counter()
        result = run(*args, cwd=tmp_path)
        assert result.code == 1 and len(result.err_lines) == 1 or args[0] == "validate", result.err
        assert "rerun" not in result.err and time.perf_counter() - start < 10
