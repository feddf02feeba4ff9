"""The JSON of a result follows its shipped JSON Schema, and the schema rejects what it should."""

import copy
import json

import jsonschema
import pytest
from support.bench_results import synthetic_result

from oscilla.benchmark.result import SCHEMA_VERSION, schema, validate


def test_the_schema_is_a_valid_json_schema_shipped_as_package_data():
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["properties"]["version"] == {"const": SCHEMA_VERSION}


def test_a_result_validates_after_a_round_trip_through_json():
    result = synthetic_result({("oscilla", 100): 1.5, ("reference", 100): 3.0, ("oscilla", 1000): 4.0})
    data = json.loads(result.to_json())
    validate(data)
    assert [(r["runtime"], r["lanes"]) for r in data["rows"]] == [
        ("oscilla", 100),
        ("reference", 100),
        ("oscilla", 1000),
    ]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(version=2),
        lambda d: d.pop("device"),
        lambda d: d["rows"][0].update(runtime="numba"),
        lambda d: d["rows"][0].update(frame_ms_median=-1.0),
        lambda d: d["rows"][0].update(lanes=0),
        lambda d: d["rows"][0].pop("gpu_pass_ms"),
        lambda d: d["rows"][0].update(extra=1),
        lambda d: d["settings"].update(size=[512]),
    ],
)
def test_the_schema_rejects_a_spoiled_result(spoil):
    data = synthetic_result({("oscilla", 100): 1.5}).to_dict()
    bad = copy.deepcopy(data)
    spoil(bad)
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)
