"""Fused value-and-gradient kernels for losses: one pass over y_pred (and y_true).

Elementwise losses (mse, huber, binary_cross_entropy_with_logits, focal): each
``_name(v, u, ...)`` returns ``(l, dl/dv)`` for one prediction ``v`` and target ``u``;
each kernel ``name(x, t, ct, l, d, part, flag, scale, p0, p1)`` runs it over 1-d
C-contiguous arrays and, depending on which outputs are arrays (the others are None,
decided at compile time), writes the per-element losses ``l``, the gradient
``d = scale * dl/dv`` (or ``ct * dl/dv`` with a cotangent), and the partial sums of
the losses over consecutive blocks of ``BLOCK`` elements into ``part`` (float64).
A block's sum does not depend on how the array is split among threads (chunks are
whole blocks), and the caller adds the partial sums in a fixed order, so reductions
do not depend on the thread count. ``flag[b]`` is set when a target of block ``b``
lies outside [0, 1] (the caller then raises the reference's error).

Cross-entropy runs one row (sample) at a time, as ``_rowwise``: the row's maximum,
exp and sum (float64 accumulators), log-sum-exp, the loss and the gradient
``softmax - target`` while the row is in cache; KL divergence likewise (row sums of
p (log p - log q), gradient -p / q). Row losses go to a float64 array that the caller
sums in a fixed order.

References: PyTorch's CrossEntropyLoss, BCEWithLogitsLoss, HuberLoss and KLDivLoss
documentation; T.-Y. Lin et al., Focal Loss for Dense Object Detection, ICCV 2017.

The formulas follow the Array API definitions in ``actloss.losses`` (the reference
they are tested against) operation by operation, so that NaN, inf and the limits at
logits of +-1e4 come out as there: a NaN prediction or target gives a NaN loss and
gradient (``propagate_nan`` in ``actloss._reduction``).
"""

# mypy: ignore-errors
# (numba's DSL: intrinsics and overloads are not typed Python callables)

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import overload

from . import _vmath as V
from ._jit import OPTIONS, kernel
from ._vmath import c, like

INF = math.inf
LN2 = 0.6931471805599453
BLOCK = 2048  # elements per partial sum (a scratch row of this size stays in L1)
TINY64 = 2.2250738585072014e-308  # smallest normal float64


# ----------------------------------------------------------------------- outputs
def put(i, j, a, g, ct, sc, l, d, buf):
    """Write element ``i`` (``j`` within its block): loss ``a``, gradient ``g``."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(put, inline="always")
def _put(i, j, a, g, ct, sc, l, d, buf):
    has_l = not isinstance(l, types.NoneType)
    has_buf = not isinstance(buf, types.NoneType)
    has_d = not isinstance(d, types.NoneType)
    has_ct = not isinstance(ct, types.NoneType)

    def impl(i, j, a, g, ct, sc, l, d, buf):
        if has_l:
            l[i] = a
        if has_buf:
            buf[j] = a
        if has_d:
            if has_ct:
                d[i] = ct[i] * g
            else:
                d[i] = sc * g

    return impl


def scratch(x, part):
    """A block of loss values to sum (None when no sum is asked for)."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(scratch, inline="always")
def _scratch(x, part):
    if isinstance(part, types.NoneType):
        return lambda x, part: None
    return lambda x, part: np.empty(BLOCK, x.dtype)


def finish_block(part, b, buf, m, flag, oob):
    """part[b] = sum(buf[:m]); flag[b] = oob (each when asked for)."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(finish_block, inline="always")
def _finish_block(part, b, buf, m, flag, oob):
    has_part = not isinstance(part, types.NoneType)
    has_flag = not isinstance(flag, types.NoneType)

    def impl(part, b, buf, m, flag, oob):
        if has_part:
            part[b] = _sum(buf, m)
        if has_flag:
            flag[b] = oob

    return impl


@njit(**OPTIONS, fastmath={"reassoc"})
def _sum(a: Any, n: Any) -> Any:
    """sum(a[:n]) in float64.

    The one function compiled with a fast-math flag, and only ``reassoc``: it lets LLVM
    keep several vector accumulators (without it the float64 additions stay one scalar
    chain; eight explicit accumulators are not vectorized either). The order of the
    additions then depends on the compiled code and ``n`` only, never on the thread
    count; NaN and inf keep their meaning (no ``nnan``/``ninf``), and in float64 a
    different order changes a sum of float32 terms by far less than a float32 ulp.
    """
    s = 0.0
    for j in range(n):
        s += np.float64(a[j])
    return s


@njit(inline="always")
def _nan_in(v: Any, u: Any, a: Any, g: Any) -> Any:
    """(a, g), or NaN for both where the prediction or the target is NaN."""
    ok = v == v and u == u
    return (a if ok else v + u), (g if ok else v + u)


@njit(inline="always")
def _m0(a: Any, b: Any) -> Any:
    """a * b with 0 where a == 0: a term of weight 0 adds 0 even where b is +-inf (a masked
    logit), as ``mul0`` in the reference."""
    return a * (b if a != c(a, 0.0) else c(a, 0.0))


@njit(inline="always")
def _outside01(u: Any) -> Any:
    return (u < c(u, 0.0)) | (u > c(u, 1.0))  # no short circuit: a branch-free loop


# ------------------------------------------------------------------ elementwise
@njit(inline="always")
def _mse(v: Any, u: Any) -> Any:
    e = v - u
    return e * e, c(v, 2.0) * e


@njit(inline="always")
def _huber(v: Any, u: Any, delta: Any) -> Any:
    """0.5 q^2 + delta (|e| - q), q = min(|e|, delta); gradient clip(e, -delta, delta)."""
    e = v - u
    a = abs(e)
    q = a if a < delta else delta
    loss = c(v, 0.5) * q * q + delta * (a - q)
    g = V.clamp(e, -delta, delta)
    return (loss if e == e else e), (g if e == e else e)  # inf - inf is NaN, as np.minimum


@njit(inline="always")
def _sig_parts(v: Any) -> Any:
    """(sigmoid(v), sigmoid(-v), sigmoid'(v), log1p(exp(-|v|)))."""
    e = V.exp(-abs(v))
    one = c(v, 1.0)
    r = one / (one + e)
    er = e * r
    s_pos = r if v >= c(v, 0.0) else er
    s_neg = er if v >= c(v, 0.0) else r  # -v >= 0 exactly when v <= 0; both 0.5 at 0
    return s_pos, s_neg, er * r, V.log1p(e)


@njit(inline="always")
def _bce_logits(v: Any, u: Any, pw: Any) -> Any:
    """pw u softplus(-v) + (1 - u) softplus(v); gradient -pw u sigmoid(-v) + (1 - u) sigmoid(v)."""
    s_pos, s_neg, _, lg = _sig_parts(v)
    zero = c(v, 0.0)
    sp_pos = (v if v > zero else zero) + lg
    sp_neg = (-v if -v > zero else zero) + lg
    one_u = c(v, 1.0) - u
    pos = _m0(pw, _m0(u, sp_neg))
    gpos = pw * (-u * s_neg)
    return pos + _m0(one_u, sp_pos), gpos + one_u * s_pos


@njit(inline="always")
def _focal_parts(v: Any, u: Any) -> Any:
    """(ce, m = 1 - p_t, sigmoid(v), dm/dv) of the sigmoid focal loss."""
    s_pos, s_neg, sp, lg = _sig_parts(v)
    zero = c(v, 0.0)
    one_u = c(v, 1.0) - u
    ce = _m0(u, (-v if -v > zero else zero) + lg) + _m0(one_u, (v if v > zero else zero) + lg)
    m = u * s_neg + one_u * s_pos
    dm = (c(v, 1.0) - c(v, 2.0) * u) * sp
    return ce, m, s_pos, dm


@njit(inline="always")
def _focal_finish(
    v: Any, u: Any, ce: Any, m: Any, mg: Any, s_pos: Any, dm: Any, alpha: Any, gamma: Any
) -> Any:
    """alpha_t ce m^gamma and its derivative (s - u) m^g + g ce m^g dm/m (dm/m = 0 at m = 0)."""
    pos = m > c(v, 0.0)
    ratio = dm / (m if pos else c(v, 1.0))
    ratio = ratio if pos else c(v, 0.0)
    loss = ce * mg
    g = (s_pos - u) * mg + gamma * _m0(ratio, ce) * mg  # ce ratio -> 0 as ce -> inf
    if alpha >= c(v, 0.0):
        at = alpha * u + (c(v, 1.0) - alpha) * (c(v, 1.0) - u)
        loss, g = at * loss, at * g
    return loss, g


@njit(inline="always")
def _powi(m: Any, n: Any) -> Any:
    """m^n for n in 0..4 by multiplications (selects: no loop, no call)."""
    m2 = m * m
    r = c(m, 1.0) if n == 0 else m
    r = m2 if n == 2 else r
    r = m2 * m if n == 3 else r
    return m2 * m2 if n == 4 else r


@njit(inline="always")
def _log64(w: Any) -> Any:
    """log(w) for a float64 w >= 0 (-inf at 0, inf at inf), vectorizable."""
    sub = w < TINY64
    ws = w * 18014398509481984.0 if sub else w  # 2^54: subnormals become normal
    ws = ws if ws > 0.0 else 1.0
    ws = ws if ws < INF else 2.0
    kf, logm = V._log_parts(ws)
    y = (kf - (54.0 if sub else 0.0)) * LN2 + logm
    y = -INF if w == 0.0 else y
    y = INF if w == INF else y
    return y if w == w else w


@njit(inline="always")
def _powf(m: Any, gamma: Any) -> Any:
    """m^gamma for m >= 0, gamma > 0, computed in float64 as exp(gamma log m)."""
    mm = np.float64(m)
    return c(m, V.exp(gamma * _log64(mm)))


# ------------------------------------------------------------- elementwise kernels
@njit(inline="always")
def _block_range(b: Any, n: Any) -> Any:
    lo = b * BLOCK
    hi = lo + BLOCK
    return lo, (hi if hi < n else n)


@kernel
def mse(x, t, ct, l, d, part, flag, scale, p0, p1):
    sc = like(x, scale)
    buf = scratch(x, part)
    n = x.size
    for b in range((n + BLOCK - 1) // BLOCK):
        lo, hi = _block_range(b, n)
        for i in range(lo, hi):
            v, u = x[i], t[i]
            a, g = _mse(v, u)
            a, g = _nan_in(v, u, a, g)
            put(i, i - lo, a, g, ct, sc, l, d, buf)
        finish_block(part, b, buf, hi - lo, flag, False)


@kernel
def huber(x, t, ct, l, d, part, flag, scale, p0, p1):
    sc, delta = like(x, scale), like(x, p0)
    buf = scratch(x, part)
    n = x.size
    for b in range((n + BLOCK - 1) // BLOCK):
        lo, hi = _block_range(b, n)
        for i in range(lo, hi):
            v, u = x[i], t[i]
            a, g = _huber(v, u, delta)
            a, g = _nan_in(v, u, a, g)
            put(i, i - lo, a, g, ct, sc, l, d, buf)
        finish_block(part, b, buf, hi - lo, flag, False)


@kernel
def bce_logits(x, t, ct, l, d, part, flag, scale, p0, p1):
    sc, pw = like(x, scale), like(x, p0)
    buf = scratch(x, part)
    n = x.size
    for b in range((n + BLOCK - 1) // BLOCK):
        lo, hi = _block_range(b, n)
        oob = False
        for i in range(lo, hi):
            v, u = x[i], t[i]
            oob |= _outside01(u)
            a, g = _bce_logits(v, u, pw)
            a, g = _nan_in(v, u, a, g)
            put(i, i - lo, a, g, ct, sc, l, d, buf)
        finish_block(part, b, buf, hi - lo, flag, oob)


@kernel
def focal(x, t, ct, l, d, part, flag, scale, p0, p1):
    """Integer gamma in 0..4 (m^gamma by multiplications)."""
    sc, alpha, gamma = like(x, scale), like(x, p0), like(x, p1)
    k = int(p1)
    buf = scratch(x, part)
    n = x.size
    for b in range((n + BLOCK - 1) // BLOCK):
        lo, hi = _block_range(b, n)
        oob = False
        for i in range(lo, hi):
            v, u = x[i], t[i]
            oob |= _outside01(u)
            ce, m, s_pos, dm = _focal_parts(v, u)
            a, g = _focal_finish(v, u, ce, m, _powi(m, k), s_pos, dm, alpha, gamma)
            a, g = _nan_in(v, u, a, g)
            put(i, i - lo, a, g, ct, sc, l, d, buf)
        finish_block(part, b, buf, hi - lo, flag, oob)


@kernel
def focal_pow(x, t, ct, l, d, part, flag, scale, p0, p1):
    """Any gamma > 0 (m^gamma as exp(gamma log m) in float64)."""
    sc, alpha, gamma = like(x, scale), like(x, p0), like(x, p1)
    buf = scratch(x, part)
    n = x.size
    for b in range((n + BLOCK - 1) // BLOCK):
        lo, hi = _block_range(b, n)
        oob = False
        for i in range(lo, hi):
            v, u = x[i], t[i]
            oob |= _outside01(u)
            ce, m, s_pos, dm = _focal_parts(v, u)
            a, g = _focal_finish(v, u, ce, m, _powf(m, p1), s_pos, dm, alpha, gamma)
            a, g = _nan_in(v, u, a, g)
            put(i, i - lo, a, g, ct, sc, l, d, buf)
        finish_block(part, b, buf, hi - lo, flag, oob)


# ------------------------------------------------------------------- cross-entropy
@njit(inline="always")
def _max8(x: Any) -> Any:
    """max over a row (NaN entries are ignored here; the sum of exps catches them)."""
    n = x.size
    m = like(x, -INF)
    m0, m1, m2, m3, m4, m5, m6, m7 = m, m, m, m, m, m, m, m
    j = 0
    while j + 8 <= n:
        v0, v1, v2, v3 = x[j], x[j + 1], x[j + 2], x[j + 3]
        v4, v5, v6, v7 = x[j + 4], x[j + 5], x[j + 6], x[j + 7]
        m0 = v0 if v0 > m0 else m0
        m1 = v1 if v1 > m1 else m1
        m2 = v2 if v2 > m2 else m2
        m3 = v3 if v3 > m3 else m3
        m4 = v4 if v4 > m4 else m4
        m5 = v5 if v5 > m5 else m5
        m6 = v6 if v6 > m6 else m6
        m7 = v7 if v7 > m7 else m7
        j += 8
    while j < n:
        v = x[j]
        m0 = v if v > m0 else m0
        j += 1
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    m4 = m5 if m5 > m4 else m4
    m6 = m7 if m7 > m6 else m6
    m0 = m2 if m2 > m0 else m0
    m4 = m6 if m6 > m4 else m4
    return m4 if m4 > m0 else m0


@njit(inline="always")
def _shifted(v: Any, m: Any) -> Any:
    """v - max as shift_by_max: with max = +inf, 0 at the +inf entries and -inf elsewhere."""
    if m == c(v, INF):
        return c(v, 0.0) if v == c(v, INF) else (v if v != v else c(v, -INF))
    m_safe = m if m > c(v, -INF) else c(v, 0.0)
    return v - m_safe


@njit(inline="always")
def _exp_row(z: Any, m: Any, e: Any) -> Any:
    """e = exp(z - max); returns (sum e as float64, log of it)."""
    if m == c(m, INF):  # the rare row with +inf: shift_by_max's conventions, per element
        for j in range(z.size):
            e[j] = V.exp(_shifted(z[j], m))
    else:  # the loop that matters, branch-free: m_safe = 0 for a row of -inf
        m_safe = m if m > c(m, -INF) else c(m, 0.0)
        for j in range(z.size):
            e[j] = V.exp(z[j] - m_safe)
    s = _sum(e, z.size)
    return s, np.log(s)


def row_out(x, r, v):
    """Store row ``r``'s loss ``v`` (float64) into ``x``: float64 partials or the output."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(row_out, inline="always")
def _row_out(x, r, v):
    if isinstance(x, types.NoneType):
        return lambda x, r, v: None

    def impl(x, r, v):
        x[r] = v

    return impl


def row_coef(ct, r, sc):
    """The gradient's factor for row ``r``: the cotangent ct[r], else ``sc``."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(row_coef, inline="always")
def _row_coef(ct, r, sc):
    if isinstance(ct, types.NoneType):
        return lambda ct, r, sc: sc
    return lambda ct, r, sc: ct[r]


@kernel
def ce_labels(z, lab, wt, ct, l, d, rl, bad, ignore, eps, scale):
    """Rows of cross-entropy with integer labels, class weights ``wt`` and label smoothing.

    A label outside [0, C) that is not ``ignore`` sets ``bad[r]`` (the caller raises the
    reference's error) and its row is computed as ignored: the range check of the labels is
    part of this one pass, and nothing is read out of bounds.
    With w = wt[y] (0 where y == ignore) and v = [y != ignore]:
    loss_r = -(1 - eps) w log p_y - (eps / C) v sum_c wt_c log p_c, and the gradient
    c_r (A p - a), a_c = (1 - eps) w [c = y] + (eps / C) wt_c v, A = sum_c a_c.
    ``l`` gets the loss in z's dtype, ``rl`` in float64 (for sums).
    """
    n = z.shape[1]
    sc = like(z, scale)
    k1 = like(z, 1.0 - eps)  # the reference's python-float coefficients, in z's dtype
    k2 = like(z, eps / n)
    smooth = eps != 0.0
    wsum = _sum(wt, n)
    e = np.empty(n, z.dtype)
    terms = np.empty(n, z.dtype)
    for r in range(z.shape[0]):
        zr = z[r]
        m = _max8(zr)
        s, lse = _exp_row(zr, m, e)
        y = lab[r]
        valid = y != ignore
        if valid and (y < 0 or y >= n):
            bad[r] = True
            valid = False
        yy = y if valid else 0
        w = wt[yy] if valid else like(z, 0.0)
        logp = np.float64(_shifted(zr[yy], m)) - lse
        loss = -np.float64(k1) * _xlogy_(np.float64(w), logp)  # w = 0: 0, even at -inf
        if smooth and valid:  # sum_c wt_c log p_c, as the reference: in z's dtype, then summed
            lse_d = like(z, lse)
            for j in range(n):
                terms[j] = _xlogy_(wt[j], _shifted(zr[j], m) - lse_d)
            loss -= np.float64(k2) * _sum(terms, n)
        row_out(rl, r, loss)
        row_out(l, r, loss)
        if d is not None:
            cr = row_coef(ct, r, sc)
            inv = like(z, 1.0 / s)
            dr = d[r]
            if not smooth:
                for j in range(n):
                    dr[j] = cr * (w * (e[j] * inv))
                dr[yy] = cr * (w * (e[yy] * inv) - w)
            else:
                vf = like(z, 1.0) if valid else like(z, 0.0)
                big_a = like(z, np.float64(k1 * w) + np.float64(k2) * wsum * np.float64(vf))
                for j in range(n):
                    dr[j] = cr * (big_a * (e[j] * inv) - (k2 * wt[j]) * vf)
                dr[yy] = cr * (big_a * (e[yy] * inv) - (k1 * w + (k2 * wt[yy]) * vf))


@kernel
def ce_soft(z, t, wt, ct, l, d, rl, eps, scale):
    """Rows of cross-entropy with probability targets t, class weights ``wt`` and label
    smoothing: a = ((1 - eps) t + eps / C) wt, loss -sum_c a_c log p_c (0 log 0 = 0),
    gradient c_r (sum(a) p - a); a row with NaN in z or t gives NaN throughout."""
    n = z.shape[1]
    sc = like(z, scale)
    k1 = like(z, 1.0 - eps)
    k2 = like(z, eps / n)
    smooth = eps != 0.0
    e = np.empty(n, z.dtype)
    a = np.empty(n, z.dtype)
    terms = np.empty(n, z.dtype)
    for r in range(z.shape[0]):
        zr, tr = z[r], t[r]
        m = _max8(zr)
        s, lse = _exp_row(zr, m, e)
        bad = s != s
        lse_d = like(z, lse)
        for j in range(n):  # branch-free: vectorized
            q = tr[j]
            bad |= q != q
            q = k1 * q + k2 if smooth else q
            aj = q * wt[j]
            a[j] = aj
            terms[j] = _xlogy_(aj, _shifted(zr[j], m) - lse_d)
        loss = -_sum(terms, n) if not bad else math.nan
        row_out(rl, r, loss)
        row_out(l, r, loss)
        if d is not None:
            cr = row_coef(ct, r, sc)
            inv = like(z, 1.0 / s)
            sa = like(z, _sum(a, n))
            dr = d[r]
            if bad:
                for j in range(n):
                    dr[j] = like(z, math.nan)
            else:
                for j in range(n):
                    dr[j] = (sa * (e[j] * inv) - a[j]) * cr


# --------------------------------------------------------------------- kl_divergence
@njit(inline="always")
def _log_clipped(w: Any, eps: Any) -> Any:
    """log(max(w, eps)) for w <= 1 (NaN rows are replaced by the caller)."""
    wc = w if w > eps else eps
    kf, logm = V._log_parts(wc)
    return kf * c(w, LN2) + logm


@njit(inline="always")
def _xlogy_(a: Any, logb: Any) -> Any:
    """a log b with 0 where a == 0 (0 log 0 = 0, never 0 * -inf)."""
    return a * (logb if a != c(a, 0.0) else c(a, 0.0))


@kernel
def kl_div(q, p, ct, l, d, rl, flag, eps, log_input, scale):
    """Rows of KL(p || q) = sum_c p_c (log p_c - log q_c), logs clipped at ``eps``, and its
    gradient -p / max(q, eps) (-p for log-probabilities q); NaN rows give NaN throughout.
    flag[r] is set when p (or q, for probabilities) leaves [0, 1] in row r."""
    n = q.shape[1]
    sc = like(q, scale)
    ep = like(q, eps)
    check_q = not log_input
    terms = np.empty(n, q.dtype)
    for r in range(q.shape[0]):
        qr, pr = q[r], p[r]
        bad, oob = False, False
        for j in range(n):  # branch-free: vectorized
            pj, qj = pr[j], qr[j]
            bad |= (pj != pj) | (qj != qj)
            oob |= _outside01(pj) | (check_q & _outside01(qj))
            logq = qj if log_input else _log_clipped(qj, ep)
            terms[j] = _xlogy_(pj, _log_clipped(pj, ep)) - _xlogy_(pj, logq)
        loss = _sum(terms, n) if not bad else math.nan
        row_out(rl, r, loss)
        row_out(l, r, loss)
        flag[r] = oob
        if d is not None:
            cr = row_coef(ct, r, sc)
            dr = d[r]
            if bad:
                for j in range(n):
                    dr[j] = like(q, math.nan)
            elif log_input:
                for j in range(n):
                    dr[j] = -pr[j] * cr
            else:
                for j in range(n):
                    qj = qr[j]
                    dr[j] = (-pr[j] / (qj if qj > ep else ep)) * cr
