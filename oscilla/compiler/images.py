"""Loading the images of ``Image`` blocks at compile time (docs/language/rendering.md#images).

Every block whose definition names an ``image_param`` gets its file resolved
(:mod:`oscilla.compiler.files`), its header read for the size (refused before decoding when a side
exceeds the device's largest texture), then decoded with Pillow into straight-alpha RGBA8
(:class:`~oscilla.program.ImageData`). Each problem is one coded diagnostic on the block, the param
name as its port. PNG, JPEG and WebP are read; nothing else is even tried.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from oscilla.compiler.files import FileRefused, FileRoots, check_regular_file, resolve_file
from oscilla.compiler.graph import Graph
from oscilla.diagnostics import DiagnosticCollector
from oscilla.program import ImageData

#: the Pillow formats an Image reads
FORMATS = ("PNG", "JPEG", "WEBP")


def decode_image(raw: str, path: Path, max_side: int) -> ImageData:
    """The image file at ``path`` (named ``raw`` in the patch) as RGBA8 texels.

    Raises:
        FileRefused: E_FILE_NOT_FOUND (missing, a folder), E_FILE_UNREADABLE (no permission, not a
            PNG/JPEG/WebP file, a damaged file), E_LIMIT_EXCEEDED (a side over ``max_side`` pixels).
    """
    check_regular_file(raw, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as im:
                w, h = im.size
                if max(w, h) > max_side:
                    raise FileRefused(
                        "E_LIMIT_EXCEEDED",
                        f"{raw!r} is {w}x{h} pixels; the largest texture the device holds is {max_side} pixels a "
                        f"side. Scale the image down (or compile with the limits of a device that holds it)",
                    )
                rgba = im.convert("RGBA").tobytes()
    except FileRefused:
        raise
    except UnidentifiedImageError:
        raise FileRefused(
            "E_FILE_UNREADABLE", f"{raw!r} is not a PNG, JPEG or WebP image; convert it to one of those"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise FileRefused("E_LIMIT_EXCEEDED", f"{raw!r}: {e}") from None
    except OSError as e:  # no permission, a truncated or damaged file
        raise FileRefused("E_FILE_UNREADABLE", f"cannot read {raw!r}: {e.strerror or e}") from None
    return ImageData(str(path), w, h, rgba)


def load_images(
    g: Graph, roots: FileRoots, max_side: int, diags: DiagnosticCollector, cache: dict[Path, ImageData]
) -> dict[str, ImageData]:
    """block id -> its decoded image, for every block of ``g`` whose definition has an ``image_param``;
    a block whose file is refused is left out, with its diagnostic in ``diags``. ``cache`` keeps the
    files decoded so far in this compile (a file named twice is read once)."""
    out: dict[str, ImageData] = {}
    for b in g.blocks.values():
        param = b.defn.image_param
        if param is None:
            continue
        raw = b.config.get(param)
        try:
            if not isinstance(raw, str) or not raw:
                raise FileRefused(
                    "E_PARAM_INVALID",
                    f"{b.type}.{param} is required: the image file's path, relative to the patch file",
                )
            path = resolve_file(raw, roots)
            img = cache.get(path)
            if img is None or max(img.width, img.height) > max_side:
                img = cache[path] = decode_image(raw, path, max_side)
        except FileRefused as e:
            diags.add(e.code, f"{b.type}.{param}: {e.message}", block=b.id, port=param)
            continue
        out[b.id] = img
    return out
