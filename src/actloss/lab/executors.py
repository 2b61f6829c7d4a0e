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
from .training import BatchResult, EpochHook, Setup, train_batch

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
    setup: Setup | None = None,
) -> Iterator[Done]:
    """Train every batch on ``executor``; yield each as it finishes (order not guaranteed).

    ``setup`` (device, model factory, a user's data) goes with every batch to its worker;
    the device is resolved there (``auto``: the worker's GPU if it has one).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    setup = setup or Setup()
    if executor == "inprocess" or (executor == "process" and jobs <= 1):
        for batch in batches:
            yield batch, train_batch(batch, on_epoch, setup)
    elif executor == "process":
        yield from _process_pool(batches, jobs, setup)
    else:
        yield from _ray(batches, address, retries, setup)


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


def _process_pool(batches: Sequence[list[Run]], jobs: int, setup: Setup) -> Iterator[Done]:
    # forkserver: workers fork from a clean server process that has imported the training
    # code once (no fork of this process, which may run torch threads)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["actloss.lab.training", "actloss.torch", "sklearn.datasets", "sklearn.model_selection"]
    )
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as pool:
        pending = {pool.submit(train_batch, b, None, setup): b for b in batches}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                yield batch, fut.result()


FAIL_ONCE = "ACTLOSS_LAB_FAIL_ONCE"
"""Fault injection for the retry test: with this variable naming a file that does not exist,
the first Ray task to start creates the file and fails (later tasks and retries run)."""


def _ray_train(batch: list[Run], setup: Setup | None = None) -> BatchResult:
    _init_worker()
    marker = os.environ.get(FAIL_ONCE)
    if marker:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL))  # atomic: exactly one task fails
        except FileExistsError:
            pass
        else:
            raise RuntimeError(f"failure injected by {FAIL_ONCE}")
    return train_batch(batch, None, setup)


def ray_gpus(device: str, cluster_gpus: float) -> int:
    """GPUs a Ray task asks for: one for ``cuda``; for ``auto`` one when the cluster has any
    (a task that asks for none sees no GPU: Ray hides them); none for ``cpu``."""
    kind = device.split(":")[0]
    if kind == "cuda":
        return 1
    return 1 if kind == "auto" and cluster_gpus > 0 else 0


def _ray(
    batches: Sequence[list[Run]], address: str | None, retries: int, setup: Setup | None = None
) -> Iterator[Done]:
    try:
        import ray
    except ImportError:
        raise RuntimeError("the ray executor needs Ray: pip install 'actloss[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    setup = setup or Setup()
    gpus = ray_gpus(setup.device, float(ray.cluster_resources().get("GPU", 0)))
    remote = ray.remote(max_retries=retries, retry_exceptions=True, num_gpus=gpus)
    task: Any = remote(_ray_train)
    shared = ray.put(setup)  # the factory and a user's data go to the object store once
    refs = {task.remote(b, shared): b for b in batches}
    while refs:
        done, _ = ray.wait(list(refs), num_returns=1)
        for ref in done:
            batch = refs.pop(ref)
            yield batch, ray.get(ref)
