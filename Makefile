# Benchmarks: Kinito's engine on public instances, side by side with peer solvers.
# `make bench` runs both sets (about 14 x 4 x SOLOMON_TIME s + 13 x PVRP_TIME s:
# some 40 minutes with the defaults) and rewrites benchmarks/RESULTS.md and
# benchmarks/results/<set>-<date>.json. Override e.g. `make bench-solomon SOLOMON_TIME=5`.

PYTHON ?= python
SOLOMON_TIME ?= 30
PVRP_TIME ?= 60
SEED ?= 1

.PHONY: bench bench-solomon bench-pvrp

bench: bench-solomon bench-pvrp

bench-solomon:
	$(PYTHON) -m benchmarks table --set solomon --time-limit $(SOLOMON_TIME) --seed $(SEED)

bench-pvrp:
	$(PYTHON) -m benchmarks table --set pvrp --time-limit $(PVRP_TIME) --seed $(SEED)
