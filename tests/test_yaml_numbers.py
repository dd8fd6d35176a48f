"""A W&B number written `1e-5` in YAML is text to YAML 1.1 (PyYAML, which W&B reads): the message
says how to write it, with the parameter path, in validate and in the reverse reader."""

from __future__ import annotations

import pytest
import yaml

from sweepbridge import SpecError, to_hyperopt, to_tune, validate

TEXT = """
method: random
parameters:
  model:
    parameters:
      lr:
        distribution: log_uniform_values
        min: 1e-5
        max: 1.0e-2
      noise:
        distribution: normal
        mu: 0.0
        sigma: 2E3
"""


def test_yaml_reads_the_exponent_without_a_dot_as_text():
    cfg = yaml.safe_load(TEXT)
    assert cfg["parameters"]["model"]["parameters"]["lr"]["min"] == "1e-5"  # the trap itself


def test_validate_says_how_to_write_the_number():
    problems = validate(yaml.safe_load(TEXT))
    assert "model.lr (min): '1e-5' is text, not a number" in problems[0]
    assert problems[0].endswith("write 1.0e-5 or 0.00001.")
    assert problems[1].startswith("model.noise (sigma): '2E3' is text") and "write 2.0e+3 or 2000." in problems[1]
    for written in ("1.0e-5", "0.00001"):  # and the suggestion is right: YAML 1.1 reads a number
        assert yaml.safe_load(f"x: {written}")["x"] == 1e-5


@pytest.mark.parametrize("reverse", [to_hyperopt, to_tune], ids=["hyperopt", "tune"])
def test_reverse_reader_says_how_to_write_the_number(reverse):
    with pytest.raises(SpecError) as info:
        reverse(yaml.safe_load(TEXT))
    assert info.value.path == "model.lr"
    assert "min: '1e-5' is text, not a number" in str(info.value) and "write 1.0e-5 or 0.00001" in str(info.value)


@pytest.mark.parametrize("text", ["1e-5", "-3E+2", "1.5e3", ".5e1", "7.e2"])
def test_every_suggestion_reads_back_as_the_number(text):
    from sweepbridge.values import yaml_number_hint

    hint = yaml_number_hint(text)
    written = hint.split("write ")[1].rstrip(".").split(" or ")
    assert [yaml.safe_load(w) for w in written] == [float(text)] * 2
    assert yaml_number_hint("1.0e-5") is None and yaml_number_hint("abc") is None and yaml_number_hint(1e-5) is None
