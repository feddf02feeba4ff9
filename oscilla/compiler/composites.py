"""Composite expansion, the first step of normalization (docs/language/composites.md).

A block whose type names a composite (one of the patch's ``composites`` or a built-in one of
:mod:`oscilla.blocks.composites`) is replaced by the composite's inner blocks, with the derived
ids ``<instance>/<inner id>`` (``a/b/c`` when composites nest), so their state cells migrate
across hot swaps like any block's. Edges to ``<instance>.<input>`` and from
``<instance>.<output>`` are rewritten to the inner ports the composite exposes; the instance's
params set the inner params (and inline input values) they are mapped to.

The patch's own edges keep their indices in the expanded patch (the inner edges follow them), so
diagnostics about them still point at the file. :meth:`Expansion.explain` adds to each
diagnostic about an inner block or edge the composite instance and inner name it comes from.

Definitions are checked whether or not they are used: an exposed name mapped to an inner block
or port that does not exist, a composite named like a block type or a built-in composite, a
name exposed both as an input and a param (E_COMPOSITE_INVALID); a composite that contains
itself, directly or through others (E_COMPOSITE_RECURSIVE); nesting deeper than
:data:`MAX_COMPOSITE_DEPTH` or an expansion beyond :data:`MAX_EXPANDED_BLOCKS` blocks
(E_LIMIT_EXCEEDED). Instances of a refused composite are left out (with their edges).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from oscilla.blocks.registry import block_def, composite_def, composite_types
from oscilla.diagnostics import Diagnostic, DiagnosticCollector, did_you_mean
from oscilla.patch import FORMAT_VERSION, Block, Composite, Edge, Patch
from oscilla.patch.schema import split_endpoint

#: the most levels composites may nest (a composite using a composite is 2 levels)
MAX_COMPOSITE_DEPTH = 8
#: the most blocks that the expansion of all composite instances of one patch may produce
MAX_EXPANDED_BLOCKS = 1_000_000


@dataclass(frozen=True)
class Instance:
    """One expanded composite instance.

    Attributes:
        id: its id in the expanded patch (``"sn"``, or ``"outer/sn"`` inside another composite).
        type: the composite's name.
        blocks: the expanded ids of its direct inner blocks (an inner instance's own id).
        inputs / outputs: exposed port name -> the ``(block, port)`` it stands for in the expanded
            patch (through nested instances down to a real block).
    """

    id: str
    type: str
    blocks: tuple[str, ...]
    inputs: dict[str, tuple[str, str]]
    outputs: dict[str, tuple[str, str]]


@dataclass
class Expansion:
    """A patch with its composite instances expanded.

    Attributes:
        patch: the expanded patch (no composite instances; ``composites`` kept for suggestions).
        instances: expanded instance id -> :class:`Instance`, in expansion order.
        origin: expanded id of an inner block -> (instance id, composite name, inner id).
        top_edges: the number of the patch's own edges; edges from there on are inner edges.
        edge_origin: expanded index of an inner edge -> (instance id, composite name, inner index).
    """

    patch: Patch
    instances: dict[str, Instance] = field(default_factory=dict)
    origin: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    top_edges: int = 0
    edge_origin: dict[int, tuple[str, str, int]] = field(default_factory=dict)

    def resolve(self, block: str, port: str) -> tuple[str, str]:
        """The expanded ``(block, port)`` of ``block.port``: an instance's exposed output (first)
        or input; anything else unchanged."""
        inst = self.instances.get(block)
        if inst is None:
            return block, port
        return inst.outputs.get(port) or inst.inputs.get(port) or (block, port)

    def explain(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """``diagnostics`` of the expanded patch as the user wrote it: a diagnostic about an inner
        block or edge says which instance and inner block or edge (an inner edge's index, which
        is not in the file, is dropped); W_GRAPH_DISCONNECTED_BLOCK on inner blocks becomes one
        warning on the top-level instance when none of its blocks reaches a sink, and nothing
        when some do (an exposed output left unused is no mistake)."""
        if not self.instances:
            return diagnostics
        disconnected = {d.block for d in diagnostics if d.code == "W_GRAPH_DISCONNECTED_BLOCK"}
        leaves: dict[str, list[str]] = {}
        for bid in self.origin:
            leaves.setdefault(bid.split("/", 1)[0], []).append(bid)
        out: list[Diagnostic] = []
        collapsed: set[str] = set()
        for d in diagnostics:
            if d.code == "W_GRAPH_DISCONNECTED_BLOCK" and d.block in self.origin:
                top = d.block.split("/", 1)[0]
                if top not in collapsed and all(b in disconnected for b in leaves[top]):
                    collapsed.add(top)
                    kind = self.instances[top].type
                    out.append(
                        replace(
                            d,
                            block=top,
                            message=f"{kind} {top!r} reaches no render sink: its outputs are computed (and can "
                            f"be observed) but cannot affect the image; connect one to a RenderInstances2D or "
                            f"remove it",
                        )
                    )
                continue
            message, edge = d.message, d.edge
            if d.block in self.origin:
                inst, kind, inner = self.origin[d.block]
                message += f" (inner block {inner!r} of {kind} instance {inst!r})"
            if edge is not None and edge in self.edge_origin:
                inst, kind, index = self.edge_origin[edge]
                message += f" (edges[{index}] of composite {kind}, in instance {inst!r})"
                edge = None
            out.append(replace(d, message=message, edge=edge) if (message, edge) != (d.message, d.edge) else d)
        return out


def _targets(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class _Expander:
    def __init__(self, patch: Patch, diags: DiagnosticCollector):
        self.diags = diags
        self.defs: dict[str, Composite] = {n: c for n in composite_types() if (c := composite_def(n)) is not None}
        self.user = patch.composites
        self.out_blocks: list[Block] = []
        self.inner_edges: list[Edge] = []
        self.expansion = Expansion(patch, top_edges=len(patch.edges))
        self.size: dict[str, int] = {}

    # -- definitions ----------------------------------------------------------------------------
    def check_definitions(self) -> None:
        """Add the patch's valid composites to :attr:`defs`, reporting every problem."""
        for name, comp in self.user.items():
            if block_def(name) is not None or composite_def(name) is not None:
                what = "a block type" if block_def(name) is not None else "a built-in composite"
                self.diags.add(
                    "E_COMPOSITE_INVALID",
                    f"composite {name!r}: the name is already {what}; give the composite another name",
                )
                continue
            if self._definition_ok(name, comp):
                self.defs[name] = comp
        self._refuse_cycles_and_depth()

    def _kind_names(self, type_name: str, kind: str) -> list[str] | None:
        """Input or output port names (``kind``) of a block type or composite, or params
        (``kind="param"``: params, aliases and inputs); None for an unknown type."""
        d = block_def(type_name)
        if d is not None:
            if kind == "input":
                return [p.id for p in d.inputs]
            if kind == "output":
                return [p.id for p in d.outputs]
            return [p.name for p in d.params] + list(d.aliases) + [p.id for p in d.inputs]
        c = self.user.get(type_name) or composite_def(type_name)
        if c is None:
            return None
        if kind == "input":
            return list(c.inputs)
        if kind == "output":
            return list(c.outputs)
        return list(c.params) + list(c.inputs)

    def _definition_ok(self, name: str, comp: Composite) -> bool:
        ok = True

        def bad(msg: str) -> None:
            nonlocal ok
            ok = False
            self.diags.add("E_COMPOSITE_INVALID", f"composite {name!r}: {msg}")

        types: dict[str, str] = {}
        for b in comp.blocks:
            if b.id in types:
                bad(f"inner block id {b.id!r} is used more than once")
            types.setdefault(b.id, b.type)
        both = sorted(set(comp.inputs) & set(comp.params))
        if both:
            bad(f"{', '.join(map(repr, both))} is exposed both as an input and as a param; use one name for each")
        for section, kind, mapping in (
            ("inputs", "input", comp.inputs),
            ("outputs", "output", comp.outputs),
            ("params", "param", comp.params),
        ):
            for exposed, value in mapping.items():
                for target in _targets(value):
                    end = split_endpoint(target)
                    if end is None:
                        bad(f"{section}.{exposed} maps to {target!r}, which is not '<inner block>.<name>'")
                        continue
                    blk, port = end
                    if blk not in types:
                        bad(
                            f"{section}.{exposed} maps to {target!r}, but the composite has no inner block {blk!r}; "
                            + did_you_mean(blk, list(types), "inner blocks")
                        )
                        continue
                    names = self._kind_names(types[blk], kind)
                    if names is not None and port not in names:
                        what = {"input": "input port", "output": "output port", "param": "param"}[kind]
                        bad(
                            f"{section}.{exposed} maps to {target!r}, but {types[blk]} has no {what} {port!r}; "
                            + did_you_mean(port, names, what + "s")
                        )
        return ok

    def _refuse_cycles_and_depth(self) -> None:
        deps = {n: [b.type for b in c.blocks if b.type in self.defs] for n, c in self.defs.items()}
        depth: dict[str, int] = {}
        refused: set[str] = set()
        state: dict[str, int] = {}  # 1 on the stack, 2 done

        def visit(name: str, path: list[str]) -> int:
            if state.get(name) == 2:
                return depth[name]
            if state.get(name) == 1:  # a cycle: path[path.index(name):] + [name]
                cycle = path[path.index(name) :] + [name]
                for n in cycle[:-1]:
                    if n not in refused and n in self.user:
                        refused.add(n)
                        self.diags.add(
                            "E_COMPOSITE_RECURSIVE",
                            f"composite {n!r} contains itself ({' -> '.join(cycle)}); composites may nest, "
                            f"but not recursively (the expansion would never end)",
                        )
                return 0
            state[name] = 1
            path.append(name)
            d = 1 + max((visit(dep, path) for dep in deps[name]), default=0)
            path.pop()
            state[name] = 2
            depth[name] = d
            return d

        for name in list(self.defs):
            visit(name, [])
        for name in self.user:
            if name in self.defs and name not in refused and depth.get(name, 0) > MAX_COMPOSITE_DEPTH:
                refused.add(name)
                self.diags.add(
                    "E_LIMIT_EXCEEDED",
                    f"composite {name!r} nests {depth[name]} levels deep, more than the {MAX_COMPOSITE_DEPTH} "
                    f"levels composites may nest; flatten it",
                )
        # a composite using a refused one cannot expand either (no second diagnostic: the first says why)
        changed = True
        while changed:
            changed = False
            for name in list(self.defs):
                if name not in refused and any(dep in refused for dep in deps[name]):
                    refused.add(name)
                    changed = True
        for name in refused:
            self.defs.pop(name, None)

    def blocks_of(self, name: str) -> int:
        """Blocks that one instance of composite ``name`` expands to (definitions are acyclic here)."""
        n = self.size.get(name)
        if n is None:
            n = self.size[name] = sum(
                self.blocks_of(b.type) if b.type in self.defs else 1 for b in self.defs[name].blocks
            )
        return n

    # -- expansion ------------------------------------------------------------------------------
    def expand_top(self, patch: Patch) -> Expansion:
        total = 0
        for b in patch.blocks:
            if b.type in self.defs:
                total += self.blocks_of(b.type)
                if total > MAX_EXPANDED_BLOCKS:
                    self.diags.add(
                        "E_LIMIT_EXCEEDED",
                        f"the composite instances of the patch expand to more than {MAX_EXPANDED_BLOCKS:,} blocks "
                        f"(this {b.type} alone is {self.blocks_of(b.type):,}); use fewer or smaller composites",
                        block=b.id,
                    )
                    self.diags.raise_if_errors()
        refused = {b.id for b in patch.blocks if b.type in self.user and b.type not in self.defs}
        local = self._expand_blocks(patch.blocks, "")
        edges = []
        for i, e in enumerate(patch.edges):
            if e.src_block in refused or e.dst_block in refused:
                edges.append(replace(e, enabled=False) if e.enabled else e)
                continue
            edges.append(self._rewrite(e, "", local, i) or replace(e, enabled=False))
        flat = replace(patch, blocks=self.out_blocks, edges=edges + self.inner_edges)
        self.expansion.patch = flat
        return self.expansion

    def _expand_blocks(self, blocks: list[Block], prefix: str) -> dict[str, Instance]:
        """Expand one scope's blocks into :attr:`out_blocks`; returns its instances by local id."""
        local: dict[str, Instance] = {}
        for b in blocks:
            fid = prefix + b.id
            comp = self.defs.get(b.type)
            if comp is None:
                if b.type in self.user:
                    continue  # an instance of a refused composite (diagnosed with the definition)
                self.out_blocks.append(Block(fid, b.type, dict(b.params), dict(b.combine)) if prefix else b)
                continue
            local[b.id] = self._expand_instance(b, fid, comp)
        return local

    def _expand_instance(self, b: Block, fid: str, comp: Composite) -> Instance:
        inner = [Block(ib.id, ib.type, dict(ib.params), dict(ib.combine)) for ib in comp.blocks]
        by_id = {ib.id: ib for ib in reversed(inner)}  # the first of a duplicated id (diagnosed)
        for name, value in b.params.items():
            if name in comp.params:
                for target in _targets(comp.params[name]):
                    blk, _, prm = target.rpartition(".")
                    by_id[blk].params[prm] = value
            elif name in comp.inputs:
                blk, _, port = comp.inputs[name].rpartition(".")
                by_id[blk].params[port] = value
            else:
                valid = list(comp.params) + list(comp.inputs)
                self.diags.add(
                    "E_UNKNOWN_PARAM",
                    f"{b.type} (a composite) has no param or input {name!r}; " + did_you_mean(name, valid, "params"),
                    block=fid,
                    port=name,
                )
        for port, mode in b.combine.items():
            if port in comp.inputs:
                blk, _, inner_port = comp.inputs[port].rpartition(".")
                by_id[blk].combine[inner_port] = mode
            else:
                self.diags.add(
                    "E_UNKNOWN_PORT",
                    f"combine: {b.type} (a composite) has no input port {port!r}; "
                    + did_you_mean(port, list(comp.inputs), "inputs"),
                    block=fid,
                    port=port,
                )
        start = len(self.out_blocks)
        local = self._expand_blocks(inner, fid + "/")
        for ob in self.out_blocks[start:]:
            if ob.id.count("/") == fid.count("/") + 1:
                self.expansion.origin[ob.id] = (fid, b.type, ob.id[len(fid) + 1 :])
        for k, e in enumerate(comp.edges):
            rewritten = self._rewrite(e, fid + "/", local, None)
            if rewritten is not None:
                self.expansion.edge_origin[self.expansion.top_edges + len(self.inner_edges)] = (fid, b.type, k)
                self.inner_edges.append(rewritten)

        def resolve(target: str, kind: str) -> tuple[str, str]:
            blk, _, port = target.rpartition(".")
            sub = local.get(blk)
            if sub is not None:
                found = (sub.inputs if kind == "input" else sub.outputs).get(port)
                if found is not None:
                    return found
            return fid + "/" + blk, port

        inst = Instance(
            fid,
            b.type,
            tuple(fid + "/" + ib.id for ib in inner),
            {x: resolve(t, "input") for x, t in comp.inputs.items()},
            {y: resolve(t, "output") for y, t in comp.outputs.items()},
        )
        self.expansion.instances[fid] = inst
        return inst

    def _rewrite(self, e: Edge, prefix: str, local: dict[str, Instance], index: int | None) -> Edge | None:
        """Edge ``e`` of a scope with its endpoints expanded; None when an endpoint names a port an
        instance does not expose (E_UNKNOWN_PORT, for an enabled edge)."""
        ends = []
        for blk, port, kind in ((e.src_block, e.src_port, "output"), (e.dst_block, e.dst_port, "input")):
            inst = local.get(blk)
            if inst is None:
                ends.append((prefix + blk, port))
                continue
            exposed = inst.outputs if kind == "output" else inst.inputs
            if port in exposed:
                ends.append(exposed[port])
                continue
            if e.enabled:
                other = inst.inputs if kind == "output" else inst.outputs
                hint = (
                    f" ({port!r} is one of its {'inputs' if kind == 'output' else 'outputs'})" if port in other else ""
                )
                self.diags.add(
                    "E_UNKNOWN_PORT",
                    f"{inst.type} (a composite) has no {kind} port {port!r}{hint}; "
                    + did_you_mean(port, list(exposed), f"{kind}s"),
                    block=inst.id,
                    port=port,
                    edge=index,
                )
            return None
        (sb, sp), (db, dp) = ends
        return Edge(sb, sp, db, dp, e.enabled, e.alias)


def expand_composites(patch: Patch, diags: DiagnosticCollector) -> Expansion:
    """Expand every composite instance of ``patch`` (module docstring), reporting problems into
    ``diags``. A patch without composites or instances of built-in ones is returned as it is
    (``Expansion.patch is patch``).

    Raises:
        CompileError: E_LIMIT_EXCEEDED (with everything found so far) when the instances would
            expand to more than :data:`MAX_EXPANDED_BLOCKS` blocks.
    """
    if patch.upgrades:
        diags.add(
            "I_PATCH_UPGRADED",
            f"the patch is format version {patch.source_version}; it was read as version {FORMAT_VERSION} "
            f"with these changes: {'; '.join(patch.upgrades)}. "
            f"`oscilla upgrade PATCH` rewrites the file",
        )
    builtin = set(composite_types())
    if not patch.composites and not any(b.type in builtin for b in patch.blocks):
        return Expansion(patch, top_edges=len(patch.edges))
    ex = _Expander(patch, diags)
    ex.check_definitions()
    return ex.expand_top(patch)


def describe_expansion(patch: Patch) -> list[str]:
    """What ``oscilla inspect`` prints of the expansion: per composite instance its type, inner
    blocks and exposed ports with the expanded ports they stand for (empty without instances).
    Problems are not reported here (the compile that follows reports them)."""
    expansion = expand_composites(patch, DiagnosticCollector())
    if not expansion.instances:
        return []
    types = {b.id: b.type for b in expansion.patch.blocks}
    lines = ["composite instances:"]

    def show(inst: Instance) -> None:  # an instance, then the instances inside it (top-down)
        lines.append(f"  {inst.id}: {inst.type}")
        for bid in inst.blocks:
            kind = expansion.instances[bid].type if bid in expansion.instances else types.get(bid, "?")
            lines.append(f"    {bid} ({kind})")
        for kind, ports in (("in", inst.inputs), ("out", inst.outputs)):
            for name, (blk, port) in ports.items():
                lines.append(f"    {kind} {inst.id}.{name} = {blk}.{port}")
        for bid in inst.blocks:
            if bid in expansion.instances:
                show(expansion.instances[bid])

    for inst in expansion.instances.values():
        if "/" not in inst.id:
            show(inst)
    return lines
