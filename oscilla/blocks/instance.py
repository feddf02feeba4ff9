"""Instances and identity: Array, Broadcast, DomainIndex, StableIdHash, FromDomainId
(docs/language/fields-and-instances.md#instances)."""

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.registry import (
    ANY,
    INT32,
    MAX_INSTANCE_LANES,
    NUMERIC_T,
    BlockDef,
    E,
    F,
    ParamDef,
    PortDef,
    S,
    register,
)
from oscilla.blocks.shapes import DEFAULT_SHAPE
from oscilla.blocks.signal import consumer_unit
from oscilla.blocks.values import Value
from oscilla.payloads import DEFAULT_UNIT, FLOAT, SHAPE

GOLDEN_SEED_ADD = 0x9E3779B9


def _lower_array(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.block_id
    el = ctx.input_value("element")
    return {
        "elements": ctx.broadcast(el, inst),
        "index": ctx.make_value("int", ctx.lane_index(inst), instance=inst),
        "t": ctx.make_value("float", ctx.normalized_index(inst), instance=inst),
        "active": ctx.make_value("bool", ctx.broadcast_node(ctx.const(1, "u32"), inst), instance=inst),
    }


register(
    BlockDef(
        "Array",
        "instance",
        inputs=(PortDef("element", ANY, S, default=DEFAULT_SHAPE),),
        outputs=(
            PortDef("elements", ANY, F),
            PortDef("index", "int", F),
            PortDef("t", "float", F),
            PortDef("active", "bool", F),
        ),
        params=(
            ParamDef("count", "int", 100, minimum=1, maximum=INT32[1], limit=MAX_INSTANCE_LANES, lanes_per_value=1),
            ParamDef("seed", "int", 0, minimum=INT32[0], maximum=INT32[1], instance_seed=True),
        ),
        lower=_lower_array,
        output_payload=lambda ctx, port: ctx.input_payload("element") or SHAPE,
        creates_instance=True,
        formula="N = count lanes; elements = broadcast(element); index = i; t = normalizedIndex; active = 1",
    )
)


def _broadcast_payload(ctx: TypeContext, port: str) -> str | None:
    """``payloadType`` when set, else the payload of the signal (float while it has no source)."""
    return ctx.param("payloadType") or ctx.input_payload("signal") or FLOAT


def _broadcast_unit(ctx: TypeContext, port: str, payload: str) -> str | None:
    """Without an edge into ``signal`` (an inline value) the field takes its consumers' unit."""
    return None if ctx.has_edges("signal") else consumer_unit(ctx, port, payload)


register(
    BlockDef(
        "Broadcast",
        "field",
        inputs=(PortDef("signal", ANY, S, required=True, payload_param="payloadType"),),
        outputs=(PortDef("field", ANY, F),),
        params=(
            ParamDef("payloadType", "enum", None, choices=("float", "int", "bool", "vec2", "vec3", "color", "shape")),
        ),
        lower=lambda ctx: {"field": ctx.broadcast(ctx.input_value("signal"), ctx.field_instance())},
        output_payload=_broadcast_payload,
        output_unit=_broadcast_unit,
        formula="field = signal in every lane",
    )
)


def _lower_domain_index(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.field_instance()
    return {
        "index": ctx.make_value("float", ctx.normalized_index(inst), instance=inst),
        "indexInt": ctx.make_value("int", ctx.lane_index(inst), instance=inst),
    }


register(
    BlockDef(
        "DomainIndex",
        "domain",
        inputs=(),
        outputs=(PortDef("index", "float", F), PortDef("indexInt", "int", F)),
        lower=_lower_domain_index,
        formula="index = normalizedIndex; indexInt = i",
    )
)


def _lower_stable_id_hash(ctx: LowerContext) -> dict[str, Value]:
    inst = ctx.field_instance()
    s_inst = ctx.instance_seed(inst)
    seed = ctx.input_node("seed")
    k = ctx.op(
        "pcg",
        ctx.op(
            "add_u", ctx.op("i2u", ctx.op("add_i", ctx.const(s_inst, "i32"), seed)), ctx.const(GOLDEN_SEED_ADD, "u32")
        ),
    )
    lane = ctx.op("i2u", ctx.lane_index(inst))
    rand = ctx.op("to01", ctx.op("pcg", ctx.op("xor", lane, k)))
    return {
        "rand": ctx.make_value("float", rand, instance=inst),
        "id01": ctx.make_value("float", ctx.normalized_index(inst), instance=inst),
    }


register(
    BlockDef(
        "StableIdHash",
        "domain",
        inputs=(PortDef("domain", ANY, E), PortDef("seed", "int", S, default=0)),
        outputs=(PortDef("rand", "float", F), PortDef("id01", "float", F)),
        lower=_lower_stable_id_hash,
        formula="rand = to01(pcg_hash(u32(i) ^ pcg_hash(u32(s_inst + seed) + 0x9E3779B9))); id01 = normalizedIndex",
    )
)

register(
    BlockDef(
        "FromDomainId",
        "field",
        inputs=(PortDef("domain", ANY, E),),
        outputs=(PortDef("id01", "float", F),),
        lower=lambda ctx: {
            "id01": ctx.make_value("float", ctx.normalized_index(ctx.field_instance()), instance=ctx.field_instance())
        },
        formula="id01 = normalizedIndex",
    )
)


def _lower_reduce(ctx: LowerContext) -> dict[str, Value]:
    v = ctx.input_value("field")
    inst = ctx.field_instance()
    nodes = tuple(ctx.reduce_lanes(ctx.broadcast_node(n, inst), ctx.param("op")) for n in v.nodes)
    return {"signal": ctx.make_value(v.payload, *nodes)}


def _reduce_unit(ctx: TypeContext, port: str, payload: str) -> str | None:
    """A float reduction keeps the unit its source port declares (docs/language/types-and-units.md#unit-resolution)."""
    return (ctx.source_unit("field") or DEFAULT_UNIT[payload]) if payload == FLOAT else None


register(
    BlockDef(
        "Reduce",
        "field",
        inputs=(PortDef("field", NUMERIC_T, F, required=True),),
        outputs=(PortDef("signal", NUMERIC_T, S),),
        params=(ParamDef("op", "enum", "sum", choices=("sum", "avg", "min", "max")),),
        lower=_lower_reduce,
        output_unit=_reduce_unit,
        formula="component-wise sum / avg / min / max over the N lanes (a GPU parallel reduction; the "
        "frame splits into stages before and after it)",
    )
)
