"""Executors: where batches are trained. Each yields (batch, result) as batches finish.

- ``inprocess`` (default): one batch after another in this process;
- ``process``: a local process pool (``jobs`` workers, one torch thread each);
- ``ray``: every batch a Ray task (``address`` of a cluster, or a local Ray),
  retried up to ``retries`` times if it fails; results stream back to the
  driver, which alone writes the store.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

from .runs import Run
from .training import BatchResult, EpochHook, train_batch

EXECUTORS = ("inprocess", "process", "ray")

Done = tuple[list[Run], BatchResult]


def run_batches(
    batches: Sequence[list[Run]],
    executor: str = "inprocess",
    *,
    jobs: int = 1,
    address: str | None = None,
    retries: int = 3,
    on_epoch: EpochHook | None = None,
) -> Iterator[Done]:
    """Train every batch on ``executor``; yield each as it finishes (order not guaranteed)."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if executor == "inprocess" or (executor == "process" and jobs <= 1):
        for batch in batches:
            yield batch, train_batch(batch, on_epoch)
    elif executor == "process":
        yield from _process_pool(batches, jobs)
    else:
        yield from _ray(batches, address, retries)


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


def _process_pool(batches: Sequence[list[Run]], jobs: int) -> Iterator[Done]:
    # forkserver: workers fork from a clean server process that has imported the training
    # code once (no fork of this process, which may run torch threads)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["actloss.lab.training", "actloss.torch", "sklearn.datasets", "sklearn.model_selection"]
    )
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as pool:
        pending = {pool.submit(train_batch, b): b for b in batches}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                yield batch, fut.result()


FAIL_ONCE = "ACTLOSS_LAB_FAIL_ONCE"
"""Fault injection for the retry test: with this variable naming a file that does not exist,
the first Ray task to start creates the file and fails (later tasks and retries run)."""


def _ray_train(batch: list[Run]) -> BatchResult:
    _init_worker()
    marker = os.environ.get(FAIL_ONCE)
    if marker:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL))  # atomic: exactly one task fails
        except FileExistsError:
            pass
        else:
            raise RuntimeError(f"failure injected by {FAIL_ONCE}")
    return train_batch(batch)


def _ray(batches: Sequence[list[Run]], address: str | None, retries: int) -> Iterator[Done]:
    try:
        import ray
    except ImportError:
        raise RuntimeError("the ray executor needs Ray: pip install 'actloss[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    task: Any = ray.remote(max_retries=retries, retry_exceptions=True)(_ray_train)
    refs = {task.remote(b): b for b in batches}
    while refs:
        done, _ = ray.wait(list(refs), num_returns=1)
        for ref in done:
            batch = refs.pop(ref)
            yield batch, ray.get(ref)
