"""Typos are errors naming the nearest valid name: `spelling` itself, and the property that a
valid key or name with one edit is refused by every reader with that name on the first line."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepbridge import schemas, tune_spec, validate
from sweepbridge.errors import SpecError
from sweepbridge.frontends.wandb_config import ALL_KEYS, parse_sweep
from sweepbridge.spelling import did_you_mean, edit_distance, nearest, unknown

LETTERS = string.ascii_lowercase + "_"


def test_nearest_finds_one_edit_and_case_slips():
    assert nearest("choise", ["choice", "uniform"]) == "choice"
    assert nearest("Uniform", ["choice", "uniform"]) == "uniform"
    assert nearest("distrbution", ALL_KEYS) == "distribution"
    assert nearest("xyz", ["choice", "uniform"]) is None
    assert nearest(3, ["choice"]) is None


def test_the_fewest_edits_win_over_difflibs_similarity():
    # difflib rates `randint` (two letters dropped) above `randn` (one changed): the one edit wins
    assert nearest("randt", ["randint", "randn", "uniform"]) == "randn"
    assert nearest("qloguniform", ["loguniform", "qloguniform"]) == "qloguniform"
    assert [edit_distance(*pair) for pair in [("", "ab"), ("ab", "ba"), ("randt", "randint"), ("ca", "abc")]] == [
        2,
        1,
        2,
        3,
    ]
    assert did_you_mean("valeus", ["values", "value"]) == " did you mean `values`?"
    assert did_you_mean("values", ["values"]) == ""


def test_unknown_lists_the_valid_names_when_none_is_close():
    assert unknown(["maxx"], ["max", "min"]) == "unknown key `maxx`; did you mean `max`?"
    assert unknown(["zzz", "yyy"], ["max", "min"]) == "unexpected keys `yyy`, `zzz` (valid here: max, min)"


@st.composite
def one_edit(draw, names):
    """(a valid name, that name with one letter inserted, deleted, changed or two swapped), the
    result not itself a valid name."""
    name = draw(st.sampled_from(sorted(names)))
    i = draw(st.integers(0, len(name)))
    letter = draw(st.sampled_from(LETTERS))
    edit = draw(st.sampled_from(["insert", "delete", "change", "swap"]))
    j = min(i, len(name) - 1)
    typo = {
        "insert": name[:i] + letter + name[i:],
        "delete": name[:j] + name[j + 1 :],
        "change": name[:j] + letter + name[j + 1 :],
        "swap": name[: max(j - 1, 0)] + name[j : j + 1] + name[max(j - 1, 0) : j] + name[j + 1 :],
    }[edit]
    if not typo or typo in names or typo.lower() in names:
        from hypothesis import reject

        reject()
    return name, typo


def names_the_typo(line: str, name: str, typo: str, names) -> bool:
    """The line names the typo and suggests `name` (or another valid name as close to the typo),
    or, for a name too short to guess from (`a`, `mu`), lists the valid ones."""
    if f"`{typo}`" not in line and repr(typo) not in line:
        return False
    if "did you mean `" in line:
        suggested = line.split("did you mean `", 1)[1].split("`", 1)[0]
        return suggested == name or (suggested in names and edit_distance(suggested, typo) <= 1)
    return len(name) <= 2 and "valid here: " in line and name in line


W_AND_B_KEYS = ALL_KEYS - {"parameters"}


@given(one_edit(W_AND_B_KEYS))
def test_a_parameter_key_with_one_edit_is_refused_by_name(edited):
    name, typo = edited
    spec = {"min": 0, "max": 1, "mu": 0, "sigma": 1, "a": 1, "b": 1, "q": 1, "value": 1, "values": [1]}
    spec = {k: v for k, v in spec.items() if k == name} or {"distribution": "uniform"}
    spec = {typo if k == name else k: v for k, v in spec.items()}
    if name == "distribution":
        spec = {typo: "uniform", "min": 0, "max": 1}
    elif name == "probabilities":
        spec = {"values": [1, 2], typo: [0.5, 0.5]}
    cfg = {"method": "random", "parameters": {"outer": {"parameters": {"p": spec}}}}
    problems = validate(cfg)
    assert problems and names_the_typo(problems[0], name, typo, W_AND_B_KEYS), problems
    with pytest.raises(SpecError) as info:
        parse_sweep(cfg)
    first = str(info.value).splitlines()[0]
    assert first.startswith("outer.p: ") and names_the_typo(first, name, typo, W_AND_B_KEYS), first


TOP = frozenset(schemas.load("wandb-sweep.schema.json")["properties"])


@given(one_edit(TOP))
def test_a_sweep_key_with_one_edit_is_refused_by_name(edited):
    name, typo = edited
    cfg = {"method": "random", "parameters": {"x": {"value": 1}}, typo: "text"}
    problems = validate(cfg)
    assert any(p.startswith("(top level): ") and names_the_typo(p, name, typo, TOP) for p in problems), problems
    with pytest.raises(SpecError) as info:
        parse_sweep(cfg)
    assert names_the_typo(str(info.value).splitlines()[0], name, typo, TOP), str(info.value)


SPEC_KEYS = frozenset(schemas.load(tune_spec.SCHEMA)["properties"])


@given(one_edit(SPEC_KEYS - {"program", "param_space"}))
def test_a_tune_spec_key_with_one_edit_is_refused_by_name(edited):
    name, typo = edited
    found = tune_spec.problems({"program": "t.py", "param_space": {"a": 1}, typo: 1})
    assert found and found[0].startswith("(top level): ") and names_the_typo(found[0], name, typo, SPEC_KEYS)


@given(one_edit(frozenset(tune_spec.DOMAINS)))
def test_a_domain_name_with_one_edit_is_refused_not_taken_as_a_constant(edited):
    name, typo = edited
    found = tune_spec.problems({"program": "t.py", "param_space": {"m": {"x": {typo: [1, 2]}}}})
    assert found and found[0].startswith("param_space.m.x: unknown domain ")
    assert names_the_typo(found[0], name, typo, frozenset(tune_spec.DOMAINS)), found
