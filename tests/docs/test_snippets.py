"""Every Python block of the user guide marked runnable is run (a doctest-style check).

The marker is an HTML comment on the line right before the fence, invisible on the site:

    <!-- runnable -->
    ```python
    ...
    ```

Each block runs in a fresh namespace, in a temporary directory that has the repository's
``examples/`` (so ``"examples/feedback.json"`` works as in the guide) and nothing else. A block that
defines ``test_*`` functions is a test module shown in the guide: its functions are then called
twice, like two pytest runs (the golden-image example records its golden in the first and compares
against it in the second), with ``tmp_path`` passed to those that take it.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil

import pytest
from support.paths import ROOT

GUIDE = ROOT / "docs" / "guide"
MARKER = "<!-- runnable -->"
_BLOCK = re.compile(r"^<!-- runnable -->[ \t]*\n```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def runnable_blocks() -> list[tuple[str, int, str]]:
    """(guide file name, line of the fence, code) of every runnable block, in file order."""
    out = []
    for path in sorted(GUIDE.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for m in _BLOCK.finditer(text):
            line = text.count("\n", 0, m.start()) + 2
            out.append((path.name, line, m.group(1)))
    return out


BLOCKS = runnable_blocks()


def test_markers_are_followed_by_python_blocks():
    """A marker that is not directly followed by a ```python fence would silently run nothing."""
    markers = sum(p.read_text(encoding="utf-8").count(MARKER) for p in GUIDE.glob("*.md"))
    assert markers == len(BLOCKS), "a <!-- runnable --> marker is not directly followed by ```python"
    assert len(BLOCKS) >= 10, f"only {len(BLOCKS)} runnable blocks found in docs/guide"
    pages = {name for name, _, _ in BLOCKS}
    for must in ("first-patch.md", "rendering.md", "testing.md", "troubleshooting.md"):
        assert must in pages, f"docs/guide/{must} has no runnable block"


def _workdir(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    try:
        os.symlink(ROOT / "examples", work / "examples", target_is_directory=True)
    except OSError:  # no symlinks (e.g. some Windows set-ups): copy instead
        shutil.copytree(ROOT / "examples", work / "examples")
    (work / "tests").mkdir()
    return work


@pytest.mark.parametrize("name, line, code", BLOCKS, ids=[f"{n}:{ln}" for n, ln, _ in BLOCKS])
def test_guide_block_runs(name, line, code, tmp_path, monkeypatch):
    from oscilla.gpu.device import NoAdapterError

    work = _workdir(tmp_path)
    monkeypatch.chdir(work)
    filename = f"docs/guide/{name}:{line}"
    namespace = {"__name__": "__doc_snippet__", "__file__": str(work / "tests" / "test_snippet.py")}
    try:
        exec(compile(code, filename, "exec"), namespace)
        tests = [
            fn
            for key, fn in namespace.items()
            if key.startswith("test_") and inspect.isfunction(fn) and fn.__code__.co_filename == filename
        ]
        for run in range(2):
            for fn in tests:
                kwargs = {}
                if "tmp_path" in inspect.signature(fn).parameters:
                    kwargs["tmp_path"] = tmp_path / f"{fn.__name__}-{run}"
                    kwargs["tmp_path"].mkdir()
                fn(**kwargs)
    except NoAdapterError as e:  # pragma: no cover - depends on the machine
        pytest.skip(f"needs a GPU adapter: {e}")
