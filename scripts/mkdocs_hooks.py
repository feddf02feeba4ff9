"""MkDocs hooks of oscilla's documentation site (registered under ``hooks:`` in mkdocs.yml).

Pages name the code they describe with links relative to the page, for example
``[`validate_schedule`](../../oscilla/compiler/schedule.py)`` in docs/runtime/execution-model.md.
Such a link works on a forge and in an editor, but its target lies outside ``docs/``, so MkDocs
alone would report it as "not found among documentation files" (an error under ``--strict``).
These hooks make those links part of the build instead of switching link validation off:

* ``on_files``: every Markdown link of every page whose target resolves outside ``docs/`` is
  checked against the repository. A target that does not exist, is a directory, is a Markdown file
  (not part of the site) or lies outside the repository is logged as a warning, so
  ``mkdocs build --strict`` fails on it exactly as it fails on a broken link between pages. Every
  target that exists is added to the site as a static file under ``_source/`` (same relative
  path), so the link also works in the built site, offline.
* ``on_page_markdown``: those links are rewritten to the ``_source/`` copies before MkDocs
  resolves links, so MkDocs' own validation (``validation:`` in mkdocs.yml) checks them like any
  other link.

Links inside fenced code blocks are left alone. Nothing here imports oscilla.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from urllib.parse import urlsplit

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.oscilla")

SOURCE_PREFIX = "_source"

# [text](target) or [text](target "title"); the text may contain `code` and one level of [..]
_LINK = re.compile(r"(?<!\\)(\[(?:[^\[\]]|\[[^\[\]]*\])*\]\()(<[^>]+>|[^)\s]+)((?:\s+\"[^\"]*\")?\))")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _segments(markdown: str):
    """(is_code, text) pieces of ``markdown``: fenced code blocks are code, the rest is prose."""
    out, buf, fence = [], [], None
    for line in markdown.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence is None and m:
            if buf:
                out.append((False, "".join(buf)))
            buf, fence = [line], m.group(1)
        elif fence is not None and m and m.group(1) == fence:
            buf.append(line)
            out.append((True, "".join(buf)))
            buf, fence = [], None
        else:
            buf.append(line)
    if buf:
        out.append((fence is not None, "".join(buf)))
    return out


def _outside_target(page_src_uri: str, target: str) -> tuple[str, str] | None:
    """For a link on page ``page_src_uri`` (relative to docs/): (repository-relative path, the
    ``?query#anchor`` suffix) when the target leaves docs/, else None."""
    target = target[1:-1] if target.startswith("<") else target
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    inside = posixpath.normpath(posixpath.join(posixpath.dirname(page_src_uri), parts.path))
    if not inside.startswith("../"):
        return None
    repo_rel = posixpath.normpath(posixpath.join("docs", inside))
    suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return repo_rel, suffix


def _links(markdown: str):
    for is_code, text in _segments(markdown):
        if not is_code:
            for m in _LINK.finditer(text):
                yield m.group(2)


def _repo_root(config) -> str:
    return os.path.dirname(os.path.abspath(config["config_file_path"]))


def _problem(root: str, repo_rel: str) -> str | None:
    if repo_rel.startswith("../") or repo_rel == "..":
        return "lies outside the repository"
    path = os.path.join(root, repo_rel)
    if not os.path.exists(path):
        return "does not exist in the repository"
    if os.path.isdir(path):
        return "is a directory; link to a file in it"
    if repo_rel.endswith(".md"):
        return "is a Markdown file outside docs/, which is not part of the site; name it in `code` instead"
    return None


def on_files(files: Files, config) -> Files:
    root = _repo_root(config)
    wanted: dict[str, str] = {}
    for f in files.documentation_pages():
        with open(f.abs_src_path, encoding="utf-8") as fh:
            text = fh.read()
        for target in _links(text):
            hit = _outside_target(f.src_uri, target)
            if hit is None:
                continue
            repo_rel, _suffix = hit
            why = _problem(root, repo_rel)
            if why:
                log.warning(f"Doc file '{f.src_uri}' links to '{target}': the target '{repo_rel}' {why}.")
                continue
            wanted[repo_rel] = os.path.join(root, repo_rel)
    for repo_rel, abs_path in sorted(wanted.items()):
        files.append(File.generated(config, f"{SOURCE_PREFIX}/{repo_rel}", abs_src_path=abs_path))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    root = _repo_root(config)
    src_uri = page.file.src_uri

    def rewrite(m: re.Match) -> str:
        hit = _outside_target(src_uri, m.group(2))
        if hit is None or _problem(root, hit[0]):
            return m.group(0)
        repo_rel, suffix = hit
        new = posixpath.relpath(f"{SOURCE_PREFIX}/{repo_rel}", posixpath.dirname(src_uri) or ".")
        return f"{m.group(1)}{new}{suffix}{m.group(3)}"

    return "".join(text if is_code else _LINK.sub(rewrite, text) for is_code, text in _segments(markdown))
