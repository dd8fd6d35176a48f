from optional import needs

from sweepbridge import preview

DOTTED = {
    "method": "random",
    "parameters": {"a.b": {"values": [1, 2]}, "a": {"parameters": {"c": {"value": 3}}}},
}


@needs("sweeps")
def test_dotted_parameter_names_are_looked_up_as_keys():
    # Found in review: splitting paths on "." raised KeyError for W&B names containing dots.
    configs = preview.engine_configs(DOTTED, 4, seed=0)
    text = preview.table(DOTTED, configs)
    header, _, *rows = text.splitlines()
    assert header.split() == ["#", "a.b", "a.c"]
    assert [row.split()[1:] for row in rows] == [[str(c["a.b"]), "3"] for c in configs]
