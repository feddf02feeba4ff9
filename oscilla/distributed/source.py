"""What a worker needs to rebuild a program: the patch as data, the image size and the frame rate.

A :class:`ProgramSource` is small and picklable, so it travels to workers on other machines
(which need not see the client's files); each worker compiles it once and keeps the program.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from oscilla.compiler.compile import compile_patch
from oscilla.patch import Patch
from oscilla.program import CompiledProgram
from oscilla.runtime.executor import Runtime, render_sink_error

_compiled_lock = threading.Lock()
#: the last program compiled in this process, by source key (a worker renders one patch at a time)
_compiled: dict[str, CompiledProgram] = {}


@dataclass(frozen=True)
class ProgramSource:
    """A patch (its docs/language/patch-format.md dict), the image ``size`` (width, height pixels)
    and ``fps`` (frames per second; frame k is at t = k·1000/fps ms, as in the serial export)."""

    patch: dict[str, Any] = field(hash=False, compare=False)
    size: tuple[int, int]
    fps: float
    key: str = ""

    @classmethod
    def of(cls, patch: Patch | dict[str, Any], size: tuple[int, int], fps: float) -> ProgramSource:
        """The source of a Patch (or patch dict); the key is the sha256 of the canonical JSON, size and fps."""
        data = patch.to_dict() if isinstance(patch, Patch) else dict(patch)
        text = json.dumps([data, list(size), float(fps)], sort_keys=True, separators=(",", ":"))
        return cls(data, (int(size[0]), int(size[1])), float(fps), hashlib.sha256(text.encode()).hexdigest())

    def frame_time(self, k: int) -> float:
        """t (ms) of frame ``k``: k·(1000/fps), the product the serial export steps (bit for bit)."""
        return k * (1000.0 / self.fps)

    def program(self) -> CompiledProgram:
        """The compiled program (compiled once per process).

        Raises:
            CompileError: the patch does not compile, or it has no render sink (W_NO_RENDER_SINK).
        """
        with _compiled_lock:
            program = _compiled.get(self.key)
            if program is None:
                program = compile_patch(Patch.from_dict(self.patch))
                problem = render_sink_error(program)
                if problem is not None:
                    raise problem
                _compiled.clear()
                _compiled[self.key] = program
            return program

    def new_runtime(self) -> Runtime:
        """A fresh Runtime at frame 0 on this process's device, as the serial export builds it (with
        trails, the kept previous frame has the export size)."""
        program = self.program()
        if program.trails <= 0.0:
            return Runtime(program)
        return Runtime(program, size=self.size)
