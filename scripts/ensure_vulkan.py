#!/usr/bin/env python3
"""Make sure wgpu can see a Vulkan, Metal or D3D12 adapter; install Mesa's lavapipe if not.

Run it with the virtualenv's python (``make gpu-setup`` does):

    .venv/bin/python scripts/ensure_vulkan.py            # check, install lavapipe if needed
    .venv/bin/python scripts/ensure_vulkan.py --check    # check only; exit 0 if a good adapter exists

A machine without a GPU usually still shows wgpu an OpenGL "llvmpipe" adapter. oscilla does not
use it (compute and storage-buffer limits are too small), so on such a machine this script
installs ``mesa-vulkan-drivers`` (lavapipe, a software Vulkan driver) with apt-get and then checks
again in a fresh process, because wgpu enumerates adapters only once per process.

Environment:
    OSCILLA_SETUP_DRY_RUN=1   print the apt-get commands instead of running them
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

GOOD_BACKENDS = ("Vulkan", "Metal", "D3D12")
APT_PACKAGES = ["mesa-vulkan-drivers", "libvulkan1"]
PREFIX = "[gpu-setup]"


def say(msg: str) -> None:
    print(f"{PREFIX} {msg}", flush=True)


def ensure_xdg_runtime_dir() -> None:
    """wgpu's GL/EGL probing prints 'XDG_RUNTIME_DIR is invalid' without a usable one; give it one."""
    d = os.environ.get("XDG_RUNTIME_DIR", "")
    if d and os.path.isdir(d) and os.access(d, os.W_OK):
        return
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="oscilla-xdg-")


def probe() -> tuple[list[str], str]:
    """(summaries of good adapters, description of every adapter) as wgpu sees them now."""
    try:
        from oscilla.gpu.device import describe_adapters, good_adapters
    except Exception:  # oscilla not importable (e.g. mid-refactor): fall back to plain wgpu
        import wgpu

        adapters = wgpu.gpu.enumerate_adapters_sync()
        lines, good = [], []
        for a in adapters:
            backend = a.info.get("backend_type", "")
            lines.append(f"{a.summary} [backend {backend}, {a.info.get('adapter_type', '')}]")
            if backend in GOOD_BACKENDS:
                good.append(a.summary)
        return good, "\n".join(lines) or "(no adapters)"
    return [a.summary for a in good_adapters()], describe_adapters()


def check(verbose: bool = True) -> bool:
    try:
        good, described = probe()
    except ImportError as e:
        say(f"ERROR: cannot import wgpu ({e}). Is the virtualenv set up? Run `make venv`.")
        sys.exit(2)
    if verbose:
        say("adapters wgpu can see:")
        for line in described.splitlines():
            print(f"    {line}", flush=True)
    if good:
        say(f"OK: using a {'/'.join(GOOD_BACKENDS)} adapter: {good[0]}")
        return True
    return False


def check_in_subprocess() -> bool:
    """Re-check in a new interpreter: wgpu caches the adapter list for the life of a process."""
    r = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--check"], stdin=subprocess.DEVNULL, env=os.environ.copy()
    )
    return r.returncode == 0


def privileged(cmd: list[str]) -> list[str] | None:
    """``cmd`` as root: as is when root, else through sudo (non-interactive without a terminal)."""
    if os.name != "posix" or os.geteuid() == 0:
        return cmd
    if shutil.which("sudo") is None:
        return None
    return ["sudo"] + ([] if sys.stdin is not None and sys.stdin.isatty() else ["-n"]) + cmd


def manual_instructions() -> None:
    say("Install a Vulkan driver by hand, then re-run this command:")
    print(
        "    Debian/Ubuntu: sudo apt-get install -y mesa-vulkan-drivers   (lavapipe, no GPU needed)\n"
        "    Fedora:        sudo dnf install -y mesa-vulkan-drivers\n"
        "    Arch:          sudo pacman -S vulkan-swrast\n"
        "    or install your GPU vendor's Vulkan driver. macOS (Metal) and Windows (D3D12)\n"
        "    need nothing extra.",
        flush=True,
    )


def run_apt(args: list[str], dry_run: bool) -> int:
    # `env VAR=...` rather than the environment: sudo drops most variables.
    cmd = privileged(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"] + args)
    if cmd is None:
        say("ERROR: not root and sudo is not installed, so apt-get cannot run.")
        manual_instructions()
        sys.exit(1)
    say("$ " + " ".join(cmd))
    if dry_run:
        return 0
    return subprocess.run(cmd, stdin=subprocess.DEVNULL).returncode


def install_lavapipe(dry_run: bool) -> None:
    if shutil.which("apt-get") is None:
        say("ERROR: this is not a Debian-like system (no apt-get), so lavapipe cannot be installed automatically.")
        manual_instructions()
        sys.exit(1)
    say(f"will install Mesa's software Vulkan driver (lavapipe): {' '.join(APT_PACKAGES)}")
    if run_apt(["update", "-q"], dry_run) != 0:
        say("warning: apt-get update failed; trying the install anyway")
    rc = run_apt(["install", "-y", "-q", "--no-install-recommends"] + APT_PACKAGES, dry_run)
    if rc != 0:
        say(f"ERROR: apt-get install failed (exit {rc}).")
        manual_instructions()
        sys.exit(1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check; exit 1 if no good adapter")
    opts = ap.parse_args()
    ensure_xdg_runtime_dir()

    if opts.check:
        return 0 if check(verbose=True) else 1

    say(f"checking for a {', '.join(GOOD_BACKENDS)} adapter (wgpu's OpenGL fallback is not enough)")
    if check(verbose=True):
        return 0

    say("no Vulkan, Metal or D3D12 adapter found (only the ones listed above).")
    dry_run = os.environ.get("OSCILLA_SETUP_DRY_RUN", "") not in ("", "0")
    install_lavapipe(dry_run)

    say("re-checking in a fresh process (wgpu caches adapters per process)")
    if check_in_subprocess():
        say("lavapipe installed; wgpu now sees a Vulkan adapter.")
        return 0
    say(f"ERROR: still no Vulkan, Metal or D3D12 adapter after installing {' '.join(APT_PACKAGES)}.")
    for var in (
        "VK_ICD_FILENAMES",
        "VK_DRIVER_FILES",
        "WGPU_BACKEND_TYPE",
        "OSCILLA_ADAPTER",
        "WGPUPY_WGPU_ADAPTER_NAME",
    ):
        if os.environ.get(var):
            say(f"  note: {var}={os.environ[var]} is set and may hide the adapter; try unsetting it.")
    say("  Check `vulkaninfo --summary` (package vulkan-tools) and that /usr/share/vulkan/icd.d/lvp_icd.*.json exists.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
