# oscilla: `make demo` and `make test` each do the whole set-up themselves (virtualenv, package,
# Mesa's software Vulkan driver when there is no GPU adapter). Run `make help` for the targets.

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.oscilla-installed
DOCS_STAMP := $(VENV)/.oscilla-docs-installed
LINT_STAMP := $(VENV)/.oscilla-lint-installed
VIDEO_STAMP := $(VENV)/.oscilla-video-installed
BENCH_STAMP := $(VENV)/.oscilla-bench-installed
DEMO   := examples/golden-spiral.json
FLAGSHIP := examples/galaxy.json

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# wgpu's EGL probing complains ("XDG_RUNTIME_DIR is invalid") without a usable runtime dir.
ifeq ($(strip $(XDG_RUNTIME_DIR)),)
XDG_RUNTIME_DIR := $(shell d="$${TMPDIR:-/tmp}/oscilla-xdg-$$(id -u)"; mkdir -p "$$d" && chmod 700 "$$d" && echo "$$d")
endif
export XDG_RUNTIME_DIR

# Root runs apt-get directly; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

say = @echo "==> [oscilla] $(1)"

.PHONY: help venv gpu-setup test fuzz demo gallery bench bench-farm bench-kernels reference docs lint format wheel-check clean

help:
	@echo "make demo       set up everything, then render examples/golden-spiral.json and the galaxy (PNG + MP4) into out/"
	@echo "make gallery    regenerate the small example pictures of docs/images/gallery/ (README, docs home)"
	@echo "make test       set up everything, then run the test suite (pytest)"
	@echo "make fuzz       the property-based fuzzer of tests/fuzz with many more examples (HYPOTHESIS_PROFILE=fuzz; minutes)"
	@echo "make venv       create $(VENV) and pip install -e '.[test]' (re-runs when pyproject.toml changes)"
	@echo "make gpu-setup  make sure wgpu sees a Vulkan/Metal/D3D12 adapter (installs lavapipe via apt-get if not)"
	@echo "make bench      run the benchmarks (runtime, peers, reduce, swap, load, compile scale, soak); installs '.[bench]';"
	@echo "                the peers table goes to docs/performance.md and benchmarks/results/ (compared with the last run)"
	@echo "make bench-farm  a frame-sequence export, serial vs 2 Dask workers (oscilla.distributed), and the pre-roll model"
	@echo "make bench-kernels  driver compile time by kernel size (the kernel-split budget; minutes)"
	@echo "make reference  regenerate docs/reference/blocks.md and the language pages' block tables from the registry"
	@echo "make docs       build the documentation site into site/ (mkdocs build --strict; installs '.[docs]')"
	@echo "make lint       ruff (lint + format check), mypy on oscilla/ and the import-layer contracts"
	@echo "make format     ruff format + ruff check --fix (what make lint asks for)"
	@echo "make wheel-check build the wheel, install it in a fresh virtualenv and render outside the tree"
	@echo "make clean      remove $(VENV), out/ and build artefacts"

venv: $(STAMP)
	@:

# The stamp lives inside the venv: deleting .venv or touching pyproject.toml re-runs the install.
$(STAMP): pyproject.toml
	$(call say,checking $(PYTHON))
	@command -v $(PYTHON) >/dev/null || { echo "error: '$(PYTHON)' not found; install Python >= 3.11 or pass PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { echo "error: oscilla needs Python >= 3.11; $(PYTHON) is $$($(PYTHON) --version 2>&1). Pass PYTHON=python3.11" >&2; exit 1; }
	@if [ -x $(VPY) ] && ! $(VPY) -c 'import sys' >/dev/null 2>&1; then \
	  echo "==> [oscilla] $(VENV) is broken; recreating it"; rm -rf $(VENV); fi
	@if [ ! -x $(VPY) ]; then \
	  if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	    command -v apt-get >/dev/null || { echo "error: $(PYTHON) cannot create virtualenvs (no ensurepip/venv module); install your distribution's python3-venv package" >&2; exit 1; }; \
	    pkg="python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	    echo "==> [oscilla] $(PYTHON) lacks ensurepip: installing $$pkg with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null || true; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$pkg </dev/null; \
	  fi; \
	  echo "==> [oscilla] creating virtualenv $(VENV) with $$($(PYTHON) --version 2>&1)"; \
	  $(PYTHON) -m venv $(VENV); \
	else \
	  echo "==> [oscilla] reusing virtualenv $(VENV) ($$($(VPY) --version 2>&1))"; \
	fi
	$(call say,installing oscilla and its dependencies (wgpu-py numpy pytest ...): pip install -e '.[test]')
	@$(VPY) -m pip install --disable-pip-version-check --progress-bar off -e '.[test]'
	@touch $(STAMP)
	$(call say,virtualenv ready: $(VENV))

gpu-setup: $(STAMP)
	$(call say,checking for a Vulkan/Metal/D3D12 adapter (installs Mesa lavapipe via apt-get if there is none))
	@$(VPY) scripts/ensure_vulkan.py

test: gpu-setup
	$(call say,running the tests: $(VPY) -m pytest -q)
	@$(VPY) -m pytest -q

# make test runs the same fuzz tests with a few derandomized examples (the ci profile of tests/fuzz/profiles.py).
fuzz: gpu-setup
	$(call say,fuzzing: HYPOTHESIS_PROFILE=fuzz $(VPY) -m pytest -q -m fuzz tests/fuzz)
	@HYPOTHESIS_PROFILE=fuzz $(VPY) -m pytest -q -m fuzz tests/fuzz

# PyAV (MP4/WebM/GIF export) is the `video` extra; installed once, again when pyproject.toml changes.
$(VIDEO_STAMP): $(STAMP)
	$(call say,installing video export (PyAV): pip install -e '.[video]')
	@$(VPY) -m pip install --disable-pip-version-check --progress-bar off -e '.[video]'
	@touch $(VIDEO_STAMP)

demo: gpu-setup $(VIDEO_STAMP)
	@mkdir -p out
	$(call say,rendering the frame at t=2000 ms to out/golden-spiral.png)
	$(VENV)/bin/oscilla render $(DEMO) -o out/golden-spiral.png --t-ms 2000 --size 512x512
	$(call say,rendering 2 s at 30 fps to out/golden-spiral/frame_0000.png ...)
	$(VENV)/bin/oscilla render $(DEMO) --frames-dir out/golden-spiral --duration-ms 2000 --fps 30 --size 512x512 --overwrite
	$(call say,the flagship $(FLAGSHIP): 100000 stars with per-lane orbit state; additive blending + trails + bloom)
	$(VENV)/bin/oscilla render $(FLAGSHIP) -o out/galaxy.png --t-ms 2000 --fps 30 --size 512x512
	$(VENV)/bin/oscilla render $(FLAGSHIP) -o out/galaxy.mp4 --duration-ms 3000 --fps 30 --size 512x512
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "==> [oscilla] display found: opening a window (close it to finish)"; \
	  echo "$(VENV)/bin/oscilla run $(DEMO)"; \
	  $(VENV)/bin/oscilla run $(DEMO); \
	else \
	  echo "==> [oscilla] no display (\$$DISPLAY / \$$WAYLAND_DISPLAY unset): skipping the live window (oscilla run $(DEMO))"; \
	fi
	$(call say,done: see out/golden-spiral.png out/golden-spiral/ out/galaxy.png out/galaxy.mp4)

gallery: gpu-setup
	$(call say,rendering the examples into docs/images/gallery/ (small palette PNGs))
	@$(VPY) scripts/gen_gallery.py

# The peers (numba, warp-lang, taichi, pygfx) are the `bench` extra; installed once, again when pyproject.toml changes.
$(BENCH_STAMP): $(STAMP)
	$(call say,installing the benchmark peers (numba warp-lang taichi pygfx): pip install -e '.[bench]')
	@$(VPY) -m pip install --disable-pip-version-check --progress-bar off -e '.[bench]'
	@touch $(BENCH_STAMP)

bench: gpu-setup $(BENCH_STAMP)
	$(call say,running the benchmarks: runtime peers reduce swap load compile-scale soak (bench-kernels is separate: minutes))
	@$(VPY) benchmarks/bench_runtime.py
	$(call say,the bench patch beside numpy numba Warp Taichi: table into docs/performance.md and benchmarks/results/)
	@$(VPY) benchmarks/bench_peers.py
	@$(VPY) benchmarks/bench_reduce.py
	@$(VPY) benchmarks/bench_swap.py
	@$(VPY) benchmarks/bench_load.py
	@$(VPY) benchmarks/bench_compile_scale.py
	@$(VPY) benchmarks/bench_soak.py

bench-farm: gpu-setup $(STAMP)
	$(call say,a frame-sequence export serial vs 2 Dask workers and the pre-roll vs snapshot model (a minute; --frames 600 --size 1024 for the issue's size))
	@$(VPY) benchmarks/bench_farm.py

bench-kernels: gpu-setup
	$(call say,driver compile time by kernel size and the kernel-split budget (several minutes on lavapipe))
	@$(VPY) benchmarks/bench_kernel_size.py

# The lint tools (ruff, mypy, import-linter, pre-commit) are the `lint` extra, pinned in pyproject.toml.
$(LINT_STAMP): $(STAMP)
	$(call say,installing the lint tools (ruff mypy import-linter pre-commit): pip install -e '.[lint]')
	@$(VPY) -m pip install --disable-pip-version-check --progress-bar off -e '.[lint]'
	@touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(call say,ruff check)
	@$(VENV)/bin/ruff check .
	$(call say,ruff format --check)
	@$(VENV)/bin/ruff format --check .
	$(call say,mypy (strictness in pyproject.toml; see CONTRIBUTING.md))
	@$(VENV)/bin/mypy
	$(call say,import layers (lint-imports; contracts in pyproject.toml))
	@$(VENV)/bin/lint-imports
	$(call say,lint clean)

format: $(LINT_STAMP)
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

wheel-check: $(STAMP)
	$(call say,the wheel: build, install into a fresh virtualenv, check and render outside the source tree)
	@bash scripts/wheel_smoke.sh $(PYTHON)

clean:
	$(call say,removing $(VENV) out/ build/ dist/ site/ *.egg-info and caches)
	rm -rf $(VENV) out build dist site *.egg-info .pytest_cache tests/_failures
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

reference: venv
	$(call say,regenerating docs/reference/blocks.md from the block registry)
	@$(VPY) scripts/gen_block_reference.py

# The site's tools (mkdocs, mkdocs-material) are the `docs` extra; installed once, again when
# pyproject.toml changes. Strict mode turns every warning (a broken link, a page missing from the
# nav, a missing source file that a page links to) into an error.
$(DOCS_STAMP): $(STAMP)
	$(call say,installing the documentation tools (mkdocs mkdocs-material): pip install -e '.[docs]')
	@$(VPY) -m pip install --disable-pip-version-check --progress-bar off -e '.[docs]'
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(call say,building the documentation site into site/: mkdocs build --strict)
	@NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site
	$(call say,site ready: site/index.html)
