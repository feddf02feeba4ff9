"""The JSON Schema for editors (``oscilla schema``), generated from the block registry: a valid
draft 2020-12 schema that accepts every example, names every block type and built-in composite,
and flags what an editor should flag (a misspelled param, an out-of-range value)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from support.paths import EXAMPLES
from typer.testing import CliRunner

from oscilla.blocks.editor_schema import editor_schema
from oscilla.blocks.registry import all_types, composite_types
from oscilla.cli import app

SCHEMA = editor_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def errors(patch: dict) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(patch)]


def test_it_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_validates(path):
    assert errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_every_type_is_offered_with_a_description():
    offered = [o["const"] for o in SCHEMA["$defs"]["block"]["properties"]["type"]["anyOf"] if "const" in o]
    assert offered == all_types() + composite_types()
    assert {"SmoothNoise", "PingPong", "ColorCycle", "DelayedTrigger", "Lag"} <= set(offered)
    assert set(SCHEMA["$defs"]["params"]) == set(offered)


def _one(block: dict) -> dict:
    return {"oscilla": 2, "blocks": [{"id": "time", "type": "InfiniteTimeRoot"}, block]}


def test_params_ports_and_ranges_come_from_the_registry():
    assert errors(_one({"id": "l", "type": "Lag", "params": {"smoothing": 0.5, "initialValue": 1}})) == []
    assert any("'smoothnig'" in m for m in errors(_one({"id": "l", "type": "Lag", "params": {"smoothnig": 0.5}})))
    assert errors(_one({"id": "d", "type": "DelayFrames", "params": {"frames": 0}}))  # range 1 ... 2^31-1
    assert errors(_one({"id": "c", "type": "RenderInstances2D", "params": {"blend": "lighten"}}))  # an enum
    assert errors(_one({"id": "s", "type": "SmoothNoise", "params": {"smoothing": 0.5, "initialValue": 0}})) == []
    assert errors(_one({"id": "s", "type": "PingPong", "params": {"smoothing": 0.5}}))  # not one of PingPong's
    assert errors(_one({"id": "m", "type": "MyOwnComposite", "params": {"anything": 1}})) == []


def test_the_schema_command_prints_it():
    r = CliRunner().invoke(app, ["schema"])
    assert r.exit_code == 0
    assert json.loads(r.output) == json.loads(json.dumps(SCHEMA))
