"""A huge user-provided name never makes a huge message: it is described, not quoted."""

import pytest

import oscilla as osc


def test_a_200000_character_type_is_described_not_quoted_in_every_diagnostic():
    patch = {
        "oscilla": 1,
        "blocks": [{"id": "t", "type": "InfiniteTimeRoot"}, {"id": "x", "type": "Q" * 200_000}],
        "edges": [],
    }
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    codes = [d.code for d in e.value.diagnostics]
    assert "E_UNKNOWN_BLOCK_TYPE" in codes
    assert all(len(d.message) < 5_000 for d in e.value.diagnostics), [len(d.message) for d in e.value.diagnostics]
    unknown = next(d for d in e.value.diagnostics if d.code == "E_UNKNOWN_BLOCK_TYPE")
    assert "a string of 200000 characters" in unknown.message
