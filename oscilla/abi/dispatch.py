"""Dispatch geometry: workgroup size and the (x, y) workgroup grid that covers N invocations.

Every compute kernel, generated or static, recovers its invocation index as
``gid.x + gid.y * (num_workgroups.x * group)`` and returns early past the end, so a grid may
over-cover its last row.
"""

from __future__ import annotations

import math

#: invocations per workgroup of every generated field, scan and commit kernel (and the static
#: continuity kernels); signal kernels use one invocation
WORKGROUP_SIZE = 256

#: WebGPU's guaranteed ``max-compute-workgroups-per-dimension``; past it grids go 2-D
MAX_GROUPS_X = 65535


def dispatch_grid(invocations: int, group: int = WORKGROUP_SIZE, max_x: int | None = None) -> tuple[int, int]:
    """Workgroup counts (x, y) covering ``invocations`` with ``group`` invocations per workgroup.

    Args:
        invocations: invocations needed (>= 0; 0 still dispatches one group).
        group: the kernel's ``@workgroup_size``.
        max_x: largest x count (default :data:`MAX_GROUPS_X`); y > 1 past it.

    Returns:
        ``(x, y)`` with ``x * y * group >= invocations``, ``1 <= x <= max_x``.
    """
    max_x = MAX_GROUPS_X if max_x is None else max_x
    groups = max(1, math.ceil(invocations / group))
    if groups <= max_x:
        return groups, 1
    y = math.ceil(groups / max_x)
    return math.ceil(groups / y), y
