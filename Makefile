# PMT Business. `make run` serves the API with demo data; `make test` runs
# the whole suite (SQLite and a throwaway PostgreSQL cluster).
CARGO ?= cargo
PMT := ./target/debug/pmt
# Linters of the committed OpenAPI document, pinned: a new release with new
# rules must not turn CI red on its own (npx caches them after the first run).
REDOCLY := npx --yes @redocly/cli@2.77.0
SPECTRAL := npx --yes @stoplight/spectral-cli@6.16.3

.PHONY: run build test fuzz lint lint-spec openapi client-check bench bench-micro s3-server

# The S3-protocol server the storage tests start (PyPI's moto, pinned), in a
# virtualenv of the python3 on PATH.
MOTO_VERSION := 5.2.5
S3_VENV := target/s3-venv

build:
	$(CARGO) build -p api

run: build
	$(PMT) serve --seed-demo

# The end-to-end tests start the server binary, so build it first.
test: build s3-server
	$(CARGO) test --workspace

s3-server:
	@$(S3_VENV)/bin/python -c 'import moto, sys; sys.exit(moto.__version__ != "$(MOTO_VERSION)")' 2>/dev/null || { \
	  python3 -m venv --clear $(S3_VENV) && \
	  $(S3_VENV)/bin/pip install --quiet --disable-pip-version-check "moto[server]==$(MOTO_VERSION)"; }

# schemathesis (pinned, in target/fuzz-venv) against a live seeded server,
# authenticated as each demo role, every check on, on SQLite and on a
# throwaway PostgreSQL cluster; fails on any failure (tests/fuzz/run.sh).
fuzz: build
	tests/fuzz/run.sh

lint: lint-spec
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The committed document (which `make test` checks is the served one) under
# both linters frontend teams run: Redocly's recommended rules
# (redocly.yaml) and Spectral's spectral:oas (.spectral.yaml); any error or
# warning fails.
lint-spec:
	@out=$$($(REDOCLY) lint --max-problems 1000 openapi/openapi.json 2>&1); status=$$?; \
	  echo "$$out"; [ $$status -eq 0 ] && ! echo "$$out" | grep -qE 'You have [0-9]+ warning'
	$(SPECTRAL) lint --fail-severity warn openapi/openapi.json

openapi: build
	$(PMT) openapi > openapi/openapi.json

# The example frontends start from (clients/typescript): types generated from
# the committed openapi/openapi.json, the sourcing flow compiled with
# `tsc --strict` and run against a fresh `pmt serve --seed-demo` on a free
# port (clients/typescript/check.sh).
client-check: build
	clients/typescript/check.sh

# `make bench`: release build, then the matching quality on the labelled set
# and the load benchmark (server on a throwaway PostgreSQL, Meilisearch when
# MEILI_URL is set, SCALE suppliers, default 10000); writes BENCHMARKS.md and
# bench-results.csv. Both benches are built with the same package selection,
# so that one set of release dependencies serves them. `make bench-micro`: the embedded index alone and the
# approval-to-search delay on SQLite.
bench:
	$(CARGO) build --release -p api
	$(CARGO) bench -p search -p tests --bench quality
	PMT_BIN=$(CURDIR)/target/release/pmt $(CARGO) bench -p search -p tests --bench load

bench-micro:
	$(CARGO) build --release -p api
	$(CARGO) bench -p search --bench index
	PMT_BIN=$(CURDIR)/target/release/pmt $(CARGO) bench -p tests --bench publish_to_search
