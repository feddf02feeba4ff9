"""``oscilla check`` on a patch whose sink type is misspelled: an error and exit 1, not an "ok" with
a warning (docs/language/diagnostics-codes.md#e_unknown_block_type)."""

import json

from support.builders import blk, edge, make_patch
from typer.testing import CliRunner

from oscilla.cli import app

runner = CliRunner()


def test_check_fails_on_a_misspelled_sink(tmp_path):
    path = tmp_path / "misspelled.json"
    patch = make_patch(
        [blk("arr", "Array", count=8), blk("ring", "CircleLayout"), blk("draw", "RenderInstance2D")],
        [edge("arr.elements", "ring.elements"), edge("ring.position", "draw.pos")],
    )
    path.write_text(json.dumps(patch), encoding="utf-8")
    r = runner.invoke(app, ["check", str(path)])
    assert r.exit_code == 1, r.output
    assert "E_UNKNOWN_BLOCK_TYPE draw" in r.output and "did you mean 'RenderInstances2D'?" in r.output
    assert "W_BLOCK_UNREACHABLE_ERROR" not in r.output


def test_check_of_a_signal_only_patch_is_ok_with_the_no_sink_warning(tmp_path):
    path = tmp_path / "signals.json"
    path.write_text(json.dumps(make_patch([blk("add", "Add", b=1.0)], [edge("time.phaseA", "add.a")])))
    r = runner.invoke(app, ["check", str(path)])
    assert r.exit_code == 0, r.output
    assert "W_NO_RENDER_SINK" in r.output
