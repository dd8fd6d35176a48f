import json
from pathlib import Path

import jsonschema
import pytest

from sweepbridge import schemas

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.schema.json")), ids=lambda p: p.name)
def test_schema_is_valid_under_its_metaschema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert schemas.load(path.name) == schema


def test_broken_schema_is_caught():
    with pytest.raises(jsonschema.SchemaError):
        jsonschema.validators.validator_for({}).check_schema({"type": "no-such-type"})
