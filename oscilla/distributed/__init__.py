"""Rendering spread over a Dask cluster (issue 14): frame sequences split into chunks, batches of jobs, sweeps.

* :func:`oscilla.distributed.frames.render_distributed` renders one patch's frame sequence on N
  workers, byte-identical to :func:`oscilla.export.png.render_frames`.
* :func:`oscilla.distributed.batch.render_batch` renders many (patch, time, params, output) jobs and
  writes a manifest of outputs with sha256 sums.

Dask (``dask[distributed]``) is the optional ``distributed`` extra and is imported only when a
cluster is needed (:mod:`oscilla.distributed.extra`). docs/guide/distributed.md explains when
distributing pays.
"""
