"""A broken edit with hundreds of errors of one code: the Player keeps every diagnostic in
``player.diagnostics`` but prints 50 of a code and one summary line to stderr (issue 9)."""

from __future__ import annotations

import json

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc

pytestmark = pytest.mark.gpu


def drawn(extra=()):
    return make_patch(
        [blk("arr", "Array", count=4), blk("grid", "GridLayout"), blk("draw", "RenderInstances2D"), *extra],
        [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")],
    )


def test_a_reload_with_300_unknown_types_prints_a_summary(tmp_path, capsys):
    path = tmp_path / "live.json"
    path.write_text(json.dumps(drawn()))
    with osc.Player(path, watch=False, size=(16, 16)) as player:
        good = player.program
        path.write_text(json.dumps(drawn([blk(f"x{i}", "NoSuchBlock") for i in range(300)])))
        assert player.reload() is False
        assert player.program is good
        assert [d.code for d in player.diagnostics].count("E_UNKNOWN_BLOCK_TYPE") == 300  # complete
        err = capsys.readouterr().err.splitlines()
        assert sum(line.startswith("E_UNKNOWN_BLOCK_TYPE ") for line in err) == 50
        assert "and 250 more E_UNKNOWN_BLOCK_TYPE" in err
        assert len(err) < 200
