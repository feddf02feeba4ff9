"""The generated tables of the language pages (oscilla/blocks/language_tables.py): the committed
pages are current, the markers are checked, every block is explained on some language page, and
the tables say what the semantics say (expected values written here from the language pages, not
read back from the registry)."""

from __future__ import annotations

import re

import pytest
from support.paths import ROOT

from oscilla.blocks.language_tables import TABLES, anchor, explained_in, fill_generated
from oscilla.blocks.registry import all_types, block_def

DOCS = ROOT / "docs"
_REGION = re.compile(r"<!-- generated: ([a-z0-9-]+) -->\n(.*?)<!-- end generated: \1 -->", re.S)


def _pages():
    return sorted(DOCS.rglob("*.md"))


def _rows(table: str) -> list[list[str]]:
    """The body rows of a generated Markdown table, split into cells."""
    lines = [ln for ln in table.strip().splitlines()[2:]]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", ln)[1:-1]] for ln in lines]


def _first_column_types(table: str) -> list[str]:
    return [re.match(r"\[(\w+)\]", row[0]).group(1) for row in _rows(table)]


def test_committed_language_pages_are_current():
    stale = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        if fill_generated(text, page.relative_to(DOCS).as_posix()) != text:
            stale.append(str(page.relative_to(ROOT)))
    assert not stale, f"generated tables out of date in {stale}: run .venv/bin/python scripts/gen_block_reference.py"


def test_every_table_is_used_by_a_page_and_every_block_is_explained():
    used: dict[str, str] = {}
    for page in _pages():
        for name, body in _REGION.findall(page.read_text(encoding="utf-8")):
            used[name] = body
    assert sorted(used) == sorted(TABLES), "a generated table no page shows, or a page naming an unknown table"
    listed = set()
    for body in used.values():
        listed |= set(re.findall(r"\[(\w+)\]\(\.\./reference/blocks\.md#", body))
    assert listed == set(all_types()), f"blocks in no language table: {sorted(set(all_types()) - listed)}"


def test_markers_are_checked():
    with pytest.raises(ValueError, match="unknown generated table"):
        fill_generated("<!-- generated: nonsense -->\n<!-- end generated: nonsense -->\n", "language/x.md")
    with pytest.raises(ValueError, match="lacks"):
        fill_generated("<!-- generated: adapters -->\nno end marker\n", "language/x.md")
    text = "before\n<!-- generated: time-roots -->\nstale\n<!-- end generated: time-roots -->\nafter\n"
    filled = fill_generated(text, "language/time.md")
    assert filled.startswith("before\n<!-- generated: time-roots -->\n| block |")
    assert filled.endswith("\n<!-- end generated: time-roots -->\nafter\n")
    assert "stale" not in filled
    assert fill_generated(filled, "language/time.md") == filled


def test_links_are_relative_to_the_page():
    assert "](../reference/blocks.md#unitdelay)" in TABLES["stateful-blocks"]("language/state-and-cycles.md")
    assert "](reference/blocks.md#unitdelay)" in TABLES["stateful-blocks"]("README.md")


def test_anchor_is_the_slug_of_the_reference_heading():
    assert anchor("RenderInstances2D") == "renderinstances2d"
    assert anchor("Adapter_PhaseToScalar01") == "adapter_phasetoscalar01"
    markdown_toc = pytest.importorskip("markdown.extensions.toc")  # the docs extra's Markdown
    for t in all_types():
        assert anchor(t) == markdown_toc.slugify(t, "-")


def test_stateful_table_lists_the_seven_and_only_the_delays_close_cycles():
    rows = _rows(TABLES["stateful-blocks"]("language/state-and-cycles.md"))
    closes = {re.match(r"\[(\w+)\]", r[0]).group(1): r[3] for r in rows}
    assert closes == {
        "UnitDelay": "yes",
        "DelayFrames": "yes",
        "Lag": "no",
        "Slew": "no",
        "Phasor": "no",
        "Accumulator": "no",
        "SampleHold": "no",
    }
    ring = next(r for r in rows if r[0].startswith("[DelayFrames]"))
    assert "`<id>:ring` (frames × lanes, initialValue)" in ring[2] and "`<id>:head` (1 int, 0)" in ring[2]


def test_time_roots_and_adapters():
    assert _first_column_types(TABLES["time-roots"]("language/time.md")) == [
        "InfiniteTimeRoot",
        "FiniteTimeRoot",
        "CyclicTimeRoot",
    ]
    rows = _rows(TABLES["adapters"]("language/types-and-units.md"))
    conv = {re.match(r"\[(\w+)\]", r[0]).group(1): (r[1], r[2], r[3]) for r in rows}
    assert len(conv) == 11
    assert conv["Adapter_PhaseToRadians"] == ("`float<phase01>`", "`float<radians>`", "x · 2π")
    assert conv["Adapter_RadiansToPhase01"] == ("`float<radians>`", "`float<phase01>`", "wrap01(x / 2π)")
    assert conv["Adapter_ScalarToNorm01Clamp"][2] == "clamp(x, 0, 1)"


def test_payloads_and_expression_functions():
    rows = {r[0]: r[1:] for r in _rows(TABLES["payloads"]("language/types-and-units.md"))}
    assert list(rows) == ["`float`", "`int`", "`bool`", "`vec2`", "`vec3`", "`color`", "`shape`"]
    assert rows["`color`"][:3] == ["4", "f32", "rgba01"]
    assert rows["`float`"][3] == "norm01, phase01, radians, degrees, ms, seconds"
    funcs = {r[0]: r[1] for r in _rows(TABLES["expression-functions"]("language/expressions.md"))}
    # issue 12's list of functions, the three constructors, the two older names lerp and wrap, and the
    # noise family (item 2: noise, fbm, curl)
    wanted = (
        "atan2 pow exp log exp2 log2 sqrt inversesqrt floor ceil round trunc fract sign step smoothstep mix "
        "clamp saturate min max abs hypot dot cross length distance normalize radians degrees sin cos tan "
        "asin acos atan sinh cosh tanh select vec2 vec3 color lerp wrap noise fbm curl"
    ).split()
    assert sorted(re.match(r"`(\w+)\(", f).group(1) for f in funcs) == sorted(wanted)
    assert funcs["`round(x)`"].startswith("int") and funcs["`clamp(x, lo, hi)`"].startswith("float")
    assert funcs["`min(a, b)`"].startswith("int if")
    assert funcs["`color(r, g, b[, a])`"] == "color" and funcs["`select(f, t, cond)`"] == "the type of f and t"
    assert funcs["`dot(a, b)`"] == "float" and funcs["`cross(a, b)`"] == "vec3"


def test_cells_escape_pipes_and_tags():
    table = TABLES["io-blocks"]("language/external-channels.md")
    assert "&lt;base>.x" in table and "<base>" not in table.replace("`", "")
    for row in _rows(TABLES["render-blocks"]("language/rendering.md")):
        assert len(row) == 5, row


def _heading_ids(page: str) -> set[str]:
    ids = set()
    for m in re.finditer(r"^#{1,6} (.+?)(?: \{#([\w-]+)\})?$", (DOCS / page).read_text(encoding="utf-8"), re.M):
        ids.add(m.group(2) or anchor(m.group(1).replace("`", "")))
    return ids


def test_every_block_is_explained_on_an_existing_section():
    for t in all_types():
        title, where = explained_in(block_def(t))
        page, _, frag = where.partition("#")
        assert (DOCS / page).is_file(), (t, where)
        assert not frag or frag in _heading_ids(page), (t, where)
