# Kinito. The README's two commands: `make demo` (demo register, next week planned, the web app) and `make test`.
# Each installs what it needs first, so both work on a fresh Debian machine.
#
# Benchmarks: `make bench` runs both sets (about 14 x 4 x SOLOMON_TIME s + 13 x PVRP_TIME s:
# some 40 minutes with the defaults) and rewrites benchmarks/RESULTS.md and
# benchmarks/results/<set>-<date>.json. Override e.g. `make bench-solomon SOLOMON_TIME=5`.
# `make bench-demo` measures the demo week (8 s runs, the 10 s target's, and 120 s) into benchmarks/DEMO_WEEK.md;
# `make bench-search-curve` its search alone at 6, 24 and 96 s into benchmarks/SEARCH_CURVE.md.

PYTHON ?= python3
SOLOMON_TIME ?= 30
PVRP_TIME ?= 60
SEED ?= 1

.PHONY: install install-dev install-browser install-osrm demo demo-plan demo-week test lint bench bench-solomon bench-pvrp bench-demo bench-search-curve serve serve-demo translations

# Both also compile the engine's search once (numba, about four minutes the first time; then
# loaded from its cache beside planner/ruin.py in about a second).
install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e .
	$(PYTHON) -m planner.ruin

install-dev:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(PYTHON) -m planner.ruin

# Debian's chromium for the browser tests (Playwright drives it; no browser download), and
# the DejaVu fonts the PDF route sheets are drawn with.
install-browser:
	@{ command -v chromium && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ]; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# The OSRM bundled in osrm-bindings has wheels for Python >= 3.12 only; the test suite (on
# $(PYTHON)) compares it with the scipy road model in such an interpreter when there is one:
# $KINITO_PY312, else python3.12 on the PATH (one that runs: not an idle pyenv shim), else
# pyenv's 3.12. It needs osrm-bindings and Kinito's numpy and geopy there (the code itself
# comes from this checkout). No such Python: nothing to install, that one test skips.
PY312 ?= $(shell for p in "$$KINITO_PY312" "$$(command -v python3.12)" \
	"$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12; do \
	[ -n "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && \
	{ echo "$$p"; break; }; done)

install-osrm:
	@if [ -n "$(PY312)" ]; then \
	  $(PY312) -m pip install --quiet --disable-pip-version-check 'osrm-bindings' 'numpy>=1.26' 'geopy>=2.4' && \
	  echo "osrm-bindings: $(PY312)"; \
	else \
	  echo "καμία Python >= 3.12 / no Python >= 3.12: η σύγκριση με το OSRM θα παραλειφθεί / the osrm-bindings comparison test will skip"; \
	fi

DEMO_DB ?= instance/demo.sqlite3

# The README's main command: a fresh demo register, next week planned and published, the demo
# accounts, and the web application on http://127.0.0.1:8000 (Ctrl-C stops it).
demo: install demo-plan
	$(PYTHON) -m planner.cli user demo --db $(DEMO_DB)
	$(PYTHON) -m planner.cli serve --db $(DEMO_DB)

# The same without the server: the register and next week's plan (table, plan.html).
demo-plan: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(PYTHON) -m planner.cli init --demo --db $(DEMO_DB)
	$(PYTHON) -m planner.cli week next --db $(DEMO_DB) --publish --map plan.html

demo-week: install
	$(PYTHON) -m planner.cli plan data/demo/week.json -o plan.json --map plan.html

lint: install-dev
	ruff check .
	mypy

test: install-dev install-browser install-osrm lint
	KINITO_PY312="$(PY312)" $(PYTHON) -m pytest -p no:cacheprovider

bench: bench-solomon bench-pvrp

bench-solomon: install-dev
	$(PYTHON) -m benchmarks table --set solomon --time-limit $(SOLOMON_TIME) --seed $(SEED)

bench-pvrp: install-dev
	$(PYTHON) -m benchmarks table --set pvrp --time-limit $(PVRP_TIME) --seed $(SEED)

bench-demo: install-dev
	$(PYTHON) -m benchmarks demo --seeds 1,2,3,4,5,6 --long-seeds 1,2

bench-search-curve: install-dev
	$(PYTHON) -m benchmarks.search_curve --budgets 6:16,24:16,96:4

# The web application on http://127.0.0.1:8000/ (waitress), on the register in instance/.
serve: install
	$(PYTHON) -m planner.cli serve

# The web application on the demo register (created if missing) with the demo accounts.
serve-demo: install
	test -f $(DEMO_DB) || $(PYTHON) -m planner.cli init --demo --db $(DEMO_DB)
	$(PYTHON) -m planner.cli user demo --db $(DEMO_DB)
	$(PYTHON) -m planner.cli serve --db $(DEMO_DB)

# After changing user-facing strings: re-extract, merge into el/en, then translate the new
# Greek entries in webui/translations/el/LC_MESSAGES/messages.po and run this again to
# compile. The .mo files are committed, so installing needs no Babel step.
translations:
	pybabel extract -F babel.cfg -k _l -k lazy_gettext -k labels --no-location --sort-by-file \
	  --project Kinito --version 0.1 -o webui/translations/messages.pot .
	pybabel update -i webui/translations/messages.pot -d webui/translations --no-fuzzy-matching
	pybabel compile -d webui/translations --statistics
