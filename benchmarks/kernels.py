"""Benchmark: actloss value-and-gradient on NumPy against PyTorch autograd and tutorial NumPy.

Run from the repository root (writes benchmarks/README.md)::

    python -m benchmarks.kernels            # full sizes, under 10 minutes on 2 cores
    python -m benchmarks.kernels --quick    # tiny sizes: checks that everything runs
    python -m benchmarks.kernels --only gelu,softmax   # a subset (not written to README)

For every elementwise activation (10M values), softmax/log_softmax/softmin over the
rows of a 10000x1000 matrix, and the losses cross_entropy (4096x1000 logits),
binary_cross_entropy_with_logits, mse, huber and focal (10M values), it times, all
in one process with the same thread count (numba's, given to torch too):

- actloss value_and_grad on NumPy float32 and float64, allocating its outputs and
  with ``out=`` buffers (vector functions: value then vjp; losses: value_and_grad),
- PyTorch forward + backward with autograd, and forward only, in float32 and float64
  (actloss float32 is compared with PyTorch float32, actloss float64 with PyTorch
  float64),
- the tutorial NumPy way (float32; formulas as tutorials write them),
- JAX jit(value_and_grad) if JAX is installed,
- the memory floor: one pass reading the input and writing two outputs.

Each candidate is warmed up, then the candidates run interleaved ``--repeat`` times;
the table gives the minimum and median in ms, ratios of minima to PyTorch autograd in
the same dtype,
the maximum error of the float32 results against a float64 reference (the actloss
reference path in float64 on the first 1M values), relative to |ref| + |x ref'| as
in the test harness, and the peak memory allocated during one call (tracemalloc;
NumPy candidates only).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import math
import os
import platform
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# PyTorch's OpenMP threads spin after each parallel region by default and take the core
# from whatever runs next (measured: a 7 ms kernel run right after a PyTorch candidate took
# 9 ms). Passive waiting keeps the candidates independent; PyTorch itself is ~2% slower.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba
import numpy as np
import torch

import actloss as al
import actloss.fast as fast
from actloss.fast._jit import kernel

from .tutorial import TUTORIAL, TUTORIAL_LOSSES

HERE = Path(__file__).parent


@kernel
def _floor_kernel(x, y, d):
    for i in range(x.size):
        y[i] = x[i]
        d[i] = x[i]


@kernel
def _floor_kernel1(x, g):
    for i in range(x.size):
        g[i] = x[i]


def memory_floor(x: np.ndarray, y: np.ndarray, d: np.ndarray | None = None) -> None:
    """Read x once, write two outputs (the least any value-and-gradient can do); with
    ``d`` None write one (a loss: read y_pred, write its gradient)."""
    if d is None:
        _floor_kernel1(x.reshape(-1), y.reshape(-1))
    else:
        assert x.size == y.size == d.size
        _floor_kernel(x.reshape(-1), y.reshape(-1), d.reshape(-1))


@dataclass
class Row:
    name: str
    kind: str
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, float] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)


def _peak_mb(f: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _race(cands: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Warm up each candidate, then time them interleaved ``repeat`` times."""
    for f in cands.values():
        f()
    times: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(repeat):
        for k, f in cands.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return times


def _scaled_error(got: Any, ref: np.ndarray, scale: np.ndarray) -> float:
    g = np.asarray(got, dtype=np.float64)
    with np.errstate(all="ignore"):
        # the floor: results in float32's subnormal range carry only a few bits
        err = np.abs(g - ref) / (np.abs(ref) + np.abs(scale) + float(np.finfo(np.float32).tiny))
    finite = np.isfinite(ref) & np.isfinite(scale)
    bad_special = np.any((np.isfinite(g) != np.isfinite(ref)) & finite)
    return math.inf if bad_special else float(np.nanmax(np.where(finite, err, 0.0)))


def _torch_ref(name: str) -> Callable[..., Any]:
    """The test harness's PyTorch reference (a built-in where PyTorch has the function)."""
    from tests.activations.references import REFERENCES

    if name == "prelu":  # the table's version makes a float64 weight
        return lambda x, weight: torch.nn.functional.prelu(x, torch.tensor([weight], dtype=x.dtype))
    return REFERENCES[name].fn


def bench_elementwise(fn: al.Activation, x32: np.ndarray, repeat: int, sub: int) -> Row:
    row = Row(fn.name, "activation")
    x64 = x32.astype(np.float64)
    y32, d32, y64, d64 = (np.empty_like(a) for a in (x32, x32, x64, x64))
    params = {k: v for k, v in fn.info.defaults.items()}
    tfn = _torch_ref(fn.name)
    torch_fb, torch_f = _torch_elementwise(tfn, x32, params)
    torch_fb64, torch_f64 = _torch_elementwise(tfn, x64, params)
    cands: dict[str, Callable[[], Any]] = {
        "torch autograd": torch_fb,
        "torch forward": torch_f,
        "torch autograd f64": torch_fb64,
        "torch forward f64": torch_f64,
        "actloss f32": lambda: fn.value_and_grad(x32),
        "actloss f32 out=": lambda: fn.value_and_grad(x32, out=(y32, d32)),
        "actloss f64": lambda: fn.value_and_grad(x64),
        "actloss f64 out=": lambda: fn.value_and_grad(x64, out=(y64, d64)),
        "memory floor f32": lambda: memory_floor(x32, y32, d32),
    }
    tut = TUTORIAL.get(fn.name)
    if tut is not None:
        cands["tutorial numpy f32"] = lambda: _quiet(tut, x32)
    jax_c = _jax_candidate(fn.name, x32)
    if jax_c is not None:
        cands["jax jit f32"] = jax_c
    row.times = _race(cands, repeat)
    # accuracy on the first `sub` values, against the reference path in float64
    xs = x64[:sub]
    with fast.use(False):
        v, g, g2 = fn(xs), fn.grad(xs), fn.grad2(xs)
    sv, sg = np.nan_to_num(xs * g), np.nan_to_num(xs * g2)
    ya, da = fn.value_and_grad(x32[:sub])
    row.errors["actloss f32"] = max(_scaled_error(ya, v, sv), _scaled_error(da, g, sg))
    xt_s = torch.from_numpy(x32[:sub].copy()).requires_grad_(True)
    yt = tfn(xt_s, **params)
    yt.backward(torch.ones_like(xt_s))
    row.errors["torch autograd"] = max(
        _scaled_error(yt.detach().numpy(), v, sv), _scaled_error(xt_s.grad.numpy(), g, sg)
    )
    if tut is not None:
        yn, dn = _quiet(tut, x32[:sub])
        row.errors["tutorial numpy f32"] = max(_scaled_error(yn, v, sv), _scaled_error(dn, g, sg))
        row.memory["tutorial numpy f32"] = _peak_mb(lambda: _quiet(tut, x32))
    row.memory["actloss f32"] = _peak_mb(lambda: fn.value_and_grad(x32))
    row.memory["actloss f32 out="] = _peak_mb(lambda: fn.value_and_grad(x32, out=(y32, d32)))
    return row


def _torch_elementwise(
    tfn: Callable[..., Any], x: np.ndarray, params: dict[str, Any]
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """PyTorch forward + backward (autograd) and forward only, on a copy of ``x``."""
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    ones = torch.ones_like(xt)

    def fb() -> Any:
        xt.grad = None
        tfn(xt, **params).backward(ones)
        return xt.grad

    def f() -> Any:
        with torch.no_grad():
            return tfn(xt, **params)

    return fb, f


def _torch_rows(
    tfn: Callable[..., Any], x: np.ndarray, ct: np.ndarray
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """PyTorch forward + backward (with cotangent ``ct``) and forward only, along rows."""
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    ctt = torch.from_numpy(ct)

    def fb() -> Any:
        xt.grad = None
        tfn(xt, -1).backward(ctt)
        return xt.grad

    def f() -> Any:
        with torch.no_grad():
            return tfn(xt, -1)

    return fb, f


def _quiet(f: Callable[..., Any], *args: Any) -> Any:
    with np.errstate(all="ignore"):
        return f(*args)


def bench_rows(fn: al.Activation, x32: np.ndarray, repeat: int, sub: int) -> Row:
    row = Row(fn.name, "vector")
    x64 = x32.astype(np.float64)
    ct32 = np.random.default_rng(7).normal(0.0, 1.0, x32.shape).astype(np.float32)
    ct64 = ct32.astype(np.float64)
    dx32, dx64, floor_buf = np.empty_like(x32), np.empty_like(x64), np.empty_like(x32)
    tfn = _torch_ref(fn.name)
    torch_fb, torch_f = _torch_rows(tfn, x32, ct32)
    torch_fb64, torch_f64 = _torch_rows(tfn, x64, ct64)
    cands: dict[str, Callable[[], Any]] = {
        "torch autograd": torch_fb,
        "torch forward": torch_f,
        "torch autograd f64": torch_fb64,
        "torch forward f64": torch_f64,
        "actloss f32": lambda: (fn(x32), fn.vjp(x32, ct32)),
        "actloss f32 out=": lambda: (fn(x32), fn.vjp(x32, ct32, out=dx32)),
        "actloss f64": lambda: (fn(x64), fn.vjp(x64, ct64)),
        "actloss f64 out=": lambda: (fn(x64), fn.vjp(x64, ct64, out=dx64)),
        "memory floor f32": lambda: memory_floor(x32, dx32, floor_buf),
    }
    tut = TUTORIAL.get(fn.name)
    if tut is not None:
        cands["tutorial numpy f32"] = lambda: _quiet(tut, x32, ct32)
    row.times = _race(cands, repeat)
    rows = max(1, sub // x32.shape[-1])
    with fast.use(False):
        v, g = fn(x64[:rows]), fn.vjp(x64[:rows], ct64[:rows])
    one = np.ones_like(v)
    y, dx = fn(x32[:rows]), fn.vjp(x32[:rows], ct32[:rows])
    row.errors["actloss f32"] = max(
        _scaled_error(y, v, one), _scaled_error(dx, g, one + np.abs(ct64[:rows]))
    )
    row.memory["actloss f32"] = _peak_mb(lambda: (fn(x32), fn.vjp(x32, ct32)))
    return row


def bench_loss(name: str, y_true: np.ndarray, y_pred: np.ndarray, repeat: int) -> Row:
    fn = al.get(name)
    row = Row(name, "loss")
    yp64 = y_pred.astype(np.float64)
    yt64 = y_true.astype(np.float64) if y_true.dtype.kind == "f" else y_true
    ref = _torch_loss(name)
    torch_fb, torch_f = _torch_loss_pair(ref, y_true, y_pred)
    torch_fb64, torch_f64 = _torch_loss_pair(ref, yt64, yp64)
    grad_buf = np.empty_like(y_pred)
    cands: dict[str, Callable[[], Any]] = {
        "torch autograd": torch_fb,
        "torch forward": torch_f,
        "torch autograd f64": torch_fb64,
        "torch forward f64": torch_f64,
        "actloss f32": lambda: fn.value_and_grad(y_true, y_pred),
        "actloss f64": lambda: fn.value_and_grad(yt64, yp64),
        "memory floor f32": lambda: memory_floor(y_pred, grad_buf),
    }
    tut = TUTORIAL_LOSSES.get(name)
    if tut is not None:
        cands["tutorial numpy f32"] = lambda: _quiet(tut, y_true, y_pred)
    row.times = _race(cands, repeat)
    v64, g64 = fn.value_and_grad(yt64, yp64)
    v32, g32 = fn.value_and_grad(y_true, y_pred)
    row.errors["actloss f32"] = max(
        _scaled_error(v32, np.asarray(v64), np.zeros(())),
        float(np.max(np.abs(g32 - g64)) / (np.max(np.abs(g64)) + 1e-300)),
    )
    row.memory["actloss f32"] = _peak_mb(lambda: fn.value_and_grad(y_true, y_pred))
    return row


def _torch_loss_pair(
    ref: Callable[[Any, Any], Any], y_true: np.ndarray, y_pred: np.ndarray
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """PyTorch loss forward + backward (autograd) and forward only."""
    pt = torch.from_numpy(y_pred.copy()).requires_grad_(True)
    tt = torch.from_numpy(y_true.copy())

    def fb() -> Any:
        pt.grad = None
        ref(tt, pt).backward()
        return pt.grad

    def f() -> Any:
        with torch.no_grad():
            return ref(tt, pt)

    return fb, f


def _torch_loss(name: str) -> Callable[[Any, Any], Any]:
    """PyTorch's own loss with the catalog's default parameters, in (y_true, y_pred) order."""
    import torch.nn.functional as F

    defaults = al.get(name).info.defaults
    if name == "cross_entropy":
        return lambda t, p: F.cross_entropy(p, t)
    if name == "binary_cross_entropy_with_logits":
        return lambda t, p: F.binary_cross_entropy_with_logits(p, t)
    if name == "mse":
        return lambda t, p: F.mse_loss(p, t)
    if name == "huber":
        return lambda t, p: F.huber_loss(p, t, delta=defaults["delta"])
    if name == "focal":  # as torchvision.ops.sigmoid_focal_loss, reduction "mean"
        alpha, gamma = defaults["alpha"], defaults["gamma"]

        def focal(t: Any, p: Any) -> Any:
            s = torch.sigmoid(p)
            ce = F.binary_cross_entropy_with_logits(p, t, reduction="none")
            p_t = s * t + (1 - s) * (1 - t)
            a_t = alpha * t + (1 - alpha) * (1 - t)
            return (a_t * ce * (1 - p_t) ** gamma).mean()

        return focal
    raise KeyError(name)


def _jax_candidate(name: str, x32: np.ndarray) -> Callable[[], Any] | None:
    if importlib.util.find_spec("jax") is None:
        return None
    import jax
    import jax.numpy as jnp

    f = getattr(jax.nn, name, None)
    if f is None:
        return None
    vg = jax.jit(jax.vmap(jax.value_and_grad(lambda v: f(v))))
    xj = jnp.asarray(x32)
    return lambda: jax.block_until_ready(vg(xj))


# ------------------------------------------------------------------------ reporting
COLUMNS = (
    "actloss f32",
    "actloss f32 out=",
    "actloss f64",
    "actloss f64 out=",
    "torch autograd",
    "torch forward",
    "torch autograd f64",
    "torch forward f64",
    "tutorial numpy f32",
    "jax jit f32",
    "memory floor f32",
)


HEADERS = {"torch autograd": "torch autograd f32", "torch forward": "torch forward f32"}
# (candidate, the PyTorch autograd candidate of the same dtype it is divided by)
RATIOS = (
    ("actloss f32", "torch autograd"),
    ("actloss f32 out=", "torch autograd"),
    ("actloss f64", "torch autograd f64"),
    ("actloss f64 out=", "torch autograd f64"),
)


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Model name" in ln), "?"
        )
    except (OSError, subprocess.CalledProcessError):
        model = platform.processor() or "?"
    import os

    return (
        f"{model}, {os.cpu_count()} logical CPUs; {numba.get_num_threads()} threads for numba "
        f"and torch; Python {platform.python_version()}, NumPy {np.__version__}, numba "
        f"{numba.__version__}, torch {torch.__version__}"
    )


def _fmt(ts: list[float]) -> str:
    return f"{min(ts) * 1e3:.1f} / {statistics.median(ts) * 1e3:.1f}"


def table(rows: list[Row]) -> str:
    present = [c for c in COLUMNS if any(c in r.times for r in rows)]
    head = [
        "function",
        *[HEADERS.get(c, c) for c in present],
        "ratio f32 / f32 out= (to torch f32) / f64 / f64 out= (to torch f64)",
        "max err f32 (actloss / torch / tutorial)",
        "peak MB (actloss / out= / tutorial)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.name]
        for c in present:
            cells.append(_fmt(r.times[c]) if c in r.times else "")
        ratios = [
            f"{min(r.times[c]) / min(r.times[base]):.2f}" if c in r.times else "-"
            for c, base in RATIOS
        ]
        cells.append(" / ".join(ratios))
        errs = [
            f"{r.errors[c]:.1e}" if c in r.errors else "-"
            for c in ("actloss f32", "torch autograd", "tutorial numpy f32")
        ]
        cells.append(" / ".join(errs))
        mems = [
            f"{r.memory[c]:.0f}" if c in r.memory else "-"
            for c in ("actloss f32", "actloss f32 out=", "tutorial numpy f32")
        ]
        cells.append(" / ".join(mems))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main
def run(n: int, rows: int, cols: int, ce_rows: int, repeat: int, only: list[str] | None) -> str:
    threads = numba.get_num_threads()
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    x32 = rng.normal(0.0, 3.0, n).astype(np.float32)
    sub = min(n, 1_000_000)
    loss_names = ("cross_entropy", "binary_cross_entropy_with_logits", "mse", "huber", "focal")
    known = {f.name for f in al.catalog(kind="activation")} | set(loss_names)
    unknown = sorted(set(only or ()) - known)
    if unknown:
        raise SystemExit(f"--only: unknown function(s) {', '.join(unknown)}")
    results: list[Row] = []
    t0 = time.perf_counter()
    for fn in al.catalog(kind="activation"):
        if only and fn.name not in only:
            continue
        if fn.info.elementwise:
            results.append(bench_elementwise(fn, x32, repeat, sub))
        elif fn.kernels.fused is not None:
            m = rng.normal(0.0, 3.0, (rows, cols)).astype(np.float32)
            results.append(bench_rows(fn, m, repeat, sub))
        else:
            continue
        print(f"{fn.name}: {time.perf_counter() - t0:.0f}s", flush=True)
    logits = rng.normal(0.0, 3.0, (ce_rows, cols)).astype(np.float32)
    labels = rng.integers(0, cols, ce_rows)
    binary = (rng.random(n) < 0.3).astype(np.float32)
    target = rng.normal(0.0, 1.0, n).astype(np.float32)
    losses = [
        ("cross_entropy", labels, logits),
        ("binary_cross_entropy_with_logits", binary, x32),
        ("mse", target, x32),
        ("huber", target, x32),
        ("focal", binary, x32),
    ]
    for name, yt, yp in losses:
        if only and name not in only:
            continue
        results.append(bench_loss(name, yt, yp, repeat))
        print(f"{name}: {time.perf_counter() - t0:.0f}s", flush=True)
    return table(results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes: check that it runs")
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per candidate")
    ap.add_argument(
        "--only",
        nargs="*",
        help="function names to run, separated by commas or spaces (default: all); "
        "the table is printed, not written, unless --write is given",
    )
    ap.add_argument("--write", type=Path, default=None, help="Markdown output file")
    args = ap.parse_args()
    only = [n for arg in args.only or () for n in arg.split(",") if n] or None
    if args.quick:
        sizes = {"n": 20_000, "rows": 20, "cols": 100, "ce_rows": 16}
        repeat = args.repeat or 2
        write = args.write
    else:
        sizes = {"n": 10_000_000, "rows": 10_000, "cols": 1_000, "ce_rows": 4096}
        repeat = args.repeat or 5
        write = args.write or (None if only else HERE / "README.md")
    if not fast.enabled():
        raise SystemExit("the fast path is off (ACTLOSS_FAST_PATH=0 or numba missing)")
    start = time.perf_counter()
    body = run(**sizes, repeat=repeat, only=only)
    took = time.perf_counter() - start
    text = (
        "# actloss kernel benchmarks\n\n"
        f"Machine: {machine()}.\n\n"
        f"Command: `python -m benchmarks.kernels{' --quick' if args.quick else ''}` "
        f"({took:.0f} s; {repeat} timed runs per candidate after a warm-up, interleaved). "
        f"Sizes: {sizes['n']:,} values per elementwise function and per elementwise loss; "
        f"{sizes['rows']:,}x{sizes['cols']:,} rows for the softmax family; "
        f"{sizes['ce_rows']:,}x{sizes['cols']:,} logits for cross_entropy.\n\n"
        "Times are min / median in ms. Ratios are minima relative to PyTorch forward + backward "
        "with autograd in the same dtype: actloss float32 to PyTorch float32, actloss float64 "
        "to PyTorch float64 (same data, same threads). Errors are the largest "
        "|got - ref| / (|ref| + |x ref'| + 1.2e-38, the smallest normal float32) "
        "against the float64 reference path (first 1M values). Peak MB: memory allocated "
        "during one call (tracemalloc; the two float32 outputs of 10M values are 76 MB). "
        "Memory floor: one pass reading the input and writing two outputs (losses: one). "
        "Vector functions: value and vjp (two calls). Losses: value_and_grad with the default "
        "reduction ('mean').\n\n" + body + "\n"
    )
    print(text)
    if write is not None:
        write.write_text(text)
        print(f"written to {write}")


if __name__ == "__main__":
    main()
