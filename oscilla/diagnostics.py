"""Diagnostics: coded, attributed messages produced by loading and compiling a patch.

Every problem the compiler finds becomes a :class:`Diagnostic` (docs/language/diagnostics-codes.md). Errors are
collected in a :class:`DiagnosticCollector` so that one pass reports every independent problem; compilation fails
with :class:`CompileError` carrying all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One coded compiler message.

    Attributes:
        code: stable code such as ``"E_CYCLE_DETECTED"`` (docs/language/diagnostics-codes.md#codes).
        severity: ``"error"``, ``"warning"`` or ``"info"``.
        message: human text, including a suggestion where one exists.
        block: id of the block the problem is attributed to, or None.
        port: port id (or param name for param diagnostics), or None.
        edge: 0-based index into the patch's ``edges`` when an edge is at fault, or None.
        position: character offset for expression errors, or None.
        cause: original code when this diagnostic replaces another (W_BLOCK_UNREACHABLE_ERROR).
    """

    code: str
    severity: str
    message: str
    block: str | None = None
    port: str | None = None
    edge: int | None = None
    position: int | None = None
    cause: str | None = None

    def format(self) -> str:
        """Render as the CLI's ``CODE block.port: message`` line."""
        target = ""
        if self.block is not None:
            target = self.block + (f".{self.port}" if self.port is not None else "")
        elif self.edge is not None:
            target = f"edges[{self.edge}]"
        return f"{self.code} {target}: {self.message}" if target else f"{self.code}: {self.message}"

    def to_dict(self) -> dict:
        """JSON-able form (keys as in the dataclass, None values dropped)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


#: diagnostics of one code that are printed; the rest of that code become one summary line
SUMMARY_LIMIT = 50


def summarize(diagnostics: Iterable[Diagnostic], limit: int = SUMMARY_LIMIT) -> tuple[list[Diagnostic], dict[str, int]]:
    """What to print of ``diagnostics``: the first ``limit`` of each code (in their order), and
    how many of each code were left out (codes in order of first appearance, only those with
    some left out). The list itself is never shortened: ``CompileError.diagnostics`` and
    ``CompiledProgram.diagnostics`` stay complete for API users; only the printed or formatted
    forms (the CLI, the live Player, :func:`format_diagnostics`) summarize. Linear in the count."""
    seen: dict[str, int] = {}
    kept: list[Diagnostic] = []
    for d in diagnostics:
        n = seen[d.code] = seen.get(d.code, 0) + 1
        if n <= limit:
            kept.append(d)
    return kept, {code: n - limit for code, n in seen.items() if n > limit}


def summary_line(code: str, count: int) -> str:
    """The line that stands for ``count`` left-out diagnostics of ``code``:
    ``and 349,950 more W_GRAPH_DISCONNECTED_BLOCK``."""
    return f"and {count:,} more {code}"


def format_diagnostics(diagnostics: Iterable[Diagnostic], limit: int = SUMMARY_LIMIT) -> list[str]:
    """One ``CODE block.port: message`` line per diagnostic, at most ``limit`` of each code, then
    one :func:`summary_line` per code with more (what the CLI and the live Player print)."""
    kept, more = summarize(diagnostics, limit)
    return [d.format() for d in kept] + [summary_line(code, n) for code, n in more.items()]


class CompileError(Exception):
    """Raised when a patch cannot be loaded or compiled.

    Attributes:
        diagnostics: every :class:`Diagnostic` found (errors first, in discovery order), never
            summarized; print them with :meth:`format_lines` (or :func:`format_diagnostics`),
            which summarizes beyond :data:`SUMMARY_LIMIT` of one code. ``str(error)`` names the
            first 5 errors and counts the rest.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == ERROR]
        head = "; ".join(d.format() for d in errors[:5])
        more = f" (+{len(errors) - 5:,} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} error(s): {head}{more}")

    def format_lines(self, limit: int = SUMMARY_LIMIT) -> list[str]:
        """The diagnostics as printed lines, summarized beyond ``limit`` of one code."""
        return format_diagnostics(self.diagnostics, limit)


class SnapshotError(ValueError):
    """A snapshot that cannot be restored (docs/runtime/snapshots.md); the runtime was not changed.

    Raised by ``Runtime.restore`` / ``load_snapshot`` (both runtimes) and by resuming an export.
    Defined here, below every layer, so that the CLI can name it without importing the runtime.

    Attributes:
        code: ``E_SNAPSHOT_INVALID`` (not a snapshot), ``E_SNAPSHOT_TRUNCATED`` (shorter than its
            header says), ``E_SNAPSHOT_CORRUPT`` (checksum mismatch or malformed contents),
            ``E_SNAPSHOT_VERSION`` (a newer format than this oscilla reads) or
            ``E_SNAPSHOT_MISMATCH`` (taken from another program, or a runtime kept at another size).
        diagnostic: the same as a :class:`Diagnostic` (severity ``"error"``, no block).
    """

    def __init__(self, code: str, message: str):
        self.code = code
        self.diagnostic = Diagnostic(code, ERROR, message)
        super().__init__(f"{code}: {message}")


@dataclass
class DiagnosticCollector:
    """Collects diagnostics during one compile; ``raise_if_errors`` ends the compile when needed."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        code: str,
        message: str,
        *,
        block: str | None = None,
        port: str | None = None,
        edge: int | None = None,
        severity: str | None = None,
        position: int | None = None,
        cause: str | None = None,
    ) -> Diagnostic:
        """Record a diagnostic; the severity defaults from the code's prefix (E/W/I)."""
        if severity is None:
            severity = {"E": ERROR, "W": WARNING, "I": INFO}[code[0]]
        d = Diagnostic(code, severity, message, block, port, edge, position, cause)
        self.items.append(d)
        return d

    def extend(self, ds: Iterable[Diagnostic]) -> None:
        self.items.extend(ds)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.items)

    def raise_if_errors(self) -> None:
        """Raise :class:`CompileError` with every diagnostic when any error was recorded."""
        if self.has_errors():
            raise CompileError(self.items)


def levenshtein(a: str, b: str) -> int:
    """Case-insensitive edit distance: insert, delete, substitute and swap two adjacent characters
    each cost 1 (optimal string alignment), so ``pwo`` is 1 from ``pow``."""
    a, b = a.lower(), b.lower()
    before: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                d = min(d, before[j - 2] + 1)
            cur.append(d)
        before, prev = prev, cur
    return prev[-1]


def common_prefix(a: str, b: str) -> int:
    """The length of the longest common case-insensitive prefix of ``a`` and ``b``."""
    n = 0
    for x, y in zip(a.lower(), b.lower()):
        if x != y:
            break
        n += 1
    return n


#: names longer than this get no suggestion: the edit distance costs len(name) x len(candidate),
#: and no block, port or param name is anywhere near this long
MAX_SUGGEST_LENGTH = 64


def suggest(name: str, candidates: Sequence[str]) -> str | None:
    """The did-you-mean rule of docs/language/diagnostics-codes.md#suggestions.

    A candidate qualifies when its case-insensitive edit distance d to ``name`` (:func:`levenshtein`:
    an adjacent swap costs 1) is at most max(2, floor(max(len)/2)), or when one is a prefix of the
    other and the shorter has >= 3 characters. The qualifying candidate with the smallest d wins;
    among equals, the one sharing the longest prefix with ``name``, then declaration order.
    A name (or candidate) longer than :data:`MAX_SUGGEST_LENGTH` characters gets (or is) no
    suggestion, so a 200,000-character name costs nothing.
    """
    if len(name) > MAX_SUGGEST_LENGTH:
        return None
    best: tuple[int, int, int, str] | None = None
    for order, cand in enumerate(candidates):
        if len(cand) > MAX_SUGGEST_LENGTH:
            continue
        d = levenshtein(name, cand)
        lo, lc = name.lower(), cand.lower()
        shorter = min(len(lo), len(lc))
        prefix = (lo.startswith(lc) or lc.startswith(lo)) and shorter >= 3
        if d <= max(2, max(len(name), len(cand)) // 2) or prefix:
            key = (d, -common_prefix(name, cand), order, cand)
            if best is None or key < best:
                best = key
    return best[-1] if best else None


#: candidates a did-you-mean message lists at most (the block types, 75, are all listed)
MAX_LISTED_CANDIDATES = 100


def did_you_mean(name: str, candidates: Sequence[str], kind: str) -> str:
    """Message tail: "did you mean 'x'? valid <kind>: a, b, c"."""
    s = suggest(name, candidates)
    shown = list(candidates[:MAX_LISTED_CANDIDATES])
    valid = ", ".join(shown) if shown else "(none)"
    if len(candidates) > len(shown):  # a 350,000-block patch must not list every block id
        valid += f", ... ({len(candidates) - len(shown):,} more)"
    head = f"did you mean '{s}'? " if s else ""
    return f"{head}valid {kind}: {valid}"
