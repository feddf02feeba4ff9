"""What a benchmark ran on and how busy it was: the CPU model, the core count, ``uptime``."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux, else ``platform.processor()``), e.g. "AMD EPYC"."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def uptime() -> str:
    """The ``uptime`` line (its load averages), or the load averages alone where there is no ``uptime``."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        try:
            return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        except OSError:
            return "load average unknown"


def load_average(uptime_line: str) -> str:
    """The "a, b, c" load averages of an ``uptime`` line (the line itself if it has none)."""
    _, sep, tail = uptime_line.partition("load average:")
    return tail.strip() if sep else uptime_line
