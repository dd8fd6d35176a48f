"""Reading and writing files: any bytes, alias bombs, libyaml vs pure PyYAML, surrogates, long names
(fuzz findings C1, C2, C10, W9, H1, H2)."""

from __future__ import annotations

import json
import time

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sweepbridge
from sweepbridge import SpecError, SweepBridgeError, SweepConfig, tune_spec
from sweepbridge import sweep_config as sc

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- bytes that are not UTF-8 (C1, C2) ------------------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [SweepConfig.load, tune_spec.load, tune_spec.convert, sweepbridge.to_hyperopt, sweepbridge.to_tune],
    ids=["SweepConfig.load", "tune_spec.load", "tune_spec.convert", "to_hyperopt", "to_tune"],
)
def test_a_latin1_file_is_a_spec_error_naming_the_byte(tmp_path, read):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"method: random\nprogram: train.py\nparameters:\n  x: {value: caf\xe9}\n")
    with pytest.raises(SpecError, match=r"not UTF-8 text \(byte 0xe9 at offset 61\)"):
        read(path)


@SETTINGS
@given(data=st.binary(max_size=200))
def test_any_bytes_in_a_file_load_or_raise_a_spec_error(tmp_path, data):
    path = tmp_path / "any.yaml"
    path.write_bytes(data)
    for read in (SweepConfig.load, tune_spec.load):
        try:
            read(path)
        except SweepBridgeError:
            pass


# --- YAML aliases (H1) ------------------------------------------------------------------------------


def bomb(levels: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nmethod: random\nparameters:\n  lol:\n    value: *l{levels - 1}\n"


@pytest.mark.parametrize("loader", [sc.LOADER, sc.PURE_LOADER], ids=["libyaml", "pure"])
def test_an_alias_bomb_is_refused_at_once(loader):
    start = time.perf_counter()
    with pytest.raises(SpecError, match="aliases expand"):
        sc.load_yaml(bomb(9), loader)
    assert time.perf_counter() - start < 1.0


def test_a_recursive_alias_is_refused():
    with pytest.raises(SpecError, match="recursive"):
        SweepConfig.from_text("method: random\nparameters: &p {x: {value: *p}}\n")


def test_aliases_within_the_bound_still_expand():
    cfg = SweepConfig.from_text(bomb(4))  # 10^4 leaves by reference: allowed
    assert len(json.dumps(cfg["parameters"]["lol"]["value"])) > 10**4
    shared = SweepConfig.from_text("method: random\nparameters: {x: &v {values: [1, 2]}, y: *v}\n")
    assert shared["parameters"]["x"] == shared["parameters"]["y"] == {"values": [1, 2]}


# --- libyaml and pure PyYAML give the same text and data (H2) --------------------------------------

TRICKY = st.sampled_from(
    ["", "yes", "No", "null", "~", "008", "1e3", "1_0", ".inf", "-.NaN", "12:30", "2020-01-01", "0x1F", "a: b",
     "- x", "#x", "'", '"', "\t", "a\nb", "a\n", " lead", "trail ", "\x85", "\u2028", "\u2029", "\ufeff", "é",
     "日本語", "\U0001f600", "\x07", "\x7f", "\ud7ff", "\ue000", "\ufffd", "!tag", "*x", "&a", "%", "@", "`", "|"]
)  # fmt: skip
scalars = (
    TRICKY
    | st.text(max_size=8).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY | st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


def _strings(value, key=False):
    if isinstance(value, str):
        yield value, key
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k, True
            yield from _strings(v)


def _same_presentation(data) -> bool:
    """Where the two emitters agree on style: libyaml escapes characters beyond the BMP and writes
    empty or unprintable keys as simple keys, where PyYAML writes them raw / as `? key`."""
    return all(all(ord(c) <= 0xFFFF for c in s) and (not key or (s and s.isprintable())) for s, key in _strings(data))


@settings(max_examples=300, deadline=None)
@given(data=documents)
@example(data={"long": " ".join(["word"] * 60), "lines": "a\n\nb  \n", "x" * 130: ["y" * 130]})
def test_libyaml_and_pure_pyyaml_write_and_read_the_same(data):
    data = sc.plain({"parameters": data})  # a sweep config is a mapping
    fast, pure = sc.dump_yaml(data, sc.DUMPER), sc.dump_yaml(data, sc.PURE_DUMPER)
    for text in (fast, pure):
        assert sc.load_yaml(text, sc.LOADER) == sc.load_yaml(text, sc.PURE_LOADER) == data
    if _same_presentation(data):
        assert fast == pure


def test_the_fast_paths_are_libyaml_when_it_is_installed():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    assert issubclass(sc.DUMPER, yaml.CSafeDumper) and issubclass(sc.LOADER, yaml.CSafeLoader)


# --- writing (C10, W9) ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_lone_surrogate_is_refused_before_any_file_exists(tmp_path, suffix):
    for cfg in ({"x": {"value": "a\ud800"}}, {"\udfff": {"value": 1}}):
        with pytest.raises(SpecError, match="lone surrogate"):
            SweepConfig({"method": "random", "parameters": cfg}).save(tmp_path / f"s{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_any_legal_file_name_can_be_saved(tmp_path):
    cfg = SweepConfig({"method": "random", "parameters": {"x": {"value": 1}}})
    for length in (250, 255):
        path = tmp_path / ("s" * (length - 5) + ".yaml")
        assert cfg.save(path) == path and SweepConfig.load(path) == cfg
    assert len(list(tmp_path.iterdir())) == 2
