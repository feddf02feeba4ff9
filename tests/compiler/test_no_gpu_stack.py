"""Compiling needs no GPU stack: with wgpu (and the window libraries) refused at import, every
example still loads and compiles, and ``oscilla check`` / ``inspect`` still work.

Each check runs in a fresh interpreter whose ``sys.meta_path`` starts with a finder that raises
ImportError for wgpu, rendercanvas and glfw, as on a machine where they are not installed.
"""

import json
import subprocess
import sys
import textwrap

from support.paths import EXAMPLES_DIR, ROOT

BLOCKER = textwrap.dedent(
    """
    import sys

    class RefuseGpuStack:
        blocked = ("wgpu", "rendercanvas", "glfw")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.blocked:
                raise ImportError(f"{name} is blocked by the test (compiling must not need it)")
            return None

    sys.meta_path.insert(0, RefuseGpuStack())
    """
)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_the_blocker_really_blocks_wgpu():
    r = _run("import wgpu")
    assert r.returncode != 0 and "blocked by the test" in r.stderr


def test_every_example_compiles_without_wgpu():
    examples = sorted(str(p) for p in EXAMPLES_DIR.glob("*.json"))
    assert len(examples) >= 10
    r = _run(
        f"""
        import json, sys
        import oscilla as osc
        counts = {{}}
        for path in {examples!r}:
            program = osc.compile(osc.load_patch(path), observe="all")
            counts[path] = len(program.kernels)
        assert "wgpu" not in sys.modules
        print(json.dumps(counts))
        """
    )
    assert r.returncode == 0, r.stderr[-3000:]
    counts = json.loads(r.stdout.strip().splitlines()[-1])
    assert set(counts) == set(examples) and all(n >= 2 for n in counts.values())


def test_check_and_inspect_run_without_wgpu():
    spiral = str(EXAMPLES_DIR / "golden-spiral.json")
    for command, expect in (("check", "ok: "), ("inspect", "dispatches per frame")):
        r = _run(
            f"""
            import sys
            from oscilla.cli import main
            sys.argv = ["oscilla", {command!r}, {spiral!r}]
            main()
            """
        )
        assert r.returncode == 0, r.stderr[-3000:]
        assert expect in r.stdout


def test_check_reports_diagnostics_without_wgpu(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"oscilla": 1, "blocks": [{"id": "x", "type": "NoSuchBlock"}], "edges": []}))
    r = _run(
        f"""
        import sys
        from oscilla.cli import main
        sys.argv = ["oscilla", "check", {str(broken)!r}]
        main()
        """
    )
    assert r.returncode == 1, r.stderr[-3000:]
    assert "E_" in r.stderr and "blocked by the test" not in r.stderr
