"""Row reductions for the fused kernels in eight explicit LLVM vector lanes.

``row_sum``, ``row_dot`` and ``row_max`` over a 1-d C array: the same bits on every machine
and for every split of rows among threads (see below). The scalar math functions are in
``_vmath``.
"""

# mypy: ignore-errors
# (numba's DSL: intrinsics and overloads are not typed Python callables)

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# ------------------------------------------------------------------ row reductions
# A sum over a row does not vectorize as written: LLVM may not reorder floating-point
# additions (no fastmath here), and numba leaves SLP vectorization off, so eight scalar
# accumulators stay eight scalar instructions. These intrinsics spell the eight
# accumulators as one 8-lane LLVM vector: lane k takes the elements j = k (mod 8) of
# the first n - n % 8, in order, exactly as eight scalar accumulators would, so the
# result is the same bit for bit on every machine (the vector width is the code's, not
# the CPU's) and never depends on how rows are split among threads. The caller adds
# the tail and combines the lanes in a fixed order (``combine``).
LANES = 8


def _lane_loop(context, builder, arrays, init, step):
    """Run ``acc = step(acc, [vectors])`` over the 8-element blocks of 1-d C arrays."""
    arrs = [context.make_array(t)(context, builder, v) for t, v in arrays]
    n = builder.extract_value(arrs[0].shape, 0)
    elt = context.get_value_type(arrays[0][0].dtype)
    vt = ir.VectorType(elt, LANES)
    blocks = builder.udiv(n, ir.Constant(n.type, LANES))
    acc = cgutils.alloca_once_value(builder, init)
    with cgutils.for_range(builder, blocks) as loop:
        j = builder.mul(loop.index, ir.Constant(n.type, LANES))
        vs = []
        for a in arrs:
            p = builder.bitcast(builder.gep(a.data, [j]), vt.as_pointer())
            vs.append(builder.load(p, align=context.get_abi_sizeof(elt)))
        builder.store(step(builder, builder.load(acc), vs), acc)
    return builder.load(acc)


def _lane_tuple(context, builder, typ, vec):
    k = [builder.extract_element(vec, ir.Constant(ir.IntType(32), i)) for i in range(LANES)]
    return context.make_tuple(builder, typ, k)


def _rows_of(*arrays):
    """The common float dtype of 1-d C-contiguous arrays, or None."""
    ok = all(
        isinstance(a, types.Array)
        and a.ndim == 1
        and a.layout == "C"
        and isinstance(a.dtype, types.Float)
        for a in arrays
    )
    return arrays[0].dtype if ok and len({a.dtype for a in arrays}) == 1 else None


def _widened(builder, v, dtype):
    """A float32 vector converted to float64 (exactly); float64 unchanged."""
    if dtype == types.float64:
        return v
    return builder.fpext(v, ir.VectorType(ir.DoubleType(), LANES))


@intrinsic
def lanes_sum(typingctx: Any, a: Any) -> Any:
    """The eight float64 partial sums of ``a`` (lane k: a[k], a[k + 8], ...)."""
    dt = _rows_of(a)
    if dt is None:
        return None
    sig = types.UniTuple(types.float64, LANES)(a)

    def codegen(context, builder, signature, args):
        zero = ir.Constant(ir.VectorType(ir.DoubleType(), LANES), [0.0] * LANES)

        def step(b, acc, vs):
            return b.fadd(acc, _widened(b, vs[0], dt))

        vec = _lane_loop(context, builder, [(a, args[0])], zero, step)
        return _lane_tuple(context, builder, signature.return_type, vec)

    return sig, codegen


@intrinsic
def lanes_dot(typingctx: Any, a: Any, b: Any) -> Any:
    """The eight float64 partial sums of the products a[j] b[j] (rounded in their dtype)."""
    dt = _rows_of(a, b)
    if dt is None:
        return None
    sig = types.UniTuple(types.float64, LANES)(a, b)

    def codegen(context, builder, signature, args):
        zero = ir.Constant(ir.VectorType(ir.DoubleType(), LANES), [0.0] * LANES)

        def step(bld, acc, vs):
            return bld.fadd(acc, _widened(bld, bld.fmul(vs[0], vs[1]), dt))

        vec = _lane_loop(context, builder, [(a, args[0]), (b, args[1])], zero, step)
        return _lane_tuple(context, builder, signature.return_type, vec)

    return sig, codegen


@intrinsic
def lanes_max(typingctx: Any, a: Any, sign: Any) -> Any:
    """The eight partial maxima of sign * a (NaN entries skipped; -inf for none)."""
    dt = _rows_of(a)
    if dt is None or sign != dt:
        return None
    sig = types.UniTuple(dt, LANES)(a, sign)

    def codegen(context, builder, signature, args):
        elt = context.get_value_type(dt)
        vt = ir.VectorType(elt, LANES)
        s = builder.insert_element(
            ir.Constant(vt, ir.Undefined), args[1], ir.Constant(ir.IntType(32), 0)
        )
        s = builder.shuffle_vector(s, s, ir.Constant(ir.VectorType(ir.IntType(32), LANES), 0))
        lowest = ir.Constant(vt, [float("-inf")] * LANES)

        def step(b, acc, vs):
            v = b.fmul(s, vs[0])
            return b.select(b.fcmp_ordered(">", v, acc), v, acc)  # v > acc ? v : acc

        vec = _lane_loop(context, builder, [(a, args[0])], lowest, step)
        return _lane_tuple(context, builder, signature.return_type, vec)

    return sig, codegen


@njit(inline="always")
def combine(s: Any) -> Any:
    """Sum of eight lanes in a fixed order: ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))."""
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))


@njit(inline="always")
def row_sum(a: Any) -> Any:
    """sum(a) over a 1-d C array in float64 (eight lanes, tail into lane 0; fixed order)."""
    s = lanes_sum(a)
    s0 = s[0]
    for j in range(a.size - a.size % LANES, a.size):
        s0 += a[j]
    return combine((s0, s[1], s[2], s[3], s[4], s[5], s[6], s[7]))


@njit(inline="always")
def row_dot(a: Any, b: Any) -> Any:
    """sum(a * b) over 1-d C arrays in float64 (products rounded in their dtype)."""
    s = lanes_dot(a, b)
    s0 = s[0]
    for j in range(a.size - a.size % LANES, a.size):
        s0 += a[j] * b[j]
    return combine((s0, s[1], s[2], s[3], s[4], s[5], s[6], s[7]))


@njit(inline="always")
def row_max(a: Any, sign: Any) -> Any:
    """max(sign * a) over a 1-d C array; NaN entries are skipped (-inf if all are NaN)."""
    m = lanes_max(a, sign)
    m0 = m[0]
    for j in range(a.size - a.size % LANES, a.size):
        v = sign * a[j]
        m0 = v if v > m0 else m0
    m0 = m[1] if m[1] > m0 else m0
    m2 = m[3] if m[3] > m[2] else m[2]
    m4 = m[5] if m[5] > m[4] else m[4]
    m6 = m[7] if m[7] > m[6] else m[6]
    m0 = m2 if m2 > m0 else m0
    m4 = m6 if m6 > m4 else m4
    return m4 if m4 > m0 else m0
