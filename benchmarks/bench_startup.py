"""Benchmark: time to first pixel, each run in a fresh Python process (median of ``--runs``).

Two ways to the first pixel:

- **cli**: ``oscilla render PATCH -o x.png`` (wall clock of the whole process: interpreter start,
  imports, device, compile, pipelines, first frame, PNG, exit);
- **api**: ``import oscilla; load_patch; compile; Runtime; step; render``, timed phase by phase
  inside the process: imports (wgpu separately: its import parses wgpu.h with cffi), adapter
  enumeration, device creation, compile, ``Runtime(program)`` (buffers and pipelines), the first
  step (first dispatch, waited for), the first render + readback, then a second step + render for
  contrast. The process also counts the distinct C type names cffi converts for wgpu-py (and the
  ms spent on them) and the ms inside ``create_shader_module`` / ``create_*_pipeline``.

Each is run with the start-up workarounds of oscilla/gpu/device.py on and off
(``prepare_wgpu``: the cffi fast path of oscilla/gpu/cffi_types.py and the instance restricted to
the modern backends), interleaved run by run (in an order that rotates) so that the machine's
load falls on all variants alike. The rendered images of every variant must be identical
(checked). Tables are Markdown, as docs/performance.md quotes them; ``uptime`` is printed before
and after.

    python benchmarks/bench_startup.py [--runs 7] [--patch examples/golden-spiral.json]
        [--variants none,types,backends,all] [--modes cli,api] [--profile out.prof]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: variant -> (cffi fast path on, backends restricted)
VARIANTS = {
    "none": (False, False),
    "types": (True, False),
    "backends": (False, True),
    "all": (True, True),
}
PHASES = (
    "import wgpu",
    "import oscilla (+ numpy ...)",
    "adapter enumeration",
    "device creation",
    "load + compile",
    "Runtime(program): buffers, pipelines",
    "first step (dispatch, waited)",
    "first render + readback",
    "second step + render",
)


# -- the child process ---------------------------------------------------------------------------
def _disable(variant: str) -> None:
    """Turn off the workarounds ``variant`` leaves out (before oscilla's first wgpu call)."""
    from oscilla.gpu import device

    types, backends = VARIANTS[variant]
    if not types:
        device.speed_up_ctypes = lambda: False
    if not backends:
        device.restrict_backends = lambda: False


class _Meter:
    """Per-phase seconds of cffi type conversion and of shader/pipeline creation, by wrapping."""

    def __init__(self) -> None:
        self.phase = "start"
        self.cffi_s: dict[str, float] = {}
        self.cffi_n: dict[str, float] = {}
        self.pipe_s: dict[str, float] = {}

    def add(self, table: dict, seconds: float) -> None:
        table[self.phase] = table.get(self.phase, 0.0) + seconds

    def wrap_ffi(self, ffi) -> None:
        slow = ffi._typeof_locked  # called once per distinct type string (cffi's cache misses)

        def typeof(cdecl):
            t = time.perf_counter()
            try:
                return slow(cdecl)
            finally:
                self.add(self.cffi_s, time.perf_counter() - t)
                self.add(self.cffi_n, 1)

        ffi._typeof_locked = typeof

    def wrap_pipelines(self, device_cls) -> None:
        for name in ("create_shader_module", "create_compute_pipeline", "create_render_pipeline"):
            original = getattr(device_cls, name)

            def timed(*args, _original=original, **kwargs):
                t = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.add(self.pipe_s, time.perf_counter() - t)

            setattr(device_cls, name, timed)


def child_api(patch: str, variant: str, png: str) -> dict:
    """Run the API path once in this (fresh) process; returns the phase table."""
    meter = _Meter()
    phases: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        phases[name] = now - t
        t = now
        meter.phase = PHASES[PHASES.index(name) + 1] if name != PHASES[-1] else "end"

    meter.phase = PHASES[0]
    from wgpu.backends.wgpu_native import GPUDevice, ffi  # imports wgpu: cffi parses wgpu.h

    lap("import wgpu")
    meter.wrap_ffi(ffi)
    meter.wrap_pipelines(GPUDevice)
    import numpy as np

    import oscilla as osc
    from oscilla.gpu import device as gpu

    osc.Runtime, osc.compile, osc.load_patch  # noqa: B018  (the lazy imports, as a user triggers them)
    _disable(variant)
    lap("import oscilla (+ numpy ...)")
    meter.phase = "adapter enumeration"
    spent = _time_request_device(meter)
    t0 = time.perf_counter()
    gpu.get_device()  # prepare_wgpu, instance, enumeration, adapter choice, then request_device
    total = time.perf_counter() - t0
    phases["adapter enumeration"] = total - spent[0]
    phases["device creation"] = spent[0]
    t = time.perf_counter()
    meter.phase = "load + compile"
    program = osc.compile(osc.load_patch(patch))
    lap("load + compile")
    rt = osc.Runtime(program)
    lap("Runtime(program): buffers, pipelines")
    rt.step(0.0)
    rt.wait()
    lap("first step (dispatch, waited)")
    img = rt.render(512, 512)
    lap("first render + readback")
    rt.step(1000.0 / 60.0)
    rt.render(512, 512)
    lap("second step + render")
    from oscilla.export.png import save_png

    save_png(img, png, program.background)
    return {
        "phases": phases,
        "cffi_ms": {k: 1e3 * v for k, v in meter.cffi_s.items()},
        "cffi_types": meter.cffi_n,
        "pipelines_ms": {k: 1e3 * v for k, v in meter.pipe_s.items()},
        "image": hashlib.sha256(np.ascontiguousarray(img).tobytes()).hexdigest(),
        "adapter": gpu.adapter_summary(),
    }


def _time_request_device(meter: _Meter) -> list[float]:
    """Time ``GPUAdapter.request_device_sync`` (into the returned one-item list, seconds) and
    count what happens inside it as the "device creation" phase."""
    from wgpu.backends.wgpu_native import GPUAdapter

    original = GPUAdapter.request_device_sync
    spent = [0.0]

    def timed(self, *args, **kwargs):
        meter.phase = "device creation"
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t

    GPUAdapter.request_device_sync = timed
    return spent


def child_cli(patch: str, variant: str, png: str) -> None:
    """``oscilla render PATCH -o PNG`` in this process, with ``variant``'s workarounds only."""
    _disable(variant)
    from oscilla.cli import main

    sys.argv = ["oscilla", "render", patch, "-o", png]
    try:
        main()
    except SystemExit as e:
        if e.code:
            raise


# -- the parent ----------------------------------------------------------------------------------
def _run(mode: str, variant: str, patch: str, png: str, profile: str | None = None) -> tuple[float, dict]:
    cmd = [sys.executable]
    if profile:
        cmd += ["-m", "cProfile", "-o", profile]
    cmd += [__file__, "--child", mode, "--variant", variant, "--patch", patch, "--png", png]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if out.returncode:
        raise SystemExit(f"{mode}/{variant} failed:\n{out.stderr}")
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    return wall, json.loads(lines[-1]) if lines else {}


def _png_digest(path: str) -> str:
    from PIL import Image

    return hashlib.sha256(Image.open(path).tobytes()).hexdigest()


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "(uptime not available)"


def _ms(values: list[float]) -> str:
    return f"{1e3 * statistics.median(values):.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--patch", default="examples/golden-spiral.json")
    ap.add_argument("--variants", default="none,all", help="comma list of " + ", ".join(VARIANTS))
    ap.add_argument("--modes", default="cli,api", help="comma list of cli, api")
    ap.add_argument("--profile", help="also write a cProfile of one api run (variant: the first) here")
    ap.add_argument("--child", choices=("api", "cli"), help=argparse.SUPPRESS)
    ap.add_argument("--variant", default="all", help=argparse.SUPPRESS)
    ap.add_argument("--png", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "api":
        print(json.dumps(child_api(args.patch, args.variant, args.png)))
        return
    if args.child == "cli":
        child_cli(args.patch, args.variant, args.png)
        return

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in ("cli", "api") for m in modes):
        ap.error("--modes takes cli, api or both")
    print(f"load before: {_uptime()}")
    walls: dict[tuple[str, str], list[float]] = {}
    reports: dict[str, list[dict]] = {v: [] for v in variants}
    digests: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            _run("api", variants[0], args.patch, f"{tmp}/p.png", profile=args.profile)
        for i in range(args.runs):
            for v in variants[i % len(variants) :] + variants[: i % len(variants)]:  # rotated: no variant always first
                for mode in modes:
                    png = f"{tmp}/{mode}-{v}-{i}.png"
                    wall, report = _run(mode, v, args.patch, png)
                    walls.setdefault((mode, v), []).append(wall)
                    digests.add(_png_digest(png))
                    if report:
                        reports[v].append(report)
            print(f"  run {i + 1}/{args.runs} done", file=sys.stderr)
    print(f"load after:  {_uptime()}")
    if "api" not in modes:
        for v in variants:
            print(f"| cli: oscilla render, whole process, {v} (ms) | {_ms(walls['cli', v])} |")
        return
    print(f"device: {reports[variants[0]][0]['adapter']}; patch {args.patch}; median of {args.runs} fresh processes")
    print(f"images identical across variants and modes: {'yes' if len(digests) == 1 else 'NO'}\n")

    head = "| phase (ms) | " + " | ".join(variants) + " |"
    print(head)
    print("|---|" + "---|" * len(variants))
    if "cli" in modes:
        print("| **cli: oscilla render, whole process** | " + " | ".join(_ms(walls["cli", v]) for v in variants) + " |")
    print("| **api: whole process** | " + " | ".join(_ms(walls["api", v]) for v in variants) + " |")
    for name in PHASES:
        cells = []
        for v in variants:
            cell = _ms([r["phases"][name] for r in reports[v]])
            cffi = [r["cffi_ms"].get(name, 0.0) for r in reports[v]]
            pipes = [r["pipelines_ms"].get(name, 0.0) for r in reports[v]]
            extra = []
            if statistics.median(cffi) >= 0.5:
                n = round(reports[v][0]["cffi_types"].get(name, 0))
                extra.append(f"cffi {statistics.median(cffi):.0f} ({n} types)")
            if statistics.median(pipes) >= 0.5:
                extra.append(f"pipelines {statistics.median(pipes):.0f}")
            cells.append(cell + (f" ({'; '.join(extra)})" if extra else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")
    inside = {v: [sum(r["phases"][p] for p in PHASES[:-1]) for r in reports[v]] for v in variants}
    print("| api: sum of phases to the first pixel | " + " | ".join(_ms(inside[v]) for v in variants) + " |")
    rest = {v: [w - s for w, s in zip(walls["api", v], inside[v], strict=True)] for v in variants}
    print("| api: interpreter start, second frame, PNG, exit | " + " | ".join(_ms(rest[v]) for v in variants) + " |")
    total_cffi = {v: [sum(r["cffi_ms"].values()) for r in reports[v]] for v in variants}
    print(
        "| api: cffi type conversion, all phases | "
        + " | ".join(
            f"{statistics.median(total_cffi[v]):.0f} ({round(sum(reports[v][0]['cffi_types'].values()))} types)"
            for v in variants
        )
        + " |"
    )


if __name__ == "__main__":
    main()
