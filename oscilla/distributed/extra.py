"""The optional ``distributed`` extra: Dask's distributed scheduler, imported only when it is used."""

from __future__ import annotations

from types import ModuleType

#: the pip command that installs Dask's distributed scheduler
DISTRIBUTED_EXTRA_HINT = "pip install 'oscilla[distributed]'"


class DistributedExtraMissing(ImportError):
    """``dask.distributed`` (the ``distributed`` extra) is not installed; the message says how to install it."""


def import_distributed(what: str = "distributed rendering") -> ModuleType:
    """The ``distributed`` module (Dask's scheduler, client and LocalCluster).

    Raises:
        DistributedExtraMissing: Dask's distributed scheduler is not installed; the message names
            the extra (``pip install 'oscilla[distributed]'``).
    """
    try:
        import distributed
    except ImportError as e:
        raise DistributedExtraMissing(
            f"{what} needs Dask, the optional distributed extra: {DISTRIBUTED_EXTRA_HINT}"
        ) from e
    return distributed
