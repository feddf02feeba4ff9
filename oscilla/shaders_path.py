"""Loading the static WGSL files shipped as the ``oscilla.shaders`` package (repo: shaders/)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=None)
def load_wgsl(name: str) -> str:
    """Text of ``shaders/<name>``; raises FileNotFoundError naming the file when absent."""
    try:
        return resources.files("oscilla.shaders").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path(__file__).resolve().parent.parent / "shaders" / name
        return path.read_text(encoding="utf-8")
