# Parcauto: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/parcauto
# The PostgreSQL server `make bench` creates its throwaway database on (no database name).
PG_BENCH_SERVER ?= postgres://postgres@127.0.0.1:5432
# Every target here is development: the settings' default is production (DEBUG off, which
# needs a secret key and the production settings). `check` asks for production itself.
export DJANGO_DEBUG := true

# The benchmarks need a PostgreSQL server: stop at once with what to do when it is not there.
define pg_bench_required
@scripts/pg-available "$(PG_BENCH_SERVER)" || { \
  echo "error: PostgreSQL is not reachable at $(PG_BENCH_SERVER): start it"; \
  echo "       (pg_ctlcluster 15 main start) or set PG_BENCH_SERVER=postgres://user@host:port"; \
  exit 1; }
endef

.PHONY: run test test-sqlite test-postgres test-e2e lint check messages demo bench cluster restore-drill clean \
	system-packages-run system-packages-test

$(VENV)/.installed: pyproject.toml scripts/find-python
	@PYTHON=$$(scripts/find-python) && echo "Using $$PYTHON" && \
	  $$PYTHON -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed

## Debian packages, installed when missing (as root) or named in the command to run
system-packages-run:
	@scripts/system-packages run

system-packages-test:
	@scripts/system-packages test

messages: system-packages-run venv
	$(MANAGE) compilemessages --ignore=.venv --verbosity 0

## run: install, migrate the SQLite default, load demo data, serve on :8000 with a task worker
run: messages
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) createcachetable
	$(MANAGE) load_demo_data
	scripts/run-dev

demo: messages
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) load_demo_data

## test: guardrails, then the suite on SQLite and on PostgreSQL, the backup and restore
## drill, then the browser tests
test: system-packages-test check test-sqlite test-postgres restore-drill test-e2e

check: messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy parcauto
	$(VENV)/bin/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run
	scripts/check-translations
	scripts/check-deploy
	@# A deploy's collectstatic (hashed names, every referenced file present) must work.
	static=$$(mktemp -d) && DJANGO_DEBUG=false DJANGO_SECRET_KEY=x-$$(head -c 48 /dev/urandom | base64) \
	  DJANGO_STATIC_ROOT=$$static $(MANAGE) collectstatic --noinput --verbosity 0 && rm -rf $$static

test-sqlite: messages
	$(VENV)/bin/pytest -m "not e2e" -n 2 -q

test-postgres: messages
	@if scripts/pg-available "$(PG_TEST_URL)"; then \
	  DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest -m "not e2e" -n 2 -q; \
	elif [ "$$CI" = "true" ]; then \
	  echo "error: PostgreSQL is not reachable at $(PG_TEST_URL); CI requires it."; exit 1; \
	else \
	  echo "*** PostgreSQL is not reachable at $(PG_TEST_URL): the PostgreSQL pass DID NOT RUN. ***"; \
	fi

test-e2e: system-packages-test messages
	$(VENV)/bin/pytest -m e2e -q

lint:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: the opening-day rush through gunicorn, the monthly billing run over 100,000
## contracts, the gates' decisions and allowlists over 100,000 contracts, then plate checks
## over 1,000,000 plates, each on a throwaway PostgreSQL database (bench/README.md)
bench: messages
	$(pg_bench_required)
	$(PY) -m bench.rush --pg-url "$(PG_BENCH_SERVER)" $(BENCH_ARGS)
	$(PY) -m bench.billing --pg-url "$(PG_BENCH_SERVER)"
	$(PY) -m bench.access --pg-url "$(PG_BENCH_SERVER)"
	$(PY) -m bench.enforcement --pg-url "$(PG_BENCH_SERVER)"

## cluster: a small production on 127.0.0.1 (2 app nodes behind HAProxy, 2 task workers,
## a scheduler, PostgreSQL, Redis): the rush and the billing run beside one node, then
## one node and one worker killed mid-run (bench/README.md, docs/deployment.md)
cluster: messages
	$(pg_bench_required)
	$(PY) -m bench.cluster --pg-url "$(PG_BENCH_SERVER)" $(CLUSTER_ARGS)

## restore-drill: back up a database with demo data (pg_dump), restore it into a fresh
## one, check the row counts and the migrations (docs/deployment.md); part of `make test`
restore-drill: messages
	@if scripts/pg-available "$(PG_TEST_URL)"; then \
	  PG_DRILL_SERVER=$$(dirname "$(PG_TEST_URL)") scripts/restore-drill; \
	elif [ "$$CI" = "true" ]; then \
	  echo "error: PostgreSQL is not reachable at $(PG_TEST_URL); CI requires it."; exit 1; \
	else \
	  echo "*** PostgreSQL is not reachable at $(PG_TEST_URL): the restore drill DID NOT RUN. ***"; \
	fi

clean:
	rm -rf $(VENV) var test-artifacts
