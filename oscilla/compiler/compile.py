"""``oscilla.compile``: run the passes in order and assemble the CompiledProgram.

normalize -> types -> cycles -> lower -> schedule (+ validation) -> layout -> codegen.
Each pass reports into one DiagnosticCollector; the compile stops after the first pass that found
errors and raises CompileError with all of them.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar

from oscilla.abi import bindings
from oscilla.abi.dispatch import dispatch_grid
from oscilla.blocks.values import ImageShape, Value
from oscilla.codegen.wgsl import generate_commit, generate_kernel, generate_scan, kernel_invocations
from oscilla.compiler.allocate import layout_slots, layout_state, state_copies
from oscilla.compiler.combine import check_combine
from oscilla.compiler.composites import Expansion, expand_composites
from oscilla.compiler.controls import check_controls, patch_channels
from oscilla.compiler.cycles import check_cycles, live_blocks, lowering_order
from oscilla.compiler.display import display_settings
from oscilla.compiler.files import FileRoots
from oscilla.compiler.images import load_images
from oscilla.compiler.infer_types import infer_types
from oscilla.compiler.isolate import isolate, without_blocks
from oscilla.compiler.lower_blocks import Lowered, lower_graph
from oscilla.compiler.normalize import normalize
from oscilla.compiler.schedule import Plan, plan_schedule, validate_schedule
from oscilla.compiler.text import load_texts
from oscilla.diagnostics import CompileError, DiagnosticCollector, did_you_mean
from oscilla.patch import Patch, load_patch
from oscilla.program import (
    DEFAULT_MAX_TEXTURE_DIMENSION,
    CompiledProgram,
    DeviceLimits,
    ImageData,
    KernelSpec,
    SinkSpec,
    SlotMeta,
    TimeRootSpec,
)

P = ParamSpec("P")
R = TypeVar("R")


def _check_observe(observe: object) -> None | str | list[str]:
    """``compile``'s ``observe`` argument, checked before any work: None, ``"all"``, one
    ``"block.port"`` str, or an iterable of str (consumed once, into a list).

    Raises:
        TypeError: anything else (a number, bytes, an iterable with a non-str item), naming it.
    """
    if observe is None or isinstance(observe, str):
        return observe
    if isinstance(observe, (bytes, bytearray, memoryview)) or not isinstance(observe, Iterable):
        raise TypeError(
            f'observe must be None, "all", a "block.port" str or a list of them, '
            f"got {type(observe).__name__} {observe!r:.80}"
        )
    names = list(observe)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise TypeError(
                f'observe[{i}] must be a "block.port" str, got {type(name).__name__} {name!r:.80} '
                f'(observe: None, "all", a "block.port" str or a list of them)'
            )
    return names


def _observed_blocks(observe: None | str | list[str], expansion: Expansion) -> list[str]:
    """The block ids ``observe`` names (its ``"block.port"`` strings up to the last dot; an exposed
    port of a composite instance names the inner block it stands for)."""
    names = [] if observe is None else [observe] if isinstance(observe, str) else observe
    return [expansion.resolve(*_split_name(name))[0] for name in names]


def _split_name(name: str) -> tuple[str, str]:
    blk, _, port = name.rpartition(".")
    return blk, port


def _observe_list(
    observe, g, low, diags: DiagnosticCollector, left_out=frozenset(), expansion: Expansion | None = None
) -> list[tuple[str, Value]]:
    if observe is None:
        return []
    if observe == "all":
        return [(f"{b}.{p}", v) for (b, p), v in low.outputs.items()]
    if isinstance(observe, str):
        observe = [observe]
    out = []
    for name in observe:
        blk, port = _split_name(name)
        if expansion is not None:  # "<instance>.<exposed port>" reads the inner port it stands for
            blk, port = expansion.resolve(blk, port)
        if blk in left_out:
            continue  # left out by error isolation (a W_BLOCK_UNREACHABLE_ERROR says why); not readable
        if blk not in g.blocks:
            diags.add(
                "E_UNKNOWN_PORT",
                f"observe: no block {blk!r} in the patch; " + did_you_mean(blk, list(g.blocks), "blocks"),
                block=blk or None,
                port=port,
            )
            continue
        if (blk, port) in low.outputs:
            out.append((name, low.outputs[(blk, port)]))
        elif (blk, port) in low.inputs:
            out.append((name, low.inputs[(blk, port)]))
        elif g.blocks[blk].defn.input(port) is not None and low.resolve_input is not None:
            out.append((name, low.resolve_input(blk, port)))  # an input its block never read
        else:
            b = g.blocks[blk]
            names = [p.id for p in b.defn.outputs] + [p.id for p in b.defn.inputs]
            diags.add(
                "E_UNKNOWN_PORT",
                f"observe: {b.type} has no port {port!r}; " + did_you_mean(port, names, "ports"),
                block=blk,
                port=port,
            )
    return out


@dataclasses.dataclass
class _Files:
    """Where one compile finds the files its blocks name, the largest texture side, and the images
    decoded so far (a second analysis after isolation reads no file again)."""

    roots: FileRoots
    max_side: int
    cache: dict[Path, ImageData] = dataclasses.field(default_factory=dict)


def _analyze(patch: Patch, diags: DiagnosticCollector, files: _Files):
    """Normalize, load the images, infer types, check combine modes and cycles, reporting every
    independent problem into ``diags`` (each pass works on what the earlier ones could resolve). A
    pass that cannot run on a graph the earlier passes found broken stops the analysis with what was
    found so far."""
    g = normalize(patch, diags)
    g.images = load_images(g, files.roots, files.max_side, diags, files.cache)
    atlases, g.text_layouts = load_texts(g, files.roots, diags)
    g.images.update(atlases)
    try:
        t = infer_types(g, diags)
        check_combine(g, t, diags)
        check_cycles(g, diags)
    except Exception:
        if diags.has_errors():  # a consequence of an error already reported
            raise CompileError(diags.items) from None
        raise
    return g, t


def _check_sink_shapes(low: Lowered, diags: DiagnosticCollector) -> None:
    """E_INSTANCE_MISMATCH for a render sink whose shape is a field of lanes of its own (an Image
    with a per-lane ``frame``, a ShapeSelect with a per-lane ``index``) over another instance than
    the sink's ``pos``: the lanes would not match. (A shape broadcast over any instance is one
    shape: accepted.)"""
    nodes = low.builder.nodes
    for s in low.sinks:
        shape = s.inputs.get("shape")
        if shape is None or shape.instance in (None, s.instance):
            continue
        if all(nodes[n].op == "bcast" for n in shape.nodes):
            continue
        diags.add(
            "E_INSTANCE_MISMATCH",
            f"the shape drawn by {s.block} has one value per lane of instance {shape.instance!r} (a per-lane "
            f"Image frame or ShapeSelect index), but the sink draws the lanes of {s.instance!r}; derive the "
            f"frame or index from {s.instance!r}",
            block=s.block,
            port="shape",
        )


def _sink_spec(
    block: str,
    instance: str,
    lanes: int,
    slots: dict[str, int],
    slot_meta: Sequence[SlotMeta],
    plan: Plan,
    blend: str = "over",
    kind: str = "instances",
    options: dict[str, str] | None = None,
    image: ImageShape | None = None,
) -> SinkSpec:
    """The slots a render sink draws from (its render inputs, path, strokes and the patch's
    camera), its blend mode, its image (an Image shape) and, for a line sink (``kind="lines"``),
    its connect and cap."""
    if kind == "lines":
        opts = options or {}
        width = slots["size"]
        return SinkSpec(
            block=block,
            instance=instance,
            lanes=lanes,
            pos=slots["pos"],
            pos_stride=slot_meta[slots["pos"]].stride,
            color=slots["color"],
            size=width,
            rotation=width,
            scale=width,
            shape=width,
            blend=blend,
            kind="lines",
            camera=plan.camera_slot,
            b=slots.get("b"),
            connect=opts.get("connect", "pairs"),
            cap=opts.get("cap", "butt"),
        )
    return SinkSpec(
        block=block,
        instance=instance,
        lanes=lanes,
        pos=slots["pos"],
        pos_stride=slot_meta[slots["pos"]].stride,
        color=slots["color"],
        size=slots["size"],
        rotation=slots["rotation"],
        scale=slots["scale"],
        shape=slots["shape"],
        path=slots.get("path"),
        camera=plan.camera_slot,
        blend=blend,
        stroke_width=slots.get("strokeWidth"),
        stroke_color=slots.get("strokeColor"),
        image=image.index if image is not None else None,
        image_filter=image.filter if image is not None else "linear",
        image_grid=image.grid if image is not None else (1, 1),
        text=image.text if image is not None else None,
    )


def _grid(k: KernelSpec) -> tuple[int, int]:
    """The kernel's dispatch: an explicit workgroup count (lane-coupled kernels) or the grid that
    covers its invocations."""
    return (k.workgroups, 1) if k.workgroups else dispatch_grid(kernel_invocations(k))


def _gc_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with the cyclic garbage collector paused (restored after, if it was on).

    A compile allocates millions of small objects for a large patch, all alive until it returns,
    and the collector's repeated passes over them cost about a quarter of the time of a
    350,000-block compile (benchmarks/bench_compile_scale.py) while finding nothing to free."""

    @functools.wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@_gc_paused
def compile_patch(
    patch,
    observe=None,
    *,
    limits: DeviceLimits | None = None,
    allow_paths: Iterable[str | os.PathLike[str]] = (),
) -> CompiledProgram:
    """Compile a patch (a :class:`Patch`, dict, JSON text or path) into a CompiledProgram.

    Args:
        patch: anything :func:`oscilla.load_patch` accepts.
        observe: None, ``"all"``, or a ``"block.port"`` string or an iterable of them whose values
            must stay readable with ``Runtime.read`` after each frame.
        limits: the target device's limits (``DeviceLimits.from_device(device)``); when given,
            a program too large for them is E_LIMIT_EXCEEDED here. Without them only the
            device-independent limits are checked (``Runtime`` checks its device at creation);
            images then may be at most 8192 pixels a side (every WebGPU device holds that).
        allow_paths: folders besides the patch's own (``Patch.base_dir``, else the current
            directory) whose trees the files of ``Image.path`` may come from
            (docs/language/rendering.md#images); a path outside all of them is E_PATH_OUTSIDE_PATCH.

    Raises:
        CompileError: with every diagnostic found (codes of docs/language/diagnostics-codes.md#codes).
        TypeError: ``observe`` is not None, a str or an iterable of str (checked before anything else);
            ``allow_paths`` is not a list of folder paths.
    """
    observe = _check_observe(observe)
    patch = load_patch(patch) if not isinstance(patch, Patch) else patch
    files = _Files(
        FileRoots.of(patch.base_dir, allow_paths),
        limits.max_texture_dimension_2d if limits is not None else DEFAULT_MAX_TEXTURE_DIMENSION,
    )
    diags = DiagnosticCollector()
    expansion = Expansion(patch, top_edges=len(patch.edges))
    try:
        expansion = expand_composites(patch, diags)
        program = _compile_expanded(expansion, observe, limits, diags, files)
    except CompileError as e:
        raise CompileError(expansion.explain(e.diagnostics)) from None
    return dataclasses.replace(program, diagnostics=tuple(expansion.explain(list(program.diagnostics))))


def _compile_expanded(
    expansion: Expansion,
    observe: None | str | list[str],
    limits: DeviceLimits | None,
    diags: DiagnosticCollector,
    files: _Files,
) -> CompiledProgram:
    """The rest of :func:`compile_patch`, on the expanded patch (``diags`` holds the expansion's)."""
    patch = expansion.patch
    g, t = _analyze(patch, diags, files)
    controls = check_controls(patch.settings.get("controls", ()), patch_channels(g.blocks.values()), diags)
    final, left_out = isolate(patch, diags.items)
    if any(d.severity == "error" for d in final):
        raise CompileError(final)
    warnings = [d for d in final if d.severity != "error"]
    if left_out:  # compile the rest without the unreachable broken blocks
        diags = DiagnosticCollector()
        g, t = _analyze(without_blocks(patch, left_out), diags, files)
        diags.raise_if_errors()
    diags = DiagnosticCollector(list(warnings))
    # a block that no sink, state, channel or observer needs is not lowered
    live = None if observe == "all" else live_blocks(g, _observed_blocks(observe, expansion))
    low = lower_graph(g, t, lowering_order(g, live))
    for code, message, block, port in low.problems:  # LowerContext.report (ShapeSelect)
        diags.add(code, message, block=block, port=port)
    _check_sink_shapes(low, diags)
    obs = _observe_list(observe, g, low, diags, left_out, expansion)
    diags.raise_if_errors()
    instance_order = list(low.instances)
    plan = plan_schedule(low, obs, instance_order)
    validate_schedule(plan.steps)
    range_elements = bindings.VALUE_RANGE_ELEMENTS  # read now: tests shrink it
    slot_meta = layout_slots(plan, low.instances, range_elements)
    state_layout, const_pool = layout_state(low.builder)
    nodes = tuple(low.builder.nodes)

    wgsl = {}
    kernels = []
    for k in plan.kernels:
        if k.kind == "commit":
            kernel_commits = {c: v for c, v in plan.commits.items() if c not in plan.copied}
            wgsl[k.name] = generate_commit(kernel_commits, slot_meta, state_layout, k.lanes, range_elements)
        elif k.kind == "scan":
            wgsl[k.name] = generate_scan(k, slot_meta, range_elements)
        else:
            wgsl[k.name] = generate_kernel(k, nodes, slot_meta, state_layout, plan.reductions, range_elements)
        kernels.append(dataclasses.replace(k, grid=_grid(k)))

    sinks = tuple(
        _sink_spec(
            s.block,
            s.instance,
            low.instances[s.instance][0],
            plan.sink_slots[s.block],
            slot_meta,
            plan,
            s.blend,
            s.kind,
            s.options,
            s.inputs["shape"].image if "shape" in s.inputs else None,
        )
        for s in low.sinks
    )
    root = g.blocks[g.time_root]
    cfg = root.config
    time_root = TimeRootSpec(
        type=root.type,
        block=root.id,
        period_a_ms=float(cfg.get("periodAMs") or 1000.0),
        period_b_ms=float(cfg.get("periodBMs") or 2000.0),
        period_ms=float(cfg.get("periodMs") or 1000.0),
        mode=str(cfg.get("mode") or "loop"),
        duration_ms=float(cfg.get("durationMs") or 10000.0),
    )
    program = CompiledProgram(
        nodes=nodes,
        slot_meta=slot_meta,
        state_layout=state_layout,
        const_pool=const_pool,
        schedule=tuple(plan.steps),
        kernels=tuple(kernels),
        wgsl=wgsl,
        sinks=sinks,
        ports=dict(plan.ports),
        instances=dict(low.instances),
        time_root=time_root,
        background=g.background,
        **display_settings(patch.settings),
        diagnostics=tuple(d for d in diags.items if d.severity != "error"),
        cells=dict(low.builder.cells),
        tables={slot: low.builder.tables[tid] for slot, tid in plan.tables.items()},
        scratch_size=plan.scratch,
        reductions=dict(plan.reductions),
        stages=plan.stages,
        channels=tuple(low.builder.channels),
        state_copies=state_copies(plan.copied, plan.commits, slot_meta, state_layout),
        images=tuple(low.images),
        controls=controls,
        value_range=range_elements,
    )
    if limits is not None:
        problems = program.limit_diagnostics(limits)
        if problems:
            raise CompileError(problems)
    return program
