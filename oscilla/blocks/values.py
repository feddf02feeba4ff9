"""IR values of ports during lowering: a tuple of scalar node ids plus the payload."""

from __future__ import annotations

from dataclasses import dataclass

from oscilla.program import TextLayout


@dataclass(frozen=True)
class ImageShape:
    """What an Image shape draws besides its packed components (docs/language/rendering.md#images).

    Attributes:
        index: the image's index in the program's images.
        filter: texture sampling, ``"nearest"`` or ``"linear"``.
        grid: the sprite sheet's (cols, rows); (1, 1) draws the whole image.
    """

    index: int
    filter: str = "linear"
    grid: tuple[int, int] = (1, 1)
    #: a Text shape's glyph layout (docs/language/rendering.md#text); the image is then its atlas
    text: TextLayout | None = None


@dataclass(frozen=True)
class Value:
    """A port value in IR form.

    Attributes:
        nodes: one scalar IR node id per component (float 1, vec2 2, vec3 3, color 4, shape 5).
        payload: the payload name.
        instance: instance id when the value is a field, else None.
        event: True for event values (a u32 0/1 signal).
        path: the control points of a path shape (docs/language/rendering.md#paths), else None.
        image: the texture of an Image shape (docs/language/rendering.md#images), else None.
    """

    nodes: tuple[int, ...]
    payload: str
    instance: str | None = None
    event: bool = False
    #: for path shapes (shape kind 2): the control points, a vec2 field over their own instance
    path: Value | None = None
    #: for Image shapes (shape kind 3): the image, its sampling and sprite grid
    image: ImageShape | None = None

    @property
    def node(self) -> int:
        """The single node of a one-component value."""
        assert len(self.nodes) == 1, self
        return self.nodes[0]
