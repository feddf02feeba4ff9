"""IR values of ports during lowering: a tuple of scalar node ids plus the payload."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    """A port value in IR form.

    Attributes:
        nodes: one scalar IR node id per component (float 1, vec2 2, vec3 3, color 4, shape 5).
        payload: the payload name.
        instance: instance id when the value is a field, else None.
        event: True for event values (a u32 0/1 signal).
        path: the control points of a path shape (docs/language/rendering.md#paths), else None.
    """

    nodes: tuple[int, ...]
    payload: str
    instance: str | None = None
    event: bool = False
    #: for path shapes (shape kind 2): the control points, a vec2 field over their own instance
    path: Value | None = None

    @property
    def node(self) -> int:
        """The single node of a one-component value."""
        assert len(self.nodes) == 1, self
        return self.nodes[0]
