"""The one cache of GPU pipelines and bind-group layouts, per device.

Creating a shader module and pipeline costs milliseconds to seconds (lavapipe compiles the WGSL
to machine code), so every pipeline the runtime and the renderer use comes from here, keyed by
what determines it: the SHA-256 of the shader text, the bind-group-layout description and the
entry point (plus the colour format for render pipelines). Two runtimes of the same program,
or a hot swap back to an earlier program, reuse the same pipelines.

Bounded memory
--------------
A live session swaps in a program it has never seen at every edit, and each new kernel is a new
shader module and pipeline (on lavapipe about 64 bytes of driver memory per character of WGSL:
~12 for the module, the rest for the machine code). The cache is per device (a device that is
garbage-collected takes its entries with it) and is a least-recently-used cache bounded two ways,
whichever bites first:

- :attr:`PipelineCache.max_entries` entries (default 256), and
- :attr:`PipelineCache.max_bytes` *estimated* bytes (default 32 MiB): a shader module or pipeline
  is charged :data:`BYTES_PER_WGSL_CHAR` per character of its WGSL (measured on lavapipe, see
  docs/performance.md#memory-over-a-live-session), a bind-group layout :data:`LAYOUT_BYTES`.

Entries a running program uses are **pinned** and never evicted: :func:`build_program
<oscilla.runtime.gpu_program.build_program>` takes a :class:`Pins` from :meth:`PipelineCache.pins`,
passes it to every lookup and releases it when the program is replaced (``ProgramResources.release``)
or garbage-collected. Pinning a pipeline also pins its shader module and bind-group layouts. The
bounds apply to all entries, but only unpinned ones are evicted: with more pinned entries than
the bound (programs larger than the cache) the cache holds exactly the pinned ones.

Dropping is always safe: a runtime keeps references to the pipelines it runs, the cache only
stops handing them out; the driver frees an evicted pipeline when its last user lets go of it.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

#: estimated driver bytes per character of WGSL of a shader module and its pipeline together
#: (lavapipe: ~12 for the module, ~50 for the compiled pipeline; real GPU drivers use less)
BYTES_PER_WGSL_CHAR = 64
#: share of :data:`BYTES_PER_WGSL_CHAR` charged to the shader module entry (the pipeline gets the rest)
MODULE_BYTES_PER_WGSL_CHAR = 12
#: estimated bytes of a bind-group or pipeline layout
LAYOUT_BYTES = 1024


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


@dataclass
class _Entry:
    value: Any
    nbytes: int
    deps: tuple[Hashable, ...] = ()
    pins: int = 0


@dataclass
class _Store:
    """One device's entries, least recently used first, and their estimated bytes."""

    entries: OrderedDict[Hashable, _Entry] = field(default_factory=OrderedDict)
    nbytes: int = 0


class Pins:
    """Entries of one device's cache held by one user (a running program): never evicted until
    :meth:`release`. Obtain with :meth:`PipelineCache.pins`; pass as ``pins=`` to the lookups."""

    def __init__(self, cache: PipelineCache, device: Any):
        self._cache = cache
        self._device = weakref.ref(device)
        self._keys: Counter[Hashable] = Counter()
        self.released = False

    def __len__(self) -> int:
        """Distinct entries pinned (a pipeline, its module and layouts count separately)."""
        return len(self._keys)

    def release(self) -> None:
        """Unpin every entry (idempotent); they become evictable, least recently used first."""
        if self.released:
            return
        self.released = True
        device = self._device()
        if device is not None:
            self._cache._unpin(device, self._keys)
        self._keys.clear()


class PipelineCache:
    """Device-keyed LRU of pipelines and bind-group layouts, bounded by count and estimated bytes.

    Args:
        max_entries: entries kept per device; past it the least recently used unpinned
            entries are dropped.
        max_bytes: estimated bytes kept per device (see the module docstring); past it the least
            recently used unpinned entries are dropped.
    """

    def __init__(self, max_entries: int = 256, max_bytes: int = 32 << 20):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._per_device: weakref.WeakKeyDictionary[Any, _Store] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    # -- core ----------------------------------------------------------------------------------
    def _store(self, device: Any) -> _Store:
        store = self._per_device.get(device)
        if store is None:
            store = self._per_device[device] = _Store()
        return store

    def get_or_build(
        self,
        device: Any,
        key: Hashable,
        build: Callable[[], T],
        *,
        nbytes: int = 0,
        deps: Iterable[Hashable] = (),
        pins: Pins | None = None,
    ) -> T:
        """The object cached under ``key`` for ``device``, built by ``build()`` on a miss.

        Args:
            nbytes: estimated bytes the object holds (counted against :attr:`max_bytes`).
            deps: keys of entries the object was built from (pinned together with it).
            pins: pin the entry (and its deps) for this user; it is not evicted until
                ``pins.release()``.
        """
        with self._lock:
            store = self._store(device)
            entry = store.entries.get(key)
            if entry is not None:
                store.entries.move_to_end(key)
                if pins is not None:
                    self._pin(store, key, pins)
                return entry.value
        value = build()  # outside the lock: compiling a shader can take seconds
        with self._lock:
            store = self._store(device)
            entry = store.entries.get(key)
            if entry is None:  # (unless another thread built it meanwhile)
                entry = _Entry(value, int(nbytes), tuple(d for d in deps if d in store.entries))
                store.entries[key] = entry
                store.nbytes += entry.nbytes
            else:
                store.entries.move_to_end(key)
            if pins is not None:
                self._pin(store, key, pins)
            self._evict(store)
            return entry.value

    def _pin(self, store: _Store, key: Hashable, pins: Pins) -> None:
        if pins.released:
            raise ValueError("these pins were released; take new ones with PipelineCache.pins()")
        entry = store.entries[key]
        for k in (key, *entry.deps):
            e = store.entries.get(k)
            if e is not None:
                e.pins += 1
                pins._keys[k] += 1

    def _unpin(self, device: Any, keys: Counter[Hashable]) -> None:
        with self._lock:
            store = self._per_device.get(device)
            if store is None:
                return
            for k, n in keys.items():
                e = store.entries.get(k)
                if e is not None:
                    e.pins = max(0, e.pins - n)
            self._evict(store)

    def _evict(self, store: _Store) -> None:
        """Drop least recently used unpinned entries until both bounds hold (or only pinned
        entries are left)."""
        if len(store.entries) <= self.max_entries and store.nbytes <= self.max_bytes:
            return
        for key in [k for k, e in store.entries.items() if e.pins == 0]:
            if len(store.entries) <= self.max_entries and store.nbytes <= self.max_bytes:
                break
            store.nbytes -= store.entries.pop(key).nbytes

    # -- introspection -------------------------------------------------------------------------
    def pins(self, device: Any) -> Pins:
        """A new, empty set of pins on ``device``'s entries (one per running program)."""
        return Pins(self, device)

    def size(self, device: Any) -> int:
        """Entries currently cached for ``device``."""
        store = self._per_device.get(device)
        return len(store.entries) if store is not None else 0

    def nbytes(self, device: Any) -> int:
        """Estimated bytes of the entries currently cached for ``device``."""
        store = self._per_device.get(device)
        return store.nbytes if store is not None else 0

    def pinned(self, device: Any) -> int:
        """Entries of ``device`` pinned by at least one user."""
        store = self._per_device.get(device)
        return sum(1 for e in store.entries.values() if e.pins) if store is not None else 0

    def clear(self, device: Any) -> None:
        """Drop every unpinned entry of ``device``."""
        with self._lock:
            store = self._per_device.get(device)
            if store is None:
                return
            for key in [k for k, e in store.entries.items() if e.pins == 0]:
                store.nbytes -= store.entries.pop(key).nbytes

    # -- typed lookups -------------------------------------------------------------------------
    def bind_group_layout(self, device: Any, entries: Sequence[dict], label: str = "", pins: Pins | None = None) -> Any:
        """A ``GPUBindGroupLayout`` for ``entries`` (wgpu's dict form), one per distinct description."""
        return self.get_or_build(
            device,
            self._layout_key(entries),
            lambda: device.create_bind_group_layout(label=label, entries=list(entries)),
            nbytes=LAYOUT_BYTES,
            pins=pins,
        )

    @staticmethod
    def _layout_key(entries: Sequence[dict]) -> Hashable:
        return ("bind_group_layout", _freeze(list(entries)))

    def compute_pipeline(
        self,
        device: Any,
        code: str,
        layout_entries: Sequence[Sequence[dict]] | None = None,
        entry_point: str = "main",
        label: str = "",
        pins: Pins | None = None,
        constants: dict[str, float] | None = None,
    ) -> Any:
        """A compute pipeline running ``entry_point`` of the WGSL ``code``.

        Args:
            constants: values of the shader's ``override`` declarations (part of the key).
            layout_entries: one list of bind-group-layout entries per bind group (explicit
                layout; the layouts come from :meth:`bind_group_layout`), or None for
                ``layout="auto"`` (read it back with ``pipeline.get_bind_group_layout(i)``).
            pins: pin the pipeline, its module and layouts for this user (see :class:`Pins`).
        """
        frozen = None if layout_entries is None else _freeze([list(e) for e in layout_entries])
        skey = shader_key(code)
        overrides = dict(constants or {})
        key = ("compute", skey, frozen, entry_point, tuple(sorted(overrides.items())))
        deps: list[Hashable] = [("module", skey)]
        if layout_entries is not None:
            deps += [self._layout_key(e) for e in layout_entries]

        def build() -> Any:
            module = self.shader_module(device, code, label)
            layout: Any = "auto"
            if layout_entries is not None:
                groups = [self.bind_group_layout(device, e, label) for e in layout_entries]
                layout = device.create_pipeline_layout(label=label, bind_group_layouts=groups)
            stage: dict[str, Any] = {"module": module, "entry_point": entry_point}
            if overrides:
                stage["constants"] = overrides
            return device.create_compute_pipeline(label=label, layout=layout, compute=stage)

        nbytes = (BYTES_PER_WGSL_CHAR - MODULE_BYTES_PER_WGSL_CHAR) * len(code) + LAYOUT_BYTES
        return self.get_or_build(device, key, build, nbytes=nbytes, deps=deps, pins=pins)

    def shader_module(self, device: Any, code: str, label: str = "", pins: Pins | None = None) -> Any:
        """The ``GPUShaderModule`` of ``code`` (one per distinct text)."""
        return self.get_or_build(
            device,
            ("module", shader_key(code)),
            lambda: device.create_shader_module(label=label, code=code),
            nbytes=MODULE_BYTES_PER_WGSL_CHAR * len(code),
            pins=pins,
        )


#: the process-wide cache every runtime and renderer uses
PIPELINES = PipelineCache()
