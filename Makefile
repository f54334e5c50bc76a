# Kinito. The README's two commands: `make demo` (the demo register, next week planned) and `make test`.
# Each installs what it needs first, so both work on a fresh Debian machine.
#
# Benchmarks: `make bench` runs both sets (about 14 x 4 x SOLOMON_TIME s + 13 x PVRP_TIME s:
# some 40 minutes with the defaults) and rewrites benchmarks/RESULTS.md and
# benchmarks/results/<set>-<date>.json. Override e.g. `make bench-solomon SOLOMON_TIME=5`.
# `make bench-demo` measures the demo week (10 s and 120 s) into benchmarks/DEMO_WEEK.md.

PYTHON ?= python3
SOLOMON_TIME ?= 30
PVRP_TIME ?= 60
SEED ?= 1

.PHONY: install install-dev install-browser demo demo-week test lint bench bench-solomon bench-pvrp bench-demo

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e .

install-dev:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
install-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

DEMO_DB ?= instance/demo.sqlite3

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(PYTHON) -m planner.cli init --demo --db $(DEMO_DB)
	$(PYTHON) -m planner.cli week next --db $(DEMO_DB) --publish --map plan.html

demo-week: install
	$(PYTHON) -m planner.cli plan data/demo/week.json -o plan.json --map plan.html

lint: install-dev
	ruff check .
	mypy

test: install-dev install-browser lint
	$(PYTHON) -m pytest -p no:cacheprovider

bench: bench-solomon bench-pvrp

bench-solomon: install-dev
	$(PYTHON) -m benchmarks table --set solomon --time-limit $(SOLOMON_TIME) --seed $(SEED)

bench-pvrp: install-dev
	$(PYTHON) -m benchmarks table --set pvrp --time-limit $(PVRP_TIME) --seed $(SEED)

bench-demo: install-dev
	$(PYTHON) -m benchmarks demo
