"""``settings.controls`` (docs/guide/controls.md): the controls a patch declares, checked against the
channels its blocks read and turned into :class:`~oscilla.program.ControlSpec` records.

The patch schema (:mod:`oscilla.patch.schema`) has already checked the keys and JSON types; this
checks what needs the patch: every control names a channel some block reads (for an ``xy`` pad,
``<channel>.x`` or ``<channel>.y``), its range is ``min < max`` within the f32 range, its default
lies in the range (a toggle's is ``min`` or ``max``, a trigger's is ``min``), and no channel is
declared twice. Each problem is one E_CONTROL_INVALID error naming the control.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from oscilla.diagnostics import DiagnosticCollector, did_you_mean
from oscilla.program import ControlSpec

#: the largest magnitude of a control's range: the largest finite f32 (channels are f32 on the GPU)
MAX_MAGNITUDE = 3.4028234663852886e38


def _where(i: int, channel: str) -> str:
    return f"settings.controls[{i}] (channel {channel!r})"


def check_controls(
    controls: Sequence[Mapping[str, Any]], channels_read: Iterable[str], diags: DiagnosticCollector
) -> tuple[ControlSpec, ...]:
    """The controls as records; every problem is an E_CONTROL_INVALID error in ``diags`` (the bad
    control is left out of the result).

    Args:
        controls: ``settings.controls`` after the schema check (a list of objects).
        channels_read: every channel name a block of the patch reads (ExternalInput's ``channel``,
            ExternalVec2's ``<base>.x`` / ``<base>.y``), live or not.
        diags: where the diagnostics go.

    Defaults: ``kind`` slider, ``min`` 0, ``max`` 1, ``default`` ``min`` (an xy pad: the middle of
    the range on both axes), ``label`` the channel name.
    """
    read = set(channels_read)
    out: list[ControlSpec] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(controls):
        channel, kind = str(c["channel"]), str(c.get("kind", "slider"))
        where = _where(i, channel)
        lo, hi = float(c.get("min", 0.0)), float(c.get("max", 1.0))
        problems: list[str] = []
        names: tuple[str, ...] = (f"{channel}.x", f"{channel}.y") if kind == "xy" else (channel,)
        if not read.intersection(names):
            known = sorted(read)
            hint = did_you_mean(channel, known, "channels") if known else "the patch reads no external channel"
            if kind != "xy" and {f"{channel}.x", f"{channel}.y"} & read:
                x, y = f"{channel}.x", f"{channel}.y"
                hint = f'an ExternalVec2 reads {channel!r} as {x!r} and {y!r}: use "kind": "xy"'
            what = " and ".join(repr(n) for n in names)
            what = f"channels {what}" if kind == "xy" else f"channel {what}"
            problems.append(f"no block reads the {what} (an ExternalInput, ExternalGate or ExternalVec2); {hint}")
        if not (abs(lo) <= MAX_MAGNITUDE and abs(hi) <= MAX_MAGNITUDE):
            problems.append(f"min and max must lie within the f32 range (±{MAX_MAGNITUDE:.4g}), got {lo:g}..{hi:g}")
        elif not lo < hi:
            problems.append(f"bad range: min must be less than max, got min {lo:g} and max {hi:g}")
        raw = c.get("default")
        default: tuple[float, ...]
        if raw is None:
            default = ((lo + hi) / 2.0,) * 2 if kind == "xy" else (lo,)
        elif isinstance(raw, (list, tuple)):
            default = tuple(float(v) for v in raw)
            if kind != "xy":
                problems.append(f"default must be one number for a {kind} (a pair is for an xy pad), got {list(raw)}")
        else:
            default = (float(raw),) * (2 if kind == "xy" else 1)
        if not problems and lo < hi:
            if any(not lo <= v <= hi for v in default):
                shown = default[0] if len(default) == 1 else list(default)
                problems.append(f"default {shown} lies outside the range {lo:g}..{hi:g}")
            elif kind == "toggle" and default[0] not in (lo, hi):
                problems.append(f"a toggle's default must be min ({lo:g}, off) or max ({hi:g}, on), got {default[0]:g}")
            elif kind == "trigger" and default[0] != lo:
                problems.append(f"a trigger rests at min ({lo:g}); its default must be min, got {default[0]:g}")
        for name in names:
            if name in seen:
                problems.append(f"channel {name!r} already has a control (settings.controls[{seen[name]}])")
        for p in problems:
            diags.add("E_CONTROL_INVALID", f"{where}: {p}")
        if problems:
            continue
        for name in names:
            seen[name] = i
        label = str(c.get("label") or channel)
        out.append(ControlSpec(channel=channel, kind=kind, lo=lo, hi=hi, default=default, label=label))
    return tuple(out)


def patch_channels(blocks: Iterable[Any]) -> set[str]:
    """Every channel name the normalized blocks read (``defn.external_channels(config)``)."""
    out: set[str] = set()
    for b in blocks:
        if b.defn.external_channels is not None:
            out.update(b.defn.external_channels(b.config))
    return out
