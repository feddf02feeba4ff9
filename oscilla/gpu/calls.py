"""Counting the wgpu-py API calls a piece of code makes (benchmarks: wgpu calls per frame).

:class:`WgpuCalls` is a context manager that, while active, wraps every public method of the
wgpu-py backend classes (``GPUDevice``, ``GPUQueue``, ``GPUCommandEncoder``, the pass encoders,
...) with a counter and a clock, and restores them on exit. Only outermost calls count: a wgpu-py
method that calls another one internally is one call, as the user of the API sees it. The
wrapping costs about a microsecond per call, so host times measured while it is active are not
the real ones; measure those separately.

:func:`patch_method` is the one primitive: replace one method of one class for the duration of a
``with`` block (used by :func:`oscilla.runtime.profiling.profile_passes` to add timestamp writes
to every pass a frame begins).
"""

from __future__ import annotations

import inspect
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: a counted method whose name starts with one of these creates a shader module or pipeline
PIPELINE_CREATION = ("create_shader_module", "create_compute_pipeline", "create_render_pipeline")


def backend_classes(device: Any) -> list[type]:
    """The wgpu-py classes of ``device``'s backend module (``GPUDevice``, ``GPUQueue``, ...), the
    module of ``type(device)``; classes whose name starts with ``GPU``."""
    module = sys.modules[type(device).__module__]
    return [c for name, c in vars(module).items() if name.startswith("GPU") and isinstance(c, type)]


@contextmanager
def patch_method(cls: type, name: str, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    """Within the block, ``cls.name`` is ``wrap(original)``; afterwards it is as before (its own
    attribute restored, or removed when it was inherited)."""
    own = name in vars(cls)
    saved = vars(cls)[name] if own else None
    original = getattr(cls, name)
    setattr(cls, name, wrap(original))
    try:
        yield
    finally:
        if own:
            setattr(cls, name, saved)
        else:
            delattr(cls, name)


class WgpuCalls:
    """Counts (and times) the wgpu-py method calls made while the ``with`` block runs.

    Args:
        device: any object of the backend to instrument (a ``GPUDevice``); its module's classes
            are wrapped.

    Attributes:
        counts: ``"Class.method"`` -> outermost calls made (``"GPUQueue.submit"``: 1 ...).
        seconds: ``"Class.method"`` -> wall-clock seconds spent in those calls.

    Not re-entrant; another thread's wgpu calls during the block are counted too.
    """

    def __init__(self, device: Any):
        self._classes = backend_classes(device)
        self.counts: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}
        self._local = threading.local()
        self._saved: list[tuple[type, str, bool, Any]] = []

    @property
    def total(self) -> int:
        """All outermost calls counted."""
        return sum(self.counts.values())

    def count(self, method: str) -> int:
        """Calls of every method named ``method`` (``"dispatch_workgroups"``), whatever the class."""
        return sum(n for k, n in self.counts.items() if k.rpartition(".")[2] == method)

    def pipeline_seconds(self) -> float:
        """Seconds spent creating shader modules and pipelines (:data:`PIPELINE_CREATION`)."""
        return sum(s for k, s in self.seconds.items() if k.rpartition(".")[2].startswith(PIPELINE_CREATION))

    def _wrap(self, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        local, counts, seconds = self._local, self.counts, self.seconds

        def counted(*args: Any, **kwargs: Any) -> Any:
            if getattr(local, "depth", 0):
                return fn(*args, **kwargs)
            local.depth = 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - t0
                counts[key] += 1
                local.depth = 0

        return counted

    def __enter__(self) -> WgpuCalls:
        for cls in self._classes:
            for name in dir(cls):
                if name.startswith("_"):
                    continue
                static = inspect.getattr_static(cls, name)
                if not inspect.isfunction(static):  # properties, static/class methods, constants
                    continue
                own = name in vars(cls)
                self._saved.append((cls, name, own, vars(cls).get(name)))
                setattr(cls, name, self._wrap(f"{cls.__name__}.{name}", static))
        return self

    def __exit__(self, *exc: object) -> None:
        for cls, name, own, saved in reversed(self._saved):
            if own:
                setattr(cls, name, saved)
            else:
                delattr(cls, name)
        self._saved.clear()
