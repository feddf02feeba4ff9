"""Files a patch names (``Image.path``): resolution relative to the patch file and the folder-tree rule
(docs/language/rendering.md#images, docs/guide/troubleshooting.md#files).

A path in a param is resolved against the patch's folder (``Patch.base_dir``; the current
directory for a patch built in memory), symbolic links and ``..`` included, and must then lie in
that folder's tree or in the tree of a folder the caller allows (``compile(..., allow_paths=[...])``,
``oscilla render --allow-path DIR``). The check comes before any look at the file itself, so a
refused path says nothing about what exists outside the tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class FileRefused(Exception):
    """A file param that cannot be used, with its diagnostic code and message.

    Attributes:
        code: ``E_PATH_OUTSIDE_PATCH``, ``E_FILE_NOT_FOUND``, ``E_FILE_UNREADABLE``,
            ``E_PARAM_INVALID`` or ``E_LIMIT_EXCEEDED``.
        message: what is wrong and what to do.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FileRoots:
    """Where the files of one compile are looked up.

    Attributes:
        base: the patch's folder, absolute with links resolved: relative paths start here.
        allowed: the folders (absolute, links resolved) whose trees files may come from: ``base``
            first, then the caller's ``allow_paths``.
    """

    base: Path
    allowed: tuple[Path, ...]

    @classmethod
    def of(
        cls, base_dir: str | os.PathLike[str] | None, allow_paths: Iterable[str | os.PathLike[str]] = ()
    ) -> FileRoots:
        """The roots of a patch whose folder is ``base_dir`` (None: the current directory) with the
        extra folders ``allow_paths``.

        Raises:
            TypeError: ``allow_paths`` is a single str or path instead of a list of them, or holds
                something else.
        """
        if isinstance(allow_paths, (str, os.PathLike)):
            raise TypeError(f"allow_paths must be a list of folders, got the single path {os.fspath(allow_paths)!r}")
        extra: list[Path] = []
        for p in allow_paths:
            if not isinstance(p, (str, os.PathLike)):
                raise TypeError(f"allow_paths holds {type(p).__name__} {p!r}; expected folder paths (str or Path)")
            extra.append(Path(p).resolve())
        base = Path(base_dir if base_dir is not None else Path.cwd()).resolve()
        return cls(base, (base, *extra))


def resolve_file(raw: str, roots: FileRoots) -> Path:
    """The absolute path of the file param ``raw``, checked against the folder-tree rule (not opened).

    Raises:
        FileRefused: E_PARAM_INVALID for an empty path or one with a NUL character;
            E_PATH_OUTSIDE_PATCH when the resolved path is outside every allowed tree.
    """
    if not raw or "\0" in raw:
        raise FileRefused("E_PARAM_INVALID", f"{raw!r} is not a file path; give the image file's path")
    path = (roots.base / Path(raw).expanduser()).resolve() if not Path(raw).is_absolute() else Path(raw).resolve()
    if not any(path.is_relative_to(root) for root in roots.allowed):
        raise FileRefused(
            "E_PATH_OUTSIDE_PATCH",
            f"{raw!r} resolves to {path}, outside the patch's folder {roots.base}: a patch reads only files in "
            f"its own folder tree. Copy the file next to the patch, or allow its folder "
            f"(compile(..., allow_paths=[...]) or --allow-path DIR)",
        )
    return path


def check_regular_file(raw: str, path: Path) -> None:
    """Raise E_FILE_NOT_FOUND when ``path`` (from param value ``raw``) is missing or not a regular file.

    Raises:
        FileRefused: E_FILE_NOT_FOUND, naming what is there instead.
    """
    if not path.exists():
        raise FileRefused("E_FILE_NOT_FOUND", f"no file {raw!r} (looked for {path}); check the name and the folder")
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        raise FileRefused("E_FILE_NOT_FOUND", f"{raw!r} ({path}) is {what}; give the path of an image file")
