"""`sweepbridge check`: source-library draws vs W&B's engine, per parameter, on real libraries."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import yaml
from clirun import run
from optional import needs

import sweepbridge.hyperopt
from sweepbridge import check, cli, stats

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEEDS = [
    ("hyperopt_search.py", 3),
    ("tune_hyperopt_beta.py", 3),
    ("tune_grid.py", 2),  # nn_layers and the repetition axis
    ("tuner_asha.py", 5),
    ("tune_spec.yaml", 7),
    ("data/sweep_for_tune.yaml", 5),  # a W&B sweep against its reverse translation (hyperopt)
]


def main(capsys, *args: str) -> tuple[int, list[list[str]], str]:
    """Run the CLI in-process: (status, table rows split on 2+ spaces, stderr)."""
    import re

    status = cli.main(["check", *args])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[1].startswith("---"), out
    return status, [re.split(r"\s{2,}", line) for line in lines[2:]], err


@pytest.mark.slow
@pytest.mark.parametrize("n", ["2000", "5000"])
@pytest.mark.parametrize(("example", "parameters"), SEEDS, ids=[e for e, _ in SEEDS])
def test_seed_examples_pass(example, parameters, n, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the examples save their sweep in the working directory
    status, rows, err = main(capsys, str(EXAMPLES / example), "-n", n)
    assert status == 0, (rows, err)
    assert len(rows) == parameters and all(r[-1].startswith("ok") for r in rows)
    assert any(line.endswith("all agree") for line in err.splitlines()), err
    assert sweepbridge.hyperopt.hp.__name__ == "sweepbridge.hyperopt.hp"  # the mirror is bound again


def wrong(tmp_path: Path, source: Path, edit) -> Path:
    """The translation of `source`, edited by `edit(parameters)`, written to tmp_path/wrong.yaml."""
    import warnings

    from sweepbridge.sources import load_source

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sweep = dict(load_source(str(source)))
    edit(sweep["parameters"])
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(sweep))
    return path


@pytest.mark.slow
def test_a_wrong_upper_bound_fails_naming_the_parameter(capsys, tmp_path):
    source = EXAMPLES / "tune_spec.yaml"
    against = wrong(tmp_path, source, lambda p: p["model"]["parameters"]["layers"].update(max=5))  # Ray: 1..4
    status, rows, err = main(capsys, str(source), "--against", str(against), "-n", "2000")
    assert status == 1
    failed = [r for r in rows if not r[-1].startswith("ok")]
    assert [r[0] for r in failed] == ["model.layers"], rows
    assert failed[0][1:4] == ["tune.randint", "int_uniform", "full table (5 cells)"] and float(failed[0][4]) < 1e-6
    assert "1 differ: model.layers" in err


@pytest.mark.slow
def test_types_alone_fail(capsys, tmp_path):
    """hp.uniformint gives ints; a q_uniform with a float q gives the same numbers as floats."""
    space = tmp_path / "space.py"
    space.write_text("from sweepbridge.hyperopt import hp\nspace = {'units': hp.uniformint('units', 1, 4)}\n")
    against = wrong(tmp_path, space, lambda p: p["units"].update(q=1.0))
    status, rows, _ = main(capsys, str(space), "--against", str(against), "-n", "1000")
    assert status == 1 and rows[0][:3] == ["units", "scope.int(hp.quniform)", "q_uniform"]
    assert rows[0][6] == "differ" and "types: source int; W&B float" in rows[0][-1]


@pytest.mark.slow
def test_reverse_to_tune_and_grids(capsys, tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "method: random\nparameters:\n  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 0.1}\n"
        "  units: {distribution: q_uniform, min: 0, max: 10, q: 0.5}\n  opt: {values: [adam, sgd]}\n"
    )
    status, rows, _ = main(capsys, str(sweep), "--to", "tune", "-n", "1000")
    assert status == 0 and [r[1] for r in rows] == ["tune.loguniform", "tune.quniform", "tune.choice"]
    grid = tmp_path / "grid.yaml"
    grid.write_text("method: grid\nparameters:\n  a: {values: [1, 2, 3]}\n  b: {values: [x, y]}\n  c: {value: 0}\n")
    status, rows, err = main(capsys, str(grid))
    assert status == 0 and {r[3] for r in rows} == {"full table (enumeration)"} and "full grid enumerated" in err


@pytest.mark.slow
def test_plot_writes_one_png_with_a_panel_per_parameter(capsys, tmp_path):
    png = tmp_path / "check.png"
    status, rows, err = main(capsys, str(EXAMPLES / "tuner_asha.py"), "-n", "500", "--plot", str(png))
    assert status == 0 and f"wrote {png}" in err
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (3 * 420, 2 * 300)  # 5 parameters: 3 columns x 2 rows of 4.2 x 3.0 inches at 100 dpi
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["examples/tune_spec.yaml", "--to", "tune"], "--to applies only"),
        (["examples/data/sweep_for_tune.yaml", "--against", "examples/data/sweep_for_tune.yaml"], "--against takes"),
        (["examples/tune_spec.yaml", "-n", "0"], "must be at least 1"),
    ],
)
def test_usage_errors(args, words):
    r = run("check", *args, cwd=ROOT)
    assert r.code == 2 and words in r.err and "Traceback" not in r.err, r


def test_help_shows_examples():
    r = run("check", "--help")
    assert r.code == 0 and "examples:" in r.out and "--against" in r.out and "--plot" in r.out


@needs("scipy")
def test_statistics_discriminate():
    same = check.compare_parameter(("x",), {"values": [1, 2]}, [1, 2] * 500, [2, 1] * 500, grid=False)
    assert same.ok and same.p == 1.0 and same.tv == 0.0
    shifted = check.compare_parameter(("x",), {"values": [1, 2]}, [1, 2] * 500, [1, 1, 1, 2] * 250, grid=False)
    assert not shifted.ok and shifted.tv == pytest.approx(0.25)
    assert stats.total_variation({"a": 1, "b": 3}, {"a": 0.5, "b": 0.5}) == pytest.approx(0.25)
    assert (
        check.construct({"min": 1, "max": 3}) == "int_uniform" and check.construct({"min": 1.0, "max": 3}) == "uniform"
    )


@pytest.mark.slow
def test_a_beta_file_is_sampled_with_the_real_libraries(capsys, tmp_path):
    beta = tmp_path / "beta.yaml"
    beta.write_text(
        "program: p.py\ntune:\n  num_samples: 5\n  config:\n"
        "    lr: {tune.loguniform: {min_bound: 1.0e-4, max_bound: 0.1}}\n"
        "    layers: {tune.randint: [1, 5]}\n"
        "    units: {hyperopt.hp.uniformint: [units, 16, 64]}\n"
    )
    status, rows, _ = main(capsys, str(beta), "-n", "1000")
    assert status == 0 and [r[1] for r in rows] == ["tune.loguniform", "tune.randint", "scope.int(hp.quniform)"]


@pytest.mark.slow
def test_a_sweep_that_drops_or_adds_a_parameter_fails(capsys, tmp_path):
    source = EXAMPLES / "tune_spec.yaml"
    dropped = wrong(tmp_path, source, lambda p: p["model"]["parameters"].pop("width"))
    status, rows, _ = main(capsys, str(source), "--against", str(dropped), "-n", "500")
    assert status == 1 and [r[0] for r in rows if not r[-1].startswith("ok")] == ["model.width"]
    width = next(r for r in rows if r[0] == "model.width")
    assert width[1:3] == ["tune.qrandint", "—"] and "not in the sweep" in width[-1]
    added = wrong(tmp_path, source, lambda p: p.update(extra={"values": [1, 2]}))
    status, rows, _ = main(capsys, str(source), "--against", str(added), "-n", "500")
    assert status == 1 and [r[0] for r in rows if not r[-1].startswith("ok")] == ["extra"]
    assert "the source has no value at this path" in next(r for r in rows if r[0] == "extra")[-1]


@pytest.mark.slow
def test_a_mirror_function_imported_from_its_module_is_named(capsys, tmp_path):
    space = tmp_path / "space.py"
    space.write_text("from sweepbridge.hyperopt.hp import uniform\nspace = {'x': uniform('x', 0, 1)}\n")
    assert cli.main(["check", str(space), "-n", "100"]) == 1
    err = capsys.readouterr().err
    assert "error: x: this expression was built by a sweepbridge module" in err and "Traceback" not in err


WIDE = {
    "tune": "from sweepbridge import tune\n"
    "space = {'a': tune.lograndint(1, 1000), 'b': tune.randint(0, 5000), 'c': tune.qlograndint(1, 1000, 2)}\n",
    "hyperopt": "import math\nfrom hyperopt import hp\nfrom hyperopt.pyll import scope\n"
    "space = {'a': scope.int(hp.qloguniform('a', 0, math.log(1000), 1)), 'b': hp.randint('b', 3000)}\n",
}


@pytest.mark.parametrize("n", ["3000", "5000"])
@pytest.mark.parametrize("library", sorted(WIDE))
def test_wide_integer_ranges_raise_no_false_alarm(library, n, capsys, tmp_path):
    """Values expected about once at N are often absent on one side: that alone is no failure."""
    pytest.importorskip("hyperopt" if library == "hyperopt" else "ray.tune")
    space = tmp_path / "space.py"
    space.write_text(WIDE[library])
    status, rows, err = main(capsys, str(space), "-n", n)
    assert status == 0 and all(r[-1] == "ok" for r in rows), rows


def test_a_wrong_wide_translation_still_fails(capsys, tmp_path):
    """tune.lograndint(1, 1000) checked against a linear int_uniform over the same range."""
    space = tmp_path / "space.py"
    space.write_text(WIDE["tune"])
    against = wrong(tmp_path, space, lambda p: p.update(a={"distribution": "int_uniform", "min": 1, "max": 999}))
    status, rows, _ = main(capsys, str(space), "--against", str(against), "-n", "2000")
    assert status == 1 and [r[0] for r in rows if r[-1] != "ok"] == ["a"], rows
    assert rows[0][3].startswith("full table") and float(rows[0][4]) < 1e-6


def test_the_plot_shows_every_parameter_wide_ones_binned_on_a_log_axis(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    space = tmp_path / "space.py"
    space.write_text(WIDE["tune"])
    subject = check.load(str(space))
    rows = check.run(subject, 2000)
    fig, ax = plt.subplots()
    try:
        wide = rows[0]
        assert wide.name == "a" and check._wide_numbers(wide)
        check._binned(ax, wide)
        assert ax.get_xscale() == "log"
        edges = [x for patch in ax.patches for x in patch.get_path().vertices[:, 0]]
        assert min(edges) < 1 and max(edges) > max(wide.source_values + wide.wandb_values)  # the whole range
    finally:
        plt.close(fig)
    added = wrong(tmp_path, space, lambda p: p.update(extra={"values": [1, 2]}))
    rows = check.run(check.load(str(space), against=str(added)), 500)
    png = check.plot(rows, tmp_path / "every.png")
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    assert len(rows) == 4 and (width, height) == (3 * 420, 2 * 300)  # a, b, c and extra (W&B's draws only)


def test_a_method_custom_sweep_is_checked_through_its_study(capsys, monkeypatch, tmp_path):
    """The conditional example (W&B's sweep scheduler, Optuna): every path of either side's configs is
    compared, the branches' own paths on the draws that hold them."""
    pytest.importorskip("optuna")
    monkeypatch.chdir(tmp_path)  # the example writes its sweep in the working directory
    code, rows, err = main(capsys, str(EXAMPLES / "conditional_hyperopt.py"), "-n", "400")
    assert code == 0, err
    got = {row[0]: (row[2], row[3], row[-1]) for row in rows}
    assert got["classifier.type"] == ("study (RandomSampler)", "full table (3 cells)", "ok")
    assert got["classifier.C"][1:] == ("KS + presence", "ok") and got["classifier.kernel.width"][2] == "ok"
    assert {"classifier.kernel.ktype", "classifier.criterion", "classifier.max_depth"} <= set(got)
    assert "Trial" not in err  # no optuna line per draw


@pytest.mark.parametrize(("source_high", "agrees"), [(1.0, True), (2.0, False)])
def test_a_method_custom_sweep_whose_study_samples_another_space_fails(source_high, agrees):
    pytest.importorskip("optuna")
    hp = pytest.importorskip("hyperopt").hp
    from sweepbridge import to_sweep

    study_space = {"x": hp.uniform("x", 0.0, 1.0), "k": hp.choice("k", ["a", "b", {"depth": hp.randint("d", 3)}])}
    sweep = to_sweep(study_space, engine="optuna", method="random", metric="loss")
    space = {**study_space, "x": hp.uniform("x", 0.0, source_high)}
    rows = check.run(check.Subject(sweep, space, "source library"), 1000)
    assert {r.name: r.ok for r in rows} == {"x": agrees, "k": True, "k.depth": True}


def test_the_threshold_is_shared_among_the_parameters():
    """p = 0.0004 fails a one-parameter sweep but not one of ten (0.001/10 each): a sweep of any size
    fails by chance with probability below 0.001."""
    source, wandb = [1] * 500 + [2] * 500, [1] * 580 + [2] * 420
    alone = check.compare_parameter(("x",), {"values": [1, 2]}, source, wandb, grid=False)
    among = check.compare_parameter(
        ("x",), {"values": [1, 2]}, source, wandb, grid=False, alpha=check.per_parameter(10)
    )
    assert 1e-4 < alone.p < 1e-3 and not alone.ok and among.ok
    assert "fails at p < 0.001/10," in check.summary([among] * 10, 2000, grid=False)
    assert "fails at p < 0.001," in check.summary([alone], 2000, grid=False)


@needs("hyperopt")
def test_hyperopt_samples_are_stochastic_samples_values():
    """check's hyperopt sampler binds the graph to the generator once; stochastic.sample per draw gives the
    same values (a conditional space: branches draw only when taken). The fidelity tests draw with it too."""
    import numpy as np
    from hyperopt import hp
    from hyperopt.pyll import stochastic

    space = {
        "c": hp.choice("c", [{"k": hp.randint("k", 5)}, {"u": hp.loguniform("u", 0, 2)}, None]),
        "q": hp.qnormal("q", 0, 3, 0.5),
        "p": hp.pchoice("p", [(0.2, "a"), (0.8, hp.uniformint("i", 1, 9))]),
    }
    rng = np.random.default_rng(7)
    once = [stochastic.sample(space, rng=rng) for _ in range(300)]
    assert check.hyperopt_samples(space, 300, np.random.default_rng(7)) == once
    assert len({repr(d) for d in once}) > 250  # they are draws, not one value repeated
