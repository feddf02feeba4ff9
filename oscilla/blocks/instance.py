"""Instances and identity: Array, Broadcast, DomainIndex, StableIdHash, FromDomainId
(docs/language/fields-and-instances.md#instances)."""

from oscilla.blocks.registry import ANY, NUMERIC_T, BlockDef, E, F, ParamDef, PortDef, S, register

GOLDEN_SEED_ADD = 0x9E3779B9


def _lower_array(ctx):
    inst = ctx.block_id
    el = ctx.inp("element")
    return {
        "elements": ctx.field_of(el, inst),
        "index": ctx.value("int", ctx.b.lane_index(inst), instance=inst),
        "t": ctx.value("float", ctx.norm_index(inst), instance=inst),
        "active": ctx.value("bool", ctx.b.bcast(ctx.c(1, "u32"), inst), instance=inst),
    }


register(
    BlockDef(
        "Array",
        "instance",
        inputs=(PortDef("element", ANY, S, default="default_shape"),),
        outputs=(
            PortDef("elements", ANY, F),
            PortDef("index", "int", F),
            PortDef("t", "float", F),
            PortDef("active", "bool", F),
        ),
        params=(ParamDef("count", "int", 100, minimum=1), ParamDef("seed", "int", 0)),
        lower=_lower_array,
        creates_instance=True,
        formula="N = count lanes; elements = broadcast(element); index = i; t = normalizedIndex; active = 1",
    )
)


register(
    BlockDef(
        "Broadcast",
        "field",
        inputs=(PortDef("signal", ANY, S, required=True),),
        outputs=(PortDef("field", ANY, F),),
        params=(
            ParamDef("payloadType", "enum", None, choices=("float", "int", "bool", "vec2", "vec3", "color", "shape")),
        ),
        lower=lambda ctx: {"field": ctx.field_of(ctx.inp("signal"), ctx.domain)},
        formula="field = signal in every lane",
    )
)


def _lower_domain_index(ctx):
    inst = ctx.domain
    return {
        "index": ctx.value("float", ctx.norm_index(inst), instance=inst),
        "indexInt": ctx.value("int", ctx.b.lane_index(inst), instance=inst),
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


def _lower_stable_id_hash(ctx):
    inst = ctx.domain
    s_inst = ctx.instance_seed(inst)
    seed = ctx.inp("seed").node
    k = ctx.o(
        "pcg", ctx.o("add_u", ctx.o("i2u", ctx.o("add_i", ctx.c(s_inst, "i32"), seed)), ctx.c(GOLDEN_SEED_ADD, "u32"))
    )
    lane = ctx.o("i2u", ctx.b.lane_index(inst))
    rand = ctx.o("to01", ctx.o("pcg", ctx.o("xor", lane, k)))
    return {
        "rand": ctx.value("float", rand, instance=inst),
        "id01": ctx.value("float", ctx.norm_index(inst), instance=inst),
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
        lower=lambda ctx: {"id01": ctx.value("float", ctx.norm_index(ctx.domain), instance=ctx.domain)},
        formula="id01 = normalizedIndex",
    )
)


def _lower_reduce(ctx):
    v = ctx.inp("field")
    inst = ctx.domain
    nodes = tuple(ctx.b.reduce(ctx.b.bcast(n, inst), ctx.param("op")) for n in v.nodes)
    return {"signal": ctx.value(v.payload, *nodes)}


register(
    BlockDef(
        "Reduce",
        "field",
        inputs=(PortDef("field", NUMERIC_T, F, required=True),),
        outputs=(PortDef("signal", NUMERIC_T, S),),
        params=(ParamDef("op", "enum", "sum", choices=("sum", "avg", "min", "max")),),
        lower=_lower_reduce,
        formula="component-wise sum / avg / min / max over the N lanes (a GPU parallel reduction; the "
        "frame splits into stages before and after it)",
    )
)
