"""Benchmark: compiler scale, ``oscilla check`` of very large patches (no GPU).

Three generated patches (``--only`` picks one):

- ``chain N`` (default 10,000): Array(100) -> GridLayout -> RenderInstances2D, and ``array.t``
  through a chain of N lane-local math blocks (``Add`` 1.0001, ``Multiply`` 0.9999, ``Sin`` in
  turn) into ``size``: N + 4 blocks, N + 2 edges, one fused field kernel.
- ``wide N`` (default 350,000 blocks, 33 MB of JSON): a small drawn core plus chains of 10
  blocks (Const -> Add -> ... -> Add) that reach no sink, so every one of them is a
  W_GRAPH_DISCONNECTED_BLOCK warning.
- ``loose N`` (default 350,000 blocks, 26 MB): the core plus unconnected Add, Multiply,
  Oscillator and Const blocks with inline params (no edges between them): disconnected too.

For each, the table gives the JSON size, the time to load it (``load_patch``: parse + schema
validation, measured apart), the time to compile the loaded :class:`Patch` (``compile_patch``:
normalize ... codegen, what this benchmark tracks) in wall-clock and in CPU seconds of this
process (the machine is shared: CPU time is the steadier figure), the time to format the CLI's
diagnostic report (``format_report``, which summarizes beyond 50 of one code), their sum (what
``oscilla check`` costs) and the number of lines that report prints. Note ``uptime`` next to them.

    python benchmarks/bench_compile_scale.py [--chain 10000] [--wide 350000] [--loose 350000]
        [--only chain|wide|loose] [--profile chain|wide|loose]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
from pathlib import Path

from oscilla.compiler.compile import compile_patch
from oscilla.diagnostic_report import format_report
from oscilla.diagnostics import CompileError
from oscilla.patch import load_patch

CORE_BLOCKS = [
    {"id": "time", "type": "InfiniteTimeRoot"},
    {"id": "array", "type": "Array", "params": {"count": 100}},
    {"id": "grid", "type": "GridLayout"},
    {"id": "draw", "type": "RenderInstances2D"},
]
CORE_EDGES = [
    {"from": "array.elements", "to": "grid.elements"},
    {"from": "grid.position", "to": "draw.pos"},
]


def chain_patch(n: int) -> dict:
    """Array -> GridLayout -> RenderInstances2D with ``array.t`` through ``n`` math blocks into size."""
    blocks, edges = list(CORE_BLOCKS), list(CORE_EDGES)
    prev = "array.t"
    for i in range(n):
        op = ("Add", "Multiply", "Sin")[i % 3]
        params = {"Add": {"b": 1.0001}, "Multiply": {"b": 0.9999}, "Sin": {}}[op]
        blocks.append({"id": f"m{i}", "type": op, **({"params": params} if params else {})})
        edges.append({"from": prev, "to": f"m{i}.input" if op == "Sin" else f"m{i}.a"})
        prev = f"m{i}.result" if op == "Sin" else f"m{i}.out"
    edges.append({"from": prev, "to": "draw.size"})
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def wide_patch(n: int, run: int = 10) -> dict:
    """A drawn core plus ``n`` - 4 blocks in disconnected chains of ``run`` (Const, then Adds)."""
    blocks, edges = list(CORE_BLOCKS), list(CORE_EDGES)
    for i in range(n - len(blocks)):
        if i % run == 0:
            blocks.append({"id": f"c{i}", "type": "Const", "params": {"value": i % 7}})
        else:
            blocks.append({"id": f"c{i}", "type": "Add", "params": {"b": 0.5}})
            edges.append({"from": f"c{i - 1}.out", "to": f"c{i}.a"})
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def loose_patch(n: int) -> dict:
    """A drawn core plus ``n`` - 4 unconnected blocks with inline params (Add, Multiply,
    Oscillator, Const in turn), no edges between them."""
    blocks, edges = list(CORE_BLOCKS), list(CORE_EDGES)
    kinds = [
        ("Add", {"a": 0.25, "b": 0.5}),
        ("Multiply", {"a": 2.0, "b": 0.5}),
        ("Oscillator", {"phase": 0.5, "amplitude": 0.5}),
        ("Const", {"value": 1.5}),
    ]
    for i in range(n - len(blocks)):
        kind, params = kinds[i % len(kinds)]
        blocks.append({"id": f"block{i}", "type": kind, "params": params})
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def measure(name: str, patch: dict, profile: bool = False) -> dict:
    """Write ``patch`` to a file, then time load and compile separately; count the printed lines."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.json"
        path.write_text(json.dumps(patch))
        size_mb = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        model = load_patch(path)
        t1 = time.perf_counter()
        c1 = time.process_time()
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        try:
            diagnostics = list(compile_patch(model).diagnostics)
            outcome = "ok"
        except CompileError as e:
            diagnostics, outcome = e.diagnostics, "errors"
        t2 = time.perf_counter()
        c2 = time.process_time()
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        lines = format_report(model, diagnostics)
        t3 = time.perf_counter()
    return {
        "patch": name,
        "blocks": len(patch["blocks"]),
        "edges": len(patch["edges"]),
        "MB": f"{size_mb:.1f}",
        "load s": f"{t1 - t0:.2f}",
        "compile s": f"{t2 - t1:.2f}",
        "compile CPU s": f"{c2 - c1:.2f}",
        "report s": f"{t3 - t2:.2f}",
        "check s": f"{t3 - t0:.2f}",
        "result": outcome,
        "diagnostics": len(diagnostics),
        "lines printed": len(lines),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chain", type=int, default=10_000)
    ap.add_argument("--wide", type=int, default=350_000)
    ap.add_argument("--loose", type=int, default=350_000)
    ap.add_argument("--only", choices=("chain", "wide", "loose"))
    ap.add_argument("--profile", choices=("chain", "wide", "loose"), help="print a cProfile of that compile")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    if args.only in (None, "chain"):
        rows.append(measure(f"chain {args.chain}", chain_patch(args.chain), args.profile == "chain"))
    if args.only in (None, "wide"):
        rows.append(measure(f"wide {args.wide}", wide_patch(args.wide), args.profile == "wide"))
    if args.only in (None, "loose"):
        rows.append(measure(f"loose {args.loose}", loose_patch(args.loose), args.profile == "loose"))
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
