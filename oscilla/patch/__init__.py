"""The patch layer: the patch model (:mod:`.model`), its structure (:mod:`.schema`) and the one
loader (:mod:`.loader`) that the CLI, :func:`load_patch`, ``compile`` and the live Player share.

Loading never executes anything from the file (docs/language/patch-format.md).
"""

from oscilla.patch.loader import decode_patch_bytes, load_patch, parse_patch_json, patch_from_bytes, patch_from_text
from oscilla.patch.model import Block, Composite, Edge, Patch
from oscilla.patch.schema import FORMAT_VERSION, MAX_DEPTH, MAX_INT_DIGITS, PATCH_SCHEMA, check_patch_data
from oscilla.patch.versions import MIGRATIONS, upgrade_data

__all__ = [
    "FORMAT_VERSION",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MIGRATIONS",
    "PATCH_SCHEMA",
    "Block",
    "Composite",
    "Edge",
    "Patch",
    "check_patch_data",
    "decode_patch_bytes",
    "load_patch",
    "parse_patch_json",
    "patch_from_bytes",
    "patch_from_text",
    "upgrade_data",
]
