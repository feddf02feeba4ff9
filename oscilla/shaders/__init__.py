"""The static WGSL shipped with oscilla (``oscilla/shaders/*.wgsl``) and its loader.

Shaders that never change live here as ``.wgsl`` files; generated kernels include
``prelude.wgsl`` verbatim. The folder is package data, so an installed wheel finds the same text.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_wgsl(name: str) -> str:
    """The text of ``oscilla/shaders/<name>`` (``.wgsl`` is appended when missing).

    Raises:
        FileNotFoundError: no such shader in the package (the message names it).
    """
    if not name.endswith(".wgsl"):
        name += ".wgsl"
    res = resources.files(__package__).joinpath(name)
    if not res.is_file():
        raise FileNotFoundError(f"WGSL file {name!r} is not in the package oscilla.shaders")
    return res.read_text(encoding="utf-8")
