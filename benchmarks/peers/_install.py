"""The message a peer gives when its framework is not installed."""

from __future__ import annotations

import importlib.util


def not_installed(module: str, package: str) -> str | None:
    """None when ``module`` can be imported, else the pip command of the `bench` extra."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"n/a: pip install -e '.[bench]' ({package})"
