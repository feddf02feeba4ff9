"""A two-worker Dask LocalCluster shared by the tests of this folder (started once: seconds)."""

import logging

import pytest


@pytest.fixture(scope="module")
def client(device):
    """A ``dask.distributed.Client`` of a LocalCluster of 2 single-threaded worker processes (each
    makes its own wgpu device); skipped without Dask or without an adapter (``device``)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()
