#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh virtualenv and use it from a folder that
# does not contain the source tree: what a user who runs `pip install oscilla` gets.
# Usage: scripts/wheel_smoke.sh [PYTHON]   (called by `make wheel-check` and .ci/run)
set -euo pipefail
PYTHON="${1:-python3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/oscilla-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
say() { echo "==> [wheel] $*"; }

say "building the wheel from $ROOT"
"$PYTHON" -m pip wheel --disable-pip-version-check --progress-bar off --no-deps -q -w "$WORK/dist" "$ROOT"
WHEEL="$(ls "$WORK"/dist/oscilla-*.whl)"
say "built $(basename "$WHEEL"); its shaders: $("$PYTHON" -m zipfile -l "$WHEEL" | grep -c '\.wgsl') .wgsl files"

say "installing it into a fresh virtualenv"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q "$WHEEL"

cd "$WORK"  # outside the source tree: nothing can be imported from it by accident
cp "$ROOT/examples/golden-spiral.json" "$WORK/spiral.json"
"$WORK/venv/bin/oscilla" --version
"$WORK/venv/bin/python" - <<'PY'
import pathlib, oscilla
where = pathlib.Path(oscilla.__file__).resolve()
assert "site-packages" in where.parts, f"imported oscilla from {where}, not the installed wheel"
program = oscilla.compile(oscilla.load_patch("spiral.json"))
print(f"compiled spiral.json: {len(program.kernels)} kernels, {program.dispatches_per_frame} dispatches per frame")
PY
"$WORK/venv/bin/oscilla" check spiral.json
"$WORK/venv/bin/oscilla" render spiral.json -o spiral.png --t-ms 500 --size 96x96
"$WORK/venv/bin/python" - <<'PY'
from PIL import Image
import numpy as np
img = np.asarray(Image.open("spiral.png"))
assert img.shape == (96, 96, 4), img.shape
assert len(np.unique(img.reshape(-1, 4), axis=0)) > 2, "the rendered frame is blank"
print("spiral.png: 96x96 with", len(np.unique(img.reshape(-1, 4), axis=0)), "distinct colours")
PY
say "ok: the wheel installs, compiles, checks and renders outside the source tree"
