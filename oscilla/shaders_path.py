"""Loader for the static WGSL files shipped in ``oscilla.shaders`` (the repo's ``shaders/``)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

_REPO_SHADERS = Path(__file__).resolve().parents[1] / "shaders"


@cache
def load_wgsl(name: str) -> str:
    """The text of ``shaders/<name>`` (``.wgsl`` is appended when missing).

    Looks in the installed package ``oscilla.shaders`` first (importlib.resources), then in the
    repository's top-level ``shaders/`` folder. Raises FileNotFoundError naming both places.
    """
    if not name.endswith(".wgsl"):
        name += ".wgsl"
    try:
        res = resources.files("oscilla.shaders").joinpath(name)
        if res.is_file():
            return res.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    path = _REPO_SHADERS / name
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"WGSL file {name!r} not found in package oscilla.shaders nor in {_REPO_SHADERS}")
