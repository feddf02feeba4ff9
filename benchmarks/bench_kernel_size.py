"""Benchmark: how long the driver takes to compile one generated kernel, by kernel size.

Generates chains of N math blocks, compiles each patch and times, for its kernels, the driver's
``create_shader_module`` + ``create_compute_pipeline`` (through a fresh
:class:`oscilla.gpu.pipelines.PipelineCache`, so nothing is cached) and the first dispatch
(llvmpipe builds a pipeline's machine code lazily, at its first dispatch). Chains:

- ``signal``: ``time.phaseA`` -> N blocks -> ``draw.size``: one signal kernel (scalar ``let`` s);
- ``field``: ``array.t + time.phaseA`` over 1,000 lanes -> N blocks -> ``draw.size``: one field
  kernel (vec4 ``let`` s, four lanes per invocation);

each either ``add`` (every block ``Add`` 0.001: the 10,000-block chain of issue 9 is the signal one)
or ``mixed`` (``Add`` 0.001, ``Multiply`` 0.999, ``Sin`` in turn; a ``sin`` is about 100 times
slower to compile than an addition).

Tables (markdown, quoted in docs/performance.md#kernel-size):

1. the crossover: one kernel per patch with splitting off: WGSL KB, ``let`` s of the entry point,
   compile time and compile time per ``let``, which grows with the kernel's size;
2. ``--budget-chain N``: the whole program of an N-block chain for several budgets (``off``: one
   kernel), which is where :data:`oscilla.compiler.schedule.KERNEL_BUDGET_LETS` comes from;
3. ``--render``: wall and CPU time of ``oscilla render`` of issue 9's 10,000-block chain, in a fresh
   process with Mesa's shader cache off (a first run), splitting off (before) and on (after).

Set ``MESA_SHADER_CACHE_DISABLE=true`` for tables 1 and 2 as well, or a second run measures
Mesa's on-disk cache instead of the compiler (it is set for the subprocesses of table 3).

    MESA_SHADER_CACHE_DISABLE=true python benchmarks/bench_kernel_size.py
        [--sizes 250,500,1000,2000,4000] [--kinds signal,field] [--ops add,mixed]
        [--budget-chain 4000] [--budgets 64,128,256,512,1024,off] [--render] [--no-crossover]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import wgpu

import oscilla as osc
from oscilla.abi.bindings import group_entries, layout_entries
from oscilla.compiler import schedule
from oscilla.gpu import device as gpu
from oscilla.gpu.pipelines import PipelineCache
from oscilla.runtime.clock import UNIFORM_SIZE
from oscilla.runtime.gpu_program import Dispatch, _bind_group_buffers, encode_dispatches
from oscilla.runtime.stores import create_runtime_state

OFF = 10**9  # a budget no kernel reaches: splitting off


def chain_patch(n_blocks: int, kind: str = "signal", ops: str = "add", lanes: int = 1_000) -> dict:
    """A patch whose one kernel of ``kind`` ("signal" or "field") computes a chain of ``n_blocks``
    math blocks: ``ops`` "add" (``Add`` 0.001 each) or "mixed" (``Add`` 0.001, ``Multiply`` 0.999,
    ``Sin``, repeating)."""
    blocks = [
        {"id": "time", "type": "InfiniteTimeRoot"},
        {"id": "array", "type": "Array", "params": {"count": lanes}},
        {"id": "grid", "type": "GridLayout"},
        {"id": "draw", "type": "RenderInstances2D"},
    ]
    edges = [{"from": "array.elements", "to": "grid.elements"}, {"from": "grid.position", "to": "draw.pos"}]
    prev = "time.phaseA"
    if kind == "field":
        blocks.append({"id": "x0", "type": "Add"})
        edges += [{"from": "array.t", "to": "x0.a"}, {"from": "time.phaseA", "to": "x0.b"}]
        prev = "x0.out"
    for i in range(n_blocks):
        op = "Add" if ops == "add" else ("Add", "Multiply", "Sin")[i % 3]
        if op == "Sin":
            blocks.append({"id": f"m{i}", "type": "Sin"})
            edges.append({"from": prev, "to": f"m{i}.input"})
            prev = f"m{i}.result"
        else:
            blocks.append({"id": f"m{i}", "type": op, "params": {"b": 0.001 if op == "Add" else 0.999}})
            edges.append({"from": prev, "to": f"m{i}.a"})
            prev = f"m{i}.out"
    edges.append({"from": prev, "to": "draw.size"})
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


@contextlib.contextmanager
def budget(lets: int) -> Iterator[None]:
    """Compile with ``lets`` as the kernel-size budget (:data:`OFF` turns splitting off)."""
    old = schedule.KERNEL_BUDGET_LETS
    schedule.KERNEL_BUDGET_LETS = lets
    try:
        yield
    finally:
        schedule.KERNEL_BUDGET_LETS = old


def compile_ms(device, program, kernel) -> tuple[float, float]:
    """Milliseconds to (create the shader module and compute pipeline, run the first dispatch)
    of ``kernel``, uncached. llvmpipe builds the machine code of a pipeline lazily, at its first
    dispatch, so the second figure is mostly compilation (one dispatch of these kernels runs in
    well under a millisecond)."""
    cache = PipelineCache()
    uniform = device.create_buffer(size=UNIFORM_SIZE, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST)
    stores = create_runtime_state(program, device)
    scratch = gpu.create_storage_buffer(device, 4 * program.scratch_size, "bench.scratch")
    layouts = layout_entries(kernel.phase, wgpu.ShaderStage.COMPUTE)
    entries = group_entries(_bind_group_buffers(uniform, stores, scratch))
    group = device.create_bind_group(layout=cache.bind_group_layout(device, layouts), entries=entries)
    t0 = time.perf_counter()
    pipeline = cache.compute_pipeline(device, program.wgsl[kernel.name], [layouts], label="bench")
    t1 = time.perf_counter()
    enc = device.create_command_encoder()
    encode_dispatches(enc, [Dispatch(kernel.name, pipeline, kernel.grid)], group)
    device.queue.submit([enc.finish()])
    gpu.wait_idle(stores.values.buffers["f32"])
    t2 = time.perf_counter()
    for buf in [*stores.values.buffers.values(), *stores.state.buffers.values(), scratch, uniform]:
        buf.destroy()
    return (t1 - t0) * 1000.0, (t2 - t1) * 1000.0


def best_ms(device, program, kernel, repeats: int) -> tuple[float, float]:
    """:func:`compile_ms` of ``kernel``, the run with the smallest total of ``repeats`` (each
    compiles a new pipeline; on a shared machine the smallest is the least disturbed)."""
    return min((compile_ms(device, program, kernel) for _ in range(repeats)), key=sum)


def lets(code: str) -> int:
    """``let`` s of IR nodes in the kernel's entry point (``v<k>`` values and ``h<k>`` colour
    calls; not the prelude's helper functions nor a field kernel's ``inv``, ``lane0``, ``li4``):
    what :data:`~oscilla.compiler.schedule.KERNEL_BUDGET_LETS` counts."""
    return len(re.findall(r"^    let [vh]\d+", code[code.index("fn main(") :], flags=re.M))


def crossover_table(device, sizes: list[int], kinds: list[str], opsets: list[str], repeats: int) -> None:
    print(f"\n### 1. One kernel, splitting off: compile time by size (best of {repeats})\n")
    print("| chain | blocks | WGSL KB | lets | module + pipeline ms | first dispatch ms | total ms | µs per let |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in kinds:
        for ops in opsets:
            for n in sizes:
                with budget(OFF):
                    program = osc.compile(chain_patch(n, kind, ops))
                k = max((k for k in program.kernels if k.kind == kind), key=lambda k: len(program.wgsl[k.name]))
                code = program.wgsl[k.name]
                create, first = best_ms(device, program, k, repeats)
                n_lets, ms = lets(code), create + first
                print(
                    f"| {kind} {ops} | {n} | {len(code) / 1024:.1f} | {n_lets} | {create:.0f} | {first:.0f} "
                    f"| {ms:.0f} | {1000 * ms / n_lets:.0f} |",
                    flush=True,
                )


def budget_table(device, n: int, kinds: list[str], opsets: list[str], budgets: list[int], repeats: int) -> None:
    print(f"\n### 2. A {n}-block chain by budget: every kernel of the program (best of {repeats} each)\n")
    print(
        "| chain | budget (lets) | kernels | largest kernel lets | module + pipeline ms | first dispatches ms "
        "| total ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for kind in kinds:
        for ops in opsets:
            for lim in budgets:
                with budget(lim):
                    program = osc.compile(chain_patch(n, kind, ops))
                times = [best_ms(device, program, k, repeats) for k in program.kernels]
                create, first = sum(t[0] for t in times), sum(t[1] for t in times)
                big = max(lets(program.wgsl[k.name]) for k in program.kernels)
                shown = "off" if lim >= OFF else str(lim)
                print(
                    f"| {kind} {ops} | {shown} | {len(program.kernels)} | {big} | {create:.0f} | {first:.0f} "
                    f"| {create + first:.0f} |",
                    flush=True,
                )


_RENDER = """
import sys
from oscilla.compiler import schedule
if sys.argv[1] != "default":
    schedule.KERNEL_BUDGET_LETS = int(sys.argv[1])
from oscilla.cli import main
sys.argv = ["oscilla", "render", sys.argv[2], "-o", sys.argv[3]]
main()
"""


def render_table(n: int = 10_000) -> None:
    """``oscilla render`` of issue 9's chain (``time.phaseA`` through ``n`` ``Add`` 0.001 blocks
    into the size), each in a fresh process with Mesa's shader cache off."""
    print(f"\n### 3. `oscilla render` of a {n}-block chain (first run: Mesa shader cache off)\n")
    print("| splitting | kernels | wall s | CPU s (user + sys) |")
    print("|---|---|---|---|")
    patch = chain_patch(n, "signal", "add", lanes=100)
    env = dict(os.environ, MESA_SHADER_CACHE_DISABLE="true")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "chain.json")
        with open(path, "w") as f:
            json.dump(patch, f)
        for label, lim in (("off (before)", str(OFF)), (f"budget {schedule.KERNEL_BUDGET_LETS} (after)", "default")):
            with budget(OFF if lim != "default" else schedule.KERNEL_BUDGET_LETS):
                kernels = len(osc.compile(patch).kernels)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", _RENDER, lim, path, os.path.join(tmp, "out.png")],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            print(f"| {label} | {kernels} | {wall:.1f} | {cpu:.1f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250,500,1000,2000,4000", help="table 1: chain lengths (blocks)")
    ap.add_argument("--kinds", default="signal,field", help="chain kinds: signal, field")
    ap.add_argument("--ops", default="add,mixed", help="chain ops: add, mixed")
    ap.add_argument("--no-crossover", action="store_true", help="skip table 1")
    ap.add_argument("--budget-chain", type=int, default=0, help="table 2: a chain of this many blocks by budget")
    ap.add_argument("--budgets", default="64,128,256,512,1024,off", help="table 2: budgets in lets, or off")
    ap.add_argument("--render", action="store_true", help="table 3: oscilla render before/after (minutes)")
    ap.add_argument(
        "--repeats", type=int, default=2, help="tables 1 and 2: compile each kernel this often, keep the best"
    )
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    opsets = [o for o in args.ops.split(",") if o]
    device = gpu.get_device()
    print(f"device: {gpu.adapter_summary()}; load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"shipped budget: KERNEL_BUDGET_LETS = {schedule.KERNEL_BUDGET_LETS}")
    if os.environ.get("MESA_SHADER_CACHE_DISABLE") != "true":
        print("note: MESA_SHADER_CACHE_DISABLE is not 'true'; a repeated kernel may come from Mesa's disk cache")
    warm = osc.compile(chain_patch(10))
    compile_ms(device, warm, warm.kernels[0])  # the first pipeline of a process pays for set-up
    if not args.no_crossover:
        crossover_table(device, [int(s) for s in args.sizes.split(",")], kinds, opsets, args.repeats)
    if args.budget_chain:
        budgets = [OFF if b == "off" else int(b) for b in args.budgets.split(",")]
        budget_table(device, args.budget_chain, kinds, opsets, budgets, args.repeats)
    if args.render:
        render_table()
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
