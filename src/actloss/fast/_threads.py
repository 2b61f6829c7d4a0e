"""Split a kernel call into contiguous chunks run on a thread pool.

The thread count is numba's (``NUMBA_NUM_THREADS``, ``numba.set_num_threads``). The
kernels release the GIL (``nogil=True``), so the chunks run in parallel. Each element
(or row) is computed by the same code whatever the split, and reductions combine
fixed-size blocks in a fixed order, so results do not depend on the thread count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba

GRAIN = 1 << 16  # elements per chunk below which threads cost more than they save
ALIGN = 64

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_lock = threading.Lock()


def num_threads() -> int:
    return int(numba.get_num_threads())


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="actloss-fast")
            _pool_size = workers
        return _pool


def chunks(n: int, cost: int = 1) -> list[tuple[int, int]]:
    """Contiguous [start, stop) ranges covering ``n`` items (``cost`` elements each)."""
    if n * cost < 2 * GRAIN:  # one chunk: skip asking numba for its thread count
        return [(0, n)]
    parts = min(num_threads(), (n * cost) // GRAIN)
    if parts <= 1:
        return [(0, n)]
    step = -(-n // parts)
    if cost == 1:
        step = -(-step // ALIGN) * ALIGN
    return [(a, min(a + step, n)) for a in range(0, n, step)]


def parallel_for(n: int, body: Callable[[int, int], None], cost: int = 1) -> None:
    """Run ``body(start, stop)`` over chunks of ``range(n)``, in parallel when large."""
    ranges = chunks(n, cost)
    if len(ranges) == 1:
        body(0, n)
        return
    futures = [_executor(len(ranges) - 1).submit(body, a, b) for a, b in ranges[1:]]
    body(*ranges[0])
    for f in futures:
        f.result()
