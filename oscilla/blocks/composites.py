"""The built-in composites (docs/language/composites.md#built-in-composites): block chains that a
patch uses like block types, defined as data in the same format as a patch's own ``composites``.

They follow the reference project's library composites (the TypeScript oscilla-animator): the
same names, exposed ports and inner blocks. Where the reference's definition is a placeholder
(its ColorCycle outputs a constant colour), the definition here does what the name says; the
language page documents each one.
"""

from __future__ import annotations

from typing import Any

from oscilla.patch import Composite

_BUILTIN_DATA: dict[str, dict[str, Any]] = {
    "SmoothNoise": {
        "description": "Smooth random values: Noise filtered through Lag (smoothing 0.9) for organic modulation.",
        "blocks": [
            {"id": "noise", "type": "Noise"},
            {"id": "lag", "type": "Lag", "params": {"smoothing": 0.9}},
        ],
        "edges": [{"from": "noise.out", "to": "lag.target"}],
        "inputs": {"x": "noise.x", "smoothing": "lag.smoothing"},
        "outputs": {"out": "lag.out"},
        "params": {"initialValue": "lag.initialValue"},
    },
    "PingPong": {
        "description": "Triangle wave 0 -> 1 -> 0: out = 1 - |2·phase - 1| of a Phasor at `frequency` Hz; "
        "`phase` is the Phasor's sawtooth.",
        "blocks": [
            {"id": "phasor", "type": "Phasor"},
            {"id": "tri", "type": "Expression", "params": {"expression": "1 - abs(2 * in0 - 1)"}},
        ],
        "edges": [{"from": "phasor.out", "to": "tri.in0"}],
        "inputs": {"frequency": "phasor.frequency"},
        "outputs": {"out": "tri.out", "phase": "phasor.out"},
        "params": {"initialPhase": "phasor.initialPhase"},
    },
    "ColorCycle": {
        "description": "A colour whose hue turns once per cycle of a Phasor at `frequency` Hz "
        "(hsv2rgb(frac(phase + hue), sat, val)); `phase` is the Phasor's sawtooth.",
        "blocks": [
            {"id": "phasor", "type": "Phasor"},
            {"id": "hsv", "type": "ColorLFO"},
        ],
        "edges": [{"from": "phasor.out", "to": "hsv.phase"}],
        "inputs": {"frequency": "phasor.frequency", "hue": "hsv.hue", "sat": "hsv.sat", "val": "hsv.val"},
        "outputs": {"color": "hsv.color", "phase": "phasor.out"},
        "params": {"initialPhase": "phasor.initialPhase"},
    },
    "DelayedTrigger": {
        "description": "Sample-and-hold delayed by one frame: `immediate` latches `value` when `trigger` fires, "
        "`out` is that latch one frame later (a UnitDelay), for sequenced animations.",
        "blocks": [
            {"id": "sampleHold", "type": "SampleHold"},
            {"id": "delay", "type": "UnitDelay"},
        ],
        "edges": [{"from": "sampleHold.out", "to": "delay.in"}],
        "inputs": {"value": "sampleHold.value", "trigger": "sampleHold.trigger"},
        "outputs": {"out": "delay.out", "immediate": "sampleHold.out"},
        "params": {"initialValue": ["sampleHold.initialValue", "delay.initialValue"]},
    },
}

#: built-in composite name -> definition, in catalog order
BUILTIN_COMPOSITES: dict[str, Composite] = {
    name: Composite.from_checked_dict(data) for name, data in _BUILTIN_DATA.items()
}


def builtin_composite(name: str) -> Composite | None:
    """The built-in composite ``name``, or None."""
    return BUILTIN_COMPOSITES.get(name)


def builtin_composite_data(name: str) -> dict[str, Any]:
    """The definition of built-in composite ``name`` as patch JSON (what a patch's own
    ``composites`` entry would hold).

    Raises:
        KeyError: ``name`` is not a built-in composite.
    """
    return BUILTIN_COMPOSITES[name].to_dict()
