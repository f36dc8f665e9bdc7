# PMT Business. `make run` serves the API with demo data; `make test` runs
# the whole suite (SQLite and a throwaway PostgreSQL cluster).
CARGO ?= cargo
PMT := ./target/debug/pmt

.PHONY: run build test fuzz lint openapi bench bench-micro

build:
	$(CARGO) build -p api

run: build
	$(PMT) serve --seed-demo

# The end-to-end tests start the server binary, so build it first.
test: build
	$(CARGO) test --workspace

# schemathesis (pinned, in target/fuzz-venv) against a live seeded server,
# authenticated as each demo role, every check on, on SQLite and on a
# throwaway PostgreSQL cluster; fails on any failure (tests/fuzz/run.sh).
fuzz: build
	tests/fuzz/run.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

openapi: build
	$(PMT) openapi > openapi/openapi.json

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
