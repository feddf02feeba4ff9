"""The import graph has no upward edge: the import-linter contracts in pyproject.toml hold, and
they catch a violation when one is planted (so this test can fail)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(
    not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e '.[test]')"
)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), str(cwd / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_every_import_contract_is_kept():
    r = _lint_imports(ROOT)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("oscilla/compiler/cycles.py", "import oscilla.runtime.executor", "Compiling needs no GPU stack"),
        (
            "oscilla/runtime/ports.py",
            "import oscilla.compiler.compile",
            "Runtime side never imports patch, blocks or compiler",
        ),
        ("oscilla/ir/graph.py", "import oscilla.blocks.registry", "Layers only point down"),
    ],
)
def test_a_planted_upward_import_breaks_a_contract(tmp_path, module, planted, contract):
    shutil.copytree(ROOT / "oscilla", tmp_path / "oscilla", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{planted}  # planted by the test\n")
    r = _lint_imports(tmp_path)
    assert r.returncode != 0
    assert f"{contract} BROKEN" in r.stdout, r.stdout
