"""The stateful test patch of the distributed tests: a UnitDelay accumulator, a Lag and trails (feedback.json's
two rings, plus a Lag on a radius and trails 0.8), so every frame depends on all frames before it."""

import json

from support.paths import EXAMPLES_DIR


def stateful_patch(**params) -> dict:
    """examples/feedback.json with trails 0.8 and a Lag (``smoothing`` 0.2) driving ring B's radius;
    ``params`` ("block.param" -> value) set on its blocks."""
    patch = json.loads((EXAMPLES_DIR / "feedback.json").read_text())
    patch["settings"] = {"trails": 0.8}
    patch["blocks"] += [
        {"id": "lag", "type": "Lag", "params": {"smoothing": 0.2}},
        {"id": "radius", "type": "Multiply", "params": {"b": 0.3}},
    ]
    patch["edges"] += [
        {"from": "time.phaseA", "to": "lag.target"},
        {"from": "lag.out", "to": "radius.a"},
        {"from": "radius.out", "to": "circB.radius"},
    ]
    for key, value in params.items():
        block, _, name = key.rpartition(".")
        next(b for b in patch["blocks"] if b["id"] == block).setdefault("params", {})[name] = value
    return patch
