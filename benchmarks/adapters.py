"""Overhead of the PyTorch adapters: actloss.torch modules vs PyTorch's built-in modules.

Run on an otherwise idle machine (it measures wall time)::

    python benchmarks/adapters.py                       # 2**20 elements, float32
    python benchmarks/adapters.py --size 4096 --repeats 5 --dtype float64
    python benchmarks/adapters.py --shape 32x64 --classes 10 --repeats 300  # a training step

For every catalog entry whose class name exists in ``torch.nn`` (``actloss.torch.GELU``
vs ``torch.nn.GELU``, ``actloss.torch.MSELoss`` vs ``torch.nn.MSELoss``, ...), built with
the same parameters, it reports:

- ``time``: the median wall time of forward + backward (``y = m(x); y.backward(ct)``
  for activations, ``m(input, target).backward()`` with reduction="mean" for losses),
  actloss / PyTorch;
- ``saved``: the bytes of the tensors the autograd graph keeps for the backward pass
  (counted with ``torch.autograd.graph.saved_tensors_hooks``, each storage once),
  actloss / PyTorch.

Loss inputs are generated from each loss's metadata (``y_pred_kind``, ``task``); a pair
whose values disagree for those inputs (a different target convention) is listed as
skipped rather than timed. Output: one Markdown table.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import time
from collections.abc import Callable
from typing import Any

import numba
import torch

import actloss as al
import actloss.torch as alt
from actloss._classnames import class_name

Step = Callable[[], None]


def torch_module(fn: al.Function, reduction: str | None) -> torch.nn.Module | None:
    """PyTorch's module of the same class name, with the catalog's default parameters."""
    cls = getattr(torch.nn, class_name(fn), None)
    if cls is None or not isinstance(cls, type) or not issubclass(cls, torch.nn.Module):
        return None
    accepted = inspect.signature(cls).parameters
    kwargs: dict[str, Any] = {}
    for p in fn.info.params:
        name = "dim" if p.name == "axis" else p.name
        if name in accepted and p.default is not None and p.kind != "array":
            kwargs[name] = p.default
    if reduction is not None and "reduction" in accepted:
        kwargs["reduction"] = reduction
    try:
        return cls(**kwargs)
    except (TypeError, ValueError):
        return None


def saved_bytes(step: Callable[[], torch.Tensor]) -> tuple[int, torch.Tensor]:
    """Bytes of the tensors saved for backward while running ``step`` (each storage once)."""
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = step()
    return sum(seen.values()), out


def timed(step: Step, repeats: int) -> float:
    step()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        if DEVICE != "cpu":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


SHAPE: tuple[int, int] | None = None  # --shape ROWSxCOLS: activation inputs of this shape
CLASSES = 16  # --classes: the class (last) axis of loss inputs
DEVICE = "cpu"  # --device: e.g. cuda (the traced route: the Array API definition on torch)


def activation_inputs(fn: al.Function, n: int, dtype: torch.dtype) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    shape = SHAPE or (n // 256, 256)
    return (2.0 * torch.randn(shape, generator=g, dtype=dtype)).to(DEVICE)


def loss_inputs(fn: al.Function, n: int, dtype: torch.dtype) -> tuple[Any, Any] | None:
    """(input, target) for single-input losses, from y_pred_kind and task; None if unknown."""
    if len(fn.kernels.inputs) != 1 or fn.kernels.variadic:
        return None
    g = torch.Generator().manual_seed(0)
    classes = CLASSES
    rows = SHAPE[0] if SHAPE else max(n // classes, 1)
    z = torch.randn((rows, classes), generator=g, dtype=dtype)
    kind, task = fn.info.y_pred_kind, " ".join(fn.info.task)
    labels = torch.randint(0, classes, (rows,), generator=g)
    binary = (torch.rand((rows, classes), generator=g) > 0.5).to(dtype)
    z, labels, binary = z.to(DEVICE), labels.to(DEVICE), binary.to(DEVICE)
    if kind == "values" and "regression" in task:
        return z, torch.randn((rows, classes), generator=g, dtype=dtype).to(DEVICE)
    if kind == "logits":
        return (z, labels) if "multi-class" in task else (z, binary)
    if kind == "probabilities" and "binary" in task:
        return torch.sigmoid(z), binary
    if kind == "log_probabilities":
        return torch.log_softmax(z, -1), labels
    return None


def bench_activation(fn: al.Function, n: int, dtype: torch.dtype, repeats: int) -> Any:
    ref = torch_module(fn, None)
    if ref is None:
        return None
    ours = alt.module(fn.name).to(DEVICE, dtype).eval()
    ref = ref.to(DEVICE, dtype).eval()
    x = activation_inputs(fn, n, dtype).requires_grad_()
    with torch.no_grad():
        if not torch.allclose(ours(x).double(), ref(x).double(), rtol=1e-4, atol=1e-6):
            return "skipped: the values differ (another definition or default)"

    def make(m: torch.nn.Module) -> tuple[Step, Callable[[], torch.Tensor]]:
        def forward() -> torch.Tensor:
            return m(x)

        def step() -> None:
            y = m(x)
            y.backward(torch.ones_like(y))
            x.grad = None

        return step, forward

    return _compare(make(ours), make(ref), repeats)


def bench_loss(fn: al.Function, n: int, dtype: torch.dtype, repeats: int) -> Any:
    ref = torch_module(fn, "mean")
    inputs = loss_inputs(fn, n, dtype)
    if ref is None or inputs is None:
        return None
    ours = alt.module(fn.name, reduction="mean").to(DEVICE)
    ref = ref.to(DEVICE)
    x, target = inputs
    x = x.requires_grad_()
    with torch.no_grad():
        a, b = ours(x, target), ref(x, target)
    if not torch.allclose(a.double(), b.double(), rtol=1e-4, atol=1e-6):
        return "skipped: the values differ for these inputs (another target convention)"

    def make(m: torch.nn.Module) -> tuple[Step, Callable[[], torch.Tensor]]:
        def forward() -> torch.Tensor:
            return m(x, target)

        def step() -> None:
            m(x, target).backward()
            x.grad = None

        return step, forward

    return _compare(make(ours), make(ref), repeats)


def _compare(ours: tuple[Step, Any], ref: tuple[Step, Any], repeats: int) -> tuple[float, ...]:
    # interleaved in blocks, so that a slow phase of the machine hits both alike
    block = max(repeats // 10, 1)
    t_ours_all, t_ref_all = [], []
    for _ in range(max(repeats // block, 1)):
        t_ours_all.append(timed(ours[0], block))
        t_ref_all.append(timed(ref[0], block))
    t_ours, t_ref = statistics.median(t_ours_all), statistics.median(t_ref_all)
    m_ours, _ = saved_bytes(ours[1])
    m_ref, _ = saved_bytes(ref[1])
    return t_ours, t_ref, float(m_ours), float(m_ref)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2**20, help="elements per input")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--shape", help="activation inputs ROWSxCOLS (e.g. 32x64); losses ROWS rows"
    )
    parser.add_argument("--classes", type=int, default=16, help="the loss inputs' class axis")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a machine with a GPU")
    args = parser.parse_args(argv)
    global SHAPE, CLASSES, DEVICE
    DEVICE = args.device
    if args.shape:
        rows, cols = (int(v) for v in args.shape.lower().split("x"))
        SHAPE = (rows, cols)
        args.size = rows * cols
    CLASSES = args.classes
    torch.set_num_threads(args.threads)
    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))  # the fast path
    dtype = getattr(torch, args.dtype)
    print(
        f"actloss.torch vs torch.nn, {args.size} elements, {args.dtype}, "
        f"{args.threads} thread(s), median of {args.repeats}; torch {torch.__version__}\n"
    )
    head = "| entry | torch.nn | fwd+bwd actloss (ms) | torch (ms) | time ratio | "
    print(head + "saved actloss (KiB) | torch (KiB) | memory ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    for fn in al.catalog():
        bench = bench_activation if fn.info.kind == "activation" else bench_loss
        result = bench(fn, args.size, dtype, args.repeats)
        name = class_name(fn)
        if result is None:
            continue
        if isinstance(result, str):
            notes.append(f"- {fn.name} (torch.nn.{name}): {result}")
            continue
        t_ours, t_ref, m_ours, m_ref = result
        ratio_m = f"{m_ours / m_ref:.2f}" if m_ref else ("1.00" if not m_ours else "inf")
        print(
            f"| {fn.name} | {name} | {t_ours * 1e3:.3f} | {t_ref * 1e3:.3f} | "
            f"{t_ours / t_ref:.2f} | {m_ours / 1024:.1f} | {m_ref / 1024:.1f} | {ratio_m} |"
        )
    if notes:
        print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
