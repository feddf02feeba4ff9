"""Benchmark: loading large patch files through the one loader (oscilla/patch/loader.py).

The patch: an InfiniteTimeRoot and a chain of N - 1 ``Add`` blocks, each with one param and one
edge from the previous block (about 100 bytes of JSON per block: 350,000 blocks are ~35 MB, the
size issue 9 measured). The table gives, per size, the file size and the seconds (wall clock, and
CPU time of this process in brackets: the machine may be shared) of ``load_patch(path)`` and of
its steps: read + decode, JSON parse, structure check, building the Patch. Figures are the best
of ``--repeat`` runs. A broken file (every block with an unknown key "parms") shows the cost of
the error path, which explains at most 50 blocks and counts the rest.

    python benchmarks/bench_load.py [--blocks 10000,100000,350000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path

from oscilla.diagnostics import CompileError
from oscilla.patch import load_patch
from oscilla.patch.loader import decode_patch_bytes, parse_patch_json
from oscilla.patch.model import Patch
from oscilla.patch.schema import check_patch_data, gc_paused


def chain_patch(n: int, *, broken: bool = False) -> dict:
    """An InfiniteTimeRoot and n - 1 Add blocks in a chain (``parms`` instead of ``params`` when broken)."""
    key = "parms" if broken else "params"
    blocks = [{"id": "time", "type": "InfiniteTimeRoot"}]
    edges = []
    prev = "time.phaseA"
    for i in range(n - 1):
        blocks.append({"id": f"m{i}", "type": "Add", key: {"b": 0.001}})
        edges.append({"from": prev, "to": f"m{i}.a"})
        prev = f"m{i}.out"
    return {"oscilla": 1, "blocks": blocks, "edges": edges}


def _timed(fn, *args, **kwargs):
    gc.collect()
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, time.process_time() - c


def measure(path: Path, repeat: int) -> dict[str, tuple[float, float]]:
    best: dict[str, tuple[float, float]] = {}

    def keep(name, wall, cpu):
        if name not in best or wall < best[name][0]:
            best[name] = (wall, cpu)

    for _ in range(repeat):
        _, w, c = _timed(_load_or_diagnose, path)
        keep("load", w, c)
        with gc_paused():  # the steps as load_patch runs them
            text, w, c = _timed(_read, path)
            keep("read", w, c)
            data, w, c = _timed(parse_patch_json, text)
            keep("parse", w, c)
            diags, w, c = _timed(check_patch_data, data, ints_checked=True, text_checked=True)
            keep("check", w, c)
            if not diags:
                _, w, c = _timed(Patch.from_checked_dict, data, copy=False)
                keep("build", w, c)
            del data, text
    return best


def _read(path: Path) -> str:
    return decode_patch_bytes(path.read_bytes())


def _load_or_diagnose(path: Path):
    try:
        return load_patch(path)
    except CompileError as e:
        return e.diagnostics


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--blocks", default="10000,100000,350000", help="comma-separated block counts")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"uptime: {os.popen('uptime').read().strip()}")
    head = ["blocks", "file", "MB", "load s", "read+decode", "JSON parse", "check", "build"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.blocks.split(",")):
            for broken in (False, True):
                path = Path(tmp) / f"chain-{n}{'-broken' if broken else ''}.json"
                path.write_text(json.dumps(chain_patch(n, broken=broken)), encoding="utf-8")
                best = measure(path, args.repeat)

                def cell(k, best=best):
                    return f"{best[k][0]:.2f} ({best[k][1]:.2f})" if k in best else "-"

                row = [f"{n:,}", "broken" if broken else "valid", f"{path.stat().st_size / 1e6:.1f}"]
                row += [cell(k) for k in ("load", "read", "parse", "check", "build")]
                print("| " + " | ".join(row) + " |", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()
