"""The peers table: Markdown for docs/performance.md (between two marker comments, so a new run
replaces the old table) and a rich table for the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table

MARK_BEGIN = "<!-- bench-peers:begin (written by benchmarks/bench_peers.py: make bench) -->"
MARK_END = "<!-- bench-peers:end -->"
#: the row every ratio is taken against
BASELINE = "oscilla"


@dataclass
class Row:
    """One implementation: ``key`` (results JSON), ``label`` (table), ``ms`` lanes -> (median,
    p95) ms per frame, or ``missing`` (why it did not run: "n/a: pip install ..."); ``checked``:
    how it was checked against the reference interpreter."""

    key: str
    label: str
    ms: dict[int, tuple[float, float]] = field(default_factory=dict)
    missing: str = ""
    checked: str = ""


@dataclass(frozen=True)
class RunInfo:
    """Where and how the run was made (the text above the table)."""

    device: str
    driver: str
    cpu: str
    cores: int
    date: str
    load_start: str
    load_end: str
    rounds: int
    frames: int
    reference_frames: int


def _lanes(rows: list[Row]) -> list[int]:
    return sorted({n for r in rows for n in r.ms})


def cells(row: Row, lanes: list[int], baseline: Row | None) -> list[str]:
    """The table cells after the label: per lane count "median (p95)", t(max)/t(min), the ratio
    to the baseline at the most lanes, and the check."""
    if row.missing:
        return [row.missing] + ["–"] * (len(lanes) + 1 + (len(lanes) > 1)) if lanes else [row.missing]
    out = [f"{row.ms[n][0]:.2f} ({row.ms[n][1]:.2f})" if n in row.ms else "–" for n in lanes]
    if len(lanes) > 1:
        lo, hi = lanes[0], lanes[-1]
        out.append(f"{row.ms[hi][0] / row.ms[lo][0]:.1f}" if lo in row.ms and hi in row.ms else "–")
    top = lanes[-1] if lanes else None
    if baseline is not None and top in row.ms and top in baseline.ms:
        out.append(f"{row.ms[top][0] / baseline.ms[top][0]:.2f}")
    else:
        out.append("–")
    out.append(row.checked or "–")
    return out


def headers(lanes: list[int]) -> list[str]:
    head = ["implementation"] + [f"{n:,} lanes: ms/frame median (p95)" for n in lanes]
    if len(lanes) > 1:
        head.append(f"t({lanes[-1]:,}) / t({lanes[0]:,})")
    top = f"{lanes[-1]:,} lanes" if lanes else "the most lanes"
    return head + [f"time / oscilla Runtime.step's ({top})", "agrees with ReferenceRuntime"]


def markdown(info: RunInfo, rows: list[Row]) -> str:
    """The generated part of the docs section: the run's device, date and load, then the table."""
    lanes = _lanes(rows)
    base = next((r for r in rows if r.key == BASELINE and not r.missing), None)
    lines = [
        f"One run of `benchmarks/bench_peers.py` ({info.date[:10]}): oscilla on `{info.device}` "
        f"(driver `{info.driver}`); the peers on the same CPU, `{info.cpu}`, {info.cores} cores. "
        f"`uptime` load average {info.load_start} at the start, {info.load_end} at the end. "
        f"{info.rounds} interleaved rounds; a round times each implementation once over a batch of "
        f"{info.frames} frames ({info.reference_frames} for the reference interpreter) ended by one "
        "sync; median (and 95th percentile) over the rounds.",
        "",
        "| " + " | ".join(headers(lanes)) + " |",
        "|" + "---|" * len(headers(lanes)),
    ]
    lines += ["| " + " | ".join([r.label, *cells(r, lanes, base)]) + " |" for r in rows]
    return "\n".join(lines)


def rich_table(info: RunInfo, rows: list[Row]) -> Table:
    """The same table for the terminal."""
    lanes = _lanes(rows)
    base = next((r for r in rows if r.key == BASELINE and not r.missing), None)
    table = Table(title=f"bench patch, {info.device} / {info.cpu} ({info.cores} cores), load {info.load_start}")
    for h in headers(lanes):
        table.add_column(h, justify="left" if h == "implementation" else "right")
    for r in rows:
        table.add_row(r.label, *cells(r, lanes, base))
    return table


def replace_between_markers(text: str, block: str) -> str:
    """``text`` with everything between :data:`MARK_BEGIN` and :data:`MARK_END` replaced by ``block``.

    Raises:
        ValueError: a marker is missing, repeated, or the end comes before the begin.
    """
    if text.count(MARK_BEGIN) != 1 or text.count(MARK_END) != 1:
        raise ValueError(f"expected one line {MARK_BEGIN!r} and one line {MARK_END!r}")
    head, rest = text.split(MARK_BEGIN)
    if MARK_END not in rest:
        raise ValueError(f"{MARK_END!r} comes before {MARK_BEGIN!r}")
    _, tail = rest.split(MARK_END)
    return f"{head}{MARK_BEGIN}\n{block}\n{MARK_END}{tail}"
