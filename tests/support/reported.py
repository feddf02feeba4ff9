"""What a compile reports about a patch, seen as if every block reached a render sink.

docs/language/diagnostics-codes.md#isolation downgrades an error in a block that reaches no render sink to
W_BLOCK_UNREACHABLE_ERROR (``cause`` = the original code) and compiles the rest. Tests whose
subject is a particular error code use :func:`reported`, which gives back errors as errors and
downgraded errors as their cause, so they hold whether or not the small test patch has a sink.
The downgrade itself is tested in tests/compiler/test_isolate.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import oscilla as osc


@dataclass
class Reported:
    """Shaped like pytest's ExceptionInfo for ``CompileError``: ``.value.diagnostics``."""

    diagnostics: list
    compiled: bool

    @property
    def value(self) -> Reported:
        return self


def reported(patch, observe=None) -> Reported:
    """Errors of compiling ``patch``, downgraded ones restored to their cause.

    Raises AssertionError when nothing was reported at all (the patch compiled cleanly)."""
    try:
        program = osc.compile(patch, observe=observe)
    except osc.CompileError as e:
        diags, compiled = e.diagnostics, False
    else:
        diags, compiled = program.diagnostics, True
    out = []
    for d in diags:
        if d.code == "W_BLOCK_UNREACHABLE_ERROR":
            out.append(replace(d, code=d.cause, severity="error", cause=None))
        elif d.severity == "error":
            out.append(d)
    assert out, "the patch compiled without reporting any problem"
    return Reported(out, compiled)
