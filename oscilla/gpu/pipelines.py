"""The one cache of GPU pipelines and bind-group layouts, per device.

Creating a shader module and pipeline costs milliseconds to seconds (lavapipe compiles the WGSL
to machine code), so every pipeline the runtime and the renderer use comes from here, keyed by
what determines it: the SHA-256 of the shader text, the bind-group-layout description and the
entry point (plus the colour format for render pipelines). Two runtimes of the same program,
or a hot swap back to an earlier program, reuse the same pipelines.

The cache is per device (a device that is garbage-collected takes its entries with it) and
bounded: past :attr:`PipelineCache.max_entries` the least recently used entries are dropped.
Dropping is always safe: a runtime keeps references to the pipelines it runs, the cache only
stops handing them out.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def _freeze(value: Any) -> Hashable:
    """A hashable, order-independent form of a (nested) wgpu descriptor of dicts and lists."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value if isinstance(value, Hashable) else repr(value)


def shader_key(code: str) -> str:
    """SHA-256 hex digest of a shader's text: the identity of its module."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class PipelineCache:
    """Device-keyed LRU of pipelines and bind-group layouts.

    Args:
        max_entries: entries kept per device before the least recently used are dropped.
    """

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._per_device: weakref.WeakKeyDictionary[Any, OrderedDict[Hashable, Any]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get_or_build(self, device: Any, key: Hashable, build: Callable[[], T]) -> T:
        """The object cached under ``key`` for ``device``, built by ``build()`` on a miss."""
        with self._lock:
            entries = self._per_device.setdefault(device, OrderedDict())
            if key in entries:
                entries.move_to_end(key)
                return entries[key]
        value = build()  # outside the lock: compiling a shader can take seconds
        with self._lock:
            entries[key] = value
            while len(entries) > self.max_entries:
                entries.popitem(last=False)
        return value

    def size(self, device: Any) -> int:
        """Entries currently cached for ``device``."""
        return len(self._per_device.get(device, ()))

    def bind_group_layout(self, device: Any, entries: Sequence[dict], label: str = "") -> Any:
        """A ``GPUBindGroupLayout`` for ``entries`` (wgpu's dict form), one per distinct description."""
        key = ("bind_group_layout", _freeze(list(entries)))
        return self.get_or_build(
            device, key, lambda: device.create_bind_group_layout(label=label, entries=list(entries))
        )

    def compute_pipeline(
        self,
        device: Any,
        code: str,
        layout_entries: Sequence[Sequence[dict]] | None = None,
        entry_point: str = "main",
        label: str = "",
    ) -> Any:
        """A compute pipeline running ``entry_point`` of the WGSL ``code``.

        Args:
            layout_entries: one list of bind-group-layout entries per bind group (explicit
                layout; the layouts come from :meth:`bind_group_layout`), or None for
                ``layout="auto"`` (read it back with ``pipeline.get_bind_group_layout(i)``).
        """
        frozen = None if layout_entries is None else _freeze([list(e) for e in layout_entries])
        key = ("compute", shader_key(code), frozen, entry_point)

        def build() -> Any:
            module = self.shader_module(device, code, label)
            layout: Any = "auto"
            if layout_entries is not None:
                groups = [self.bind_group_layout(device, e, label) for e in layout_entries]
                layout = device.create_pipeline_layout(label=label, bind_group_layouts=groups)
            return device.create_compute_pipeline(
                label=label, layout=layout, compute={"module": module, "entry_point": entry_point}
            )

        return self.get_or_build(device, key, build)

    def shader_module(self, device: Any, code: str, label: str = "") -> Any:
        """The ``GPUShaderModule`` of ``code`` (one per distinct text)."""
        return self.get_or_build(
            device, ("module", shader_key(code)), lambda: device.create_shader_module(label=label, code=code)
        )


#: the process-wide cache every runtime and renderer uses
PIPELINES = PipelineCache()
