"""The cluster side: a Dask client (given, a LocalCluster of N worker processes, or an existing
scheduler), and waiting on futures with progress, retries left to Dask and a clean cancel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from oscilla.distributed.extra import import_distributed

#: how many times Dask re-runs a task that raised (a worker that died is handled by the scheduler,
#: which moves its tasks to the other workers)
DEFAULT_RETRIES = 2


@contextmanager
def cluster_client(client: Any = None, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``dask.distributed.Client``: ``client`` itself when given (left open), else one connected to
    ``scheduler`` (``tcp://HOST:PORT``), else a ``LocalCluster`` of ``workers`` single-threaded worker
    processes (each creates its own GPU device); the last two are closed on exit.

    Raises:
        DistributedExtraMissing: Dask is not installed (``pip install 'oscilla[distributed]'``).
        ValueError: ``workers`` < 1.
        OSError: the scheduler cannot be reached (Dask's own error, e.g. a TimeoutError).
    """
    if client is not None:
        yield client
        return
    distributed = import_distributed()
    if scheduler is not None:
        c = distributed.Client(scheduler)
        try:
            yield c
        finally:
            c.close()
        return
    n = 2 if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers must be at least 1, got {n}")
    cluster = distributed.LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    try:
        c = distributed.Client(cluster)
        try:
            yield c
        finally:
            c.close()
    finally:
        cluster.close()


def worker_count(client: Any) -> int:
    """The number of workers the client's scheduler has now (at least 1)."""
    return max(1, len(client.nthreads()))


def wait_all(
    client: Any,
    futures: Sequence[Any],
    on_done: Callable[[int, Any], None],
) -> None:
    """Wait for ``futures`` in completion order, calling ``on_done(index, result)`` for each.

    A task that raised (after its retries) re-raises here; then, as on Ctrl-C (KeyboardInterrupt),
    every unfinished future is cancelled before the exception propagates.
    """
    distributed = import_distributed()
    index = {f.key: i for i, f in enumerate(futures)}
    try:
        for fut in distributed.as_completed(list(futures)):
            on_done(index[fut.key], fut.result())
    except BaseException:
        client.cancel(list(futures), force=True)
        raise
