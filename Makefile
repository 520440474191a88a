# One command sets up and runs each thing: `make demo`, `make test`.
# The virtual environment (.venv) is created and reused; system packages are installed with
# apt-get when run as root, otherwise the exact command to run is printed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every package (runtime, dev tools, the build backend) at one version with its hashes: a
# kiosk fleet installs exactly what was tested. Refresh it with `make lock` after changing
# the dependencies in pyproject.toml, and commit both files together.
LOCK := requirements.lock
# libzbar0: pyzbar; fonts-dejavu-core: Vietnamese glyphs on slips; espeak-ng: the default
# spoken prompts (data/voice); ffmpeg: their loudness, each part brought to one EBU R128 level
# (without it the prompts are written as espeak-ng says them); the rest: Qt's runtime and its X11 (xcb) platform plugin for a
# real screen.
SYSTEM_PACKAGES := libzbar0 fonts-dejavu-core espeak-ng ffmpeg libegl1 libgl1 libxkbcommon0 libfontconfig1 \
	libglib2.0-0 libdbus-1-3 libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 \
	libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 \
	libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 chromium
export QT_QPA_PLATFORM ?= offscreen

.PHONY: board-demo setup system-packages lock voice demo demo-headless test test-fast lint typecheck pytest bench slips screenshots clean

setup: system-packages $(STAMP) voice

# The default spoken prompts (config.toml [audio] prompts_dir), written with espeak-ng at make
# time, not committed: ~3 MB of WAVs. Files already there (a hospital's own recordings) are
# kept; without espeak-ng the kiosk simply has no voice.
voice: $(STAMP)
	@$(BIN)/python -m kiosk.voice_prompts data/voice

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages. Run:  sudo apt-get install -y$$missing"; \
	  fi; \
	fi

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python tests/lock_check.py $(LOCK) pyproject.toml || { echo "$(LOCK) is older than pyproject.toml's dependencies: run  make lock"; exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Re-resolve every dependency of pyproject.toml (with the dev extras and the build backend)
# to the newest allowed versions, with hashes, into requirements.lock.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4"
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	  --strip-extras --extra dev --all-build-deps --no-emit-index-url --no-emit-find-links \
	  --output-file $(LOCK) pyproject.toml

demo: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  QT_QPA_PLATFORM= $(BIN)/kiosk --demo; \
	else \
	  echo "No screen found (DISPLAY is not set): running the demo headless instead."; \
	  $(BIN)/kiosk --demo --headless --patients 5; \
	fi

# The kiosk demo with the waiting-room board beside it: kiosk-web on the demo's database, its
# rooms calling every 20 s; the board opens in Chromium when there is a screen.
board-demo: setup
	@rm -rf data/demo; \
	if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then QT_QPA_PLATFORM= $(BIN)/kiosk --demo & kiosk=$$!; \
	else echo "No screen found: the demo runs headless, the board stays up until Ctrl-C."; \
	  $(BIN)/kiosk --demo --headless --patients 8; kiosk=""; fi; \
	while [ ! -s data/demo/kiosk.db ]; do sleep 0.5; done; sleep 2; \
	$(BIN)/kiosk-web --demo & web=$$!; trap 'kill $$web $$kiosk 2>/dev/null' EXIT INT TERM; \
	sleep 2; \
	echo "board: http://127.0.0.1:8080/board   room: http://127.0.0.1:8080/room/101 (staff code 101, PIN 246810)"; \
	if [ -n "$$kiosk" ] && command -v chromium >/dev/null; then \
	  chromium --app=http://127.0.0.1:8080/board --autoplay-policy=no-user-gesture-required \
	    >/dev/null 2>&1 & fi; \
	if [ -n "$$kiosk" ]; then wait $$kiosk; else wait $$web; fi

demo-headless: setup
	$(BIN)/kiosk --demo --headless --patients 5

lint: setup
	$(BIN)/ruff check kiosk ui scanner db tools tests
	$(BIN)/ruff format --check kiosk ui scanner db tools tests

typecheck: setup
	$(BIN)/mypy

# The tests run on PYTEST_WORKERS processes (pytest-xdist); each test keeps to its own tmp_path,
# database and ports. Three on two cores: a good third of the suite's time is spent waiting
# (on PostgreSQL's commits, a browser, a child process, a network deadline), and a third
# worker fills those waits. The slow tests are collected first (tests/conftest.py) and an
# idle worker steals queued tests from a busy one (--dist worksteal): no worker waits on
# another's tail.
PYTEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

pytest: setup
	$(BIN)/pytest $(PYTEST_PARALLEL)

test: lint typecheck pytest

# The desk loop: every test but those marked slow (subprocesses, soaks, long property runs).
test-fast: setup
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not slow"

# Each benchmark runs as a module from the repository root: python -m tests.bench.bench_slip
bench: setup
	@for b in tests/bench/bench_*.py; do m=tests.bench.$$(basename $$b .py); echo "== $$m"; \
	  $(BIN)/python -m $$m || exit 1; done

slips: setup
	$(BIN)/python -m tools.slip_gallery docs/slips

screenshots: setup
	$(BIN)/python -m ui.screenshots docs/screens

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache
