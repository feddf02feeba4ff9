"""Pass 3, cycle validation (docs/language/state-and-cycles.md#cycles, invariant I7) and the lowering order.

Tarjan's strongly connected components over the enabled edges. An SCC of more than one block, or
a block wired to itself, is legal only if it contains a UnitDelay or DelayFrames (a block whose
output depends only on committed state). Otherwise it is E_CYCLE_DETECTED.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from oscilla.compiler.graph import Graph
from oscilla.diagnostics import DiagnosticCollector


def strongly_connected(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's SCC algorithm (iterative); returns the components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def _acyclic(succ: dict[str, list[str]]) -> bool:
    """Whether the graph ``succ`` has no cycle (Kahn's algorithm: every node can be removed)."""
    indeg: dict[str, int] = {}
    for targets in succ.values():
        for t in targets:
            indeg[t] = indeg.get(t, 0) + 1
    ready = [v for v in succ if v not in indeg]
    removed = 0
    while ready:
        v = ready.pop()
        for t in succ.get(v, ()):
            n = indeg[t] - 1
            indeg[t] = n
            if n == 0:
                ready.append(t)
                removed += 1
    return removed == len(indeg)  # every node with an incoming edge was freed


def check_cycles(g: Graph, diags: DiagnosticCollector) -> None:
    """Report E_CYCLE_DETECTED once per cycle that does not cross a state boundary.

    The SCCs are computed over the enabled edges minus the edges INTO UnitDelay / DelayFrames
    (their outputs depend only on committed state, so those edges never close a cycle within a
    frame). This is the rule of docs/language/state-and-cycles.md#cycles made exact: an SCC that contains a UnitDelay
    but also a smaller cycle that bypasses it (e.g. a block wired to itself) is still reported. The target is
    the first block of the offending SCC in patch order.
    """
    succ: dict[str, list[str]] = {}
    self_loops = set()
    for e in g.edges:
        if g.blocks[e.dst_block].defn.closes_cycles:
            continue
        succ.setdefault(e.src_block, []).append(e.dst_block)
        if e.src_block == e.dst_block:
            self_loops.add(e.src_block)
    if not self_loops and _acyclic(succ):
        return  # the usual case, without the cost of Tarjan's bookkeeping
    order = list(g.blocks)
    for comp in strongly_connected(order, succ):
        if len(comp) == 1 and comp[0] not in self_loops:
            continue
        members = sorted(comp, key=lambda b: g.blocks[b].order)
        inside = set(comp)
        first = next(
            e
            for e in g.edges
            if e.src_block in inside and e.dst_block in inside and not g.blocks[e.dst_block].defn.closes_cycles
        )
        diags.add(
            "E_CYCLE_DETECTED",
            f"feedback cycle without a state boundary through blocks {', '.join(members)}; every cycle "
            f"must pass a UnitDelay or DelayFrames: insert a UnitDelay between "
            f"{first.src_block}.{first.src_port} and {first.dst_block}.{first.dst_port}",
            block=members[0],
        )


def lowering_order(g: Graph, only: set[str] | None = None) -> list[str]:
    """Blocks in dependency order (patch order among ready blocks); edges into cycle-closing
    blocks are ignored because those blocks' outputs depend only on committed state.

    ``only`` restricts the order to a set of blocks closed under "upstream of" (such as
    :func:`live_blocks`): the result is the full order with the other blocks left out, since
    those blocks feed none of ``only``."""
    indeg = {b: 0 for b in g.blocks} if only is None else {b: 0 for b in g.blocks if b in only}
    succ: dict[str, list[str]] = {}
    for e in g.edges:
        if e.dst_block not in indeg or g.blocks[e.dst_block].defn.closes_cycles:
            continue
        succ.setdefault(e.src_block, []).append(e.dst_block)
        indeg[e.dst_block] += 1
    ready = [(g.blocks[b].order, b) for b, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, b = heapq.heappop(ready)
        out.append(b)
        for s in succ.get(b, ()):
            indeg[s] -= 1
            if indeg[s] == 0:
                heapq.heappush(ready, (g.blocks[s].order, s))
    return out


def live_blocks(g: Graph, observed: Iterable[str] = ()) -> set[str]:
    """The blocks whose lowering can matter, and every block upstream of them over enabled edges.

    The roots are what the program keeps whether or not anything reads it: the render sinks and
    the camera, the time root, stateful blocks (their state persists, migrates on a swap and can be
    read with ``read_state``), blocks that read external channels (the channels a program reads),
    and the blocks named in ``observed``. Every other block reaches no root: its values would be
    lowered to IR only to be dropped by the schedule, so it is not lowered (a 350,000-block patch
    of disconnected blocks compiles in a fraction of the time). Linear in blocks + edges."""
    preds: dict[str, list[str]] = {}
    for e in g.edges:
        preds.setdefault(e.dst_block, []).append(e.src_block)
    live = {
        b.id
        for b in g.blocks.values()
        if b.defn.sink or b.defn.time_root or b.defn.stateful or b.defn.external_channels is not None
    }
    live.update(b for b in observed if b in g.blocks)
    stack = list(live)
    while stack:
        for p in preds.get(stack.pop(), ()):
            if p not in live:
                live.add(p)
                stack.append(p)
    return live
