"""Live playing: a patch file that reloads when it changes, and Open Sound Control input.

:class:`Player` (``osc.Player``) drives a :class:`~oscilla.runtime.executor.Runtime` for
notebooks, scripts and the window; :func:`run` (``osc.run``) opens the window. This package uses
everything to its left (patch, compiler, runtime, render) and nothing uses it.
"""

from oscilla.live.player import Player, run

__all__ = ["Player", "run"]
