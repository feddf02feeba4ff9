"""``oscilla check`` of a patch with thousands of warnings of one code prints 50 of them and one
summary line (issue 9), with the totals counting all of them."""

import json

from support.builders import blk, edge, make_patch
from typer.testing import CliRunner

from oscilla.cli import app


def test_check_summarizes_beyond_50_disconnected_blocks(tmp_path):
    patch = make_patch(
        [
            blk("arr", "Array", count=4),
            blk("grid", "GridLayout"),
            blk("draw", "RenderInstances2D"),
            *[blk(f"k{i}", "Const", value=1.0) for i in range(2000)],
        ],
        [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")],
    )
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(patch))
    r = CliRunner().invoke(app, ["check", str(path)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert sum("W_GRAPH_DISCONNECTED_BLOCK" in line for line in lines) == 51  # 50 and the summary
    assert "and 1,950 more W_GRAPH_DISCONNECTED_BLOCK" in lines
    assert "0 error(s), 2000 warning(s)" in lines
    assert len(lines) < 120


def test_check_summarizes_beyond_50_errors_of_one_code(tmp_path):
    patch = make_patch(
        [
            blk("arr", "Array", count=4),
            blk("grid", "GridLayout"),
            blk("draw", "RenderInstances2D"),
            *[blk(f"x{i}", "NoSuchBlock") for i in range(300)],
        ],
        [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")],
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(patch))
    r = CliRunner().invoke(app, ["check", str(path)])
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    assert "and 250 more E_UNKNOWN_BLOCK_TYPE" in lines
    assert lines[-1].startswith("300 error(s), ")
    assert len(lines) < 200
