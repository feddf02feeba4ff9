"""The language pages (docs/language/): every diagnostic code the package can emit has a section
on the diagnostic codes page, and every in-page link of the language pages lands on a heading
that exists (``make docs`` checks links again, in strict mode; this runs without MkDocs)."""

from __future__ import annotations

import posixpath
import re

from support.paths import ROOT

DOCS = ROOT / "docs"
LANGUAGE = DOCS / "language"
_CODE = re.compile(r"""["']([EWI]_[A-Z][A-Z_]*[A-Z])["']""")
_LINK = re.compile(r"\]\(([^)\s]+\.md)?#([\w-]+)\)")


def _slug(text: str) -> str:
    """The anchor MkDocs (the toc extension's default slugify) gives a heading's text."""
    text = re.sub(r"[^\w\s-]", "", text.replace("`", "")).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _anchors(page) -> set[str]:
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    out = set()
    for m in re.finditer(r"^#{1,6} (.+?)(?: \{#([\w-]+)\})?\s*$", text, re.M):
        out.add(m.group(2) or _slug(m.group(1)))
    return out


def test_every_emitted_code_has_a_section():
    emitted = set()
    for path in (ROOT / "oscilla").rglob("*.py"):
        emitted |= set(_CODE.findall(path.read_text(encoding="utf-8")))
    assert {"E_CYCLE_DETECTED", "W_BLOCK_UNREACHABLE_ERROR", "I_STATE_RESET"} <= emitted  # the scan works
    documented = _anchors(LANGUAGE / "diagnostics-codes.md")
    documented |= {c for a in documented for c in a.upper().split("-") if re.fullmatch(r"[EWI]_[A-Z_]+", c)}
    missing = sorted(c for c in emitted if c.lower() not in documented and c not in documented)
    assert not missing, f"codes without a section in docs/language/diagnostics-codes.md: {missing}"


def test_anchored_links_of_the_language_pages_resolve():
    problems = []
    for page in sorted(LANGUAGE.glob("*.md")):
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
        for target, frag in _LINK.findall(text):
            dest = page if not target else DOCS / posixpath.normpath(posixpath.join("language", target))
            if not dest.is_file():
                continue  # tests/docs/test_site.py reports missing files
            if frag not in _anchors(dest):
                problems.append(f"{page.relative_to(ROOT)}: {target}#{frag}")
    assert not problems, "links to headings that do not exist:\n" + "\n".join(problems)


def test_worked_example_index_covers_w1_to_w17():
    text = (LANGUAGE / "conventions.md").read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r"^\| W(\d+) \|", text, re.M)]
    assert numbers == list(range(1, 18))


def test_nothing_cites_sections_of_files_the_repository_lacks():
    """The semantics live in docs/language/; the source cites those pages, never a numbered section
    (a section sign and a number) of the spec files blocks.md and api.md, which lie outside the
    repository, nor a bare section number."""
    cite = re.compile(r"(?<![\w/.-])(?:blocks|api)\.md`? §|(?<![\w\[])§\d")
    problems = []
    for top in ("oscilla", "tests", "scripts", "benchmarks", "examples", "docs"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in (".py", ".wgsl", ".md", ".json") or "golden" in path.parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if cite.search(line):
                    problems.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not problems, "citations of sections of files the repository lacks:\n" + "\n".join(problems)
