"""The documentation site's rules, checked without MkDocs (``make docs`` checks them again, in
strict mode): every page is in the nav, file names are kebab-case and unnumbered, and every
relative link of every page points at a file that exists, in docs/ or elsewhere in the repository.
"""

from __future__ import annotations

import posixpath
import re

from support.paths import ROOT

DOCS = ROOT / "docs"
_LINK = re.compile(r"(?<!\\)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((<[^>]+>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def pages() -> list[str]:
    return sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))


def nav_pages() -> list[str]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:") :]
    return re.findall(r"^\s+-\s+(?:[^:\n]+:\s+)?([\w./-]+\.md)\s*$", nav, re.M)


def prose(text: str) -> str:
    """``text`` without its fenced code blocks."""
    out, fence = [], None
    for line in text.splitlines():
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and m and m.group(1) == fence:
            fence = None
        elif fence is None:
            out.append(line)
    return "\n".join(out)


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    nav = nav_pages()
    assert "README.md" in nav, "docs/README.md is the entry page"
    missing = sorted(set(pages()) - set(nav))
    assert not missing, f"pages missing from nav: in mkdocs.yml: {missing}"
    dangling = sorted(set(nav) - set(pages()))
    assert not dangling, f"nav entries without a page: {dangling}"
    assert len(nav) == len(set(nav)), "a page appears twice in the nav"


def test_file_names_are_kebab_case_and_unnumbered():
    for rel in pages():
        for part in rel.split("/"):
            name = part[:-3] if part.endswith(".md") else part
            if part == "README.md":
                continue
            assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name), f"docs/{rel}: {part!r} is not kebab-case"


def test_relative_links_resolve():
    problems = []
    for rel in pages():
        text = prose((DOCS / rel).read_text(encoding="utf-8"))
        for target in _LINK.findall(text):
            target = target.strip("<>")
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # external (https:, mailto:) or an anchor on the same page
            path = target.split("#", 1)[0].split("?", 1)[0]
            resolved = posixpath.normpath(posixpath.join("docs", posixpath.dirname(rel), path))
            full = ROOT / resolved
            if resolved.startswith("..") or not full.is_file():
                problems.append(f"docs/{rel}: {target} -> {resolved}")
            elif not resolved.startswith("docs/") and resolved.endswith(".md"):
                problems.append(f"docs/{rel}: {target} is Markdown outside docs/ (not part of the site)")
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_execution_model_covers_the_eleven_parts_in_order():
    text = (DOCS / "runtime" / "execution-model.md").read_text(encoding="utf-8")
    parts = [
        "## 1. The frame lifecycle",
        "## 2. The problem: state causality",
        "## 3. The solution: two phases",
        "## 4. Phase 1 in detail",
        "## 5. Phase 2 in detail",
        "## 6. The schedule",
        "## 7. Buffer management and the memory model",
        "## 8. State isolation and frame boundaries",
        "## 9. The invariants",
        "## 10. Failure modes",
        "## 11. Maintenance guide",
    ]
    positions = [text.index(p) for p in parts]
    assert positions == sorted(positions)
    for example in ("### Example (a)", "#### Example (b)", "### Example (c)"):
        assert example in text
