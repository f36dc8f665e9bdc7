# PMT Business. `make run` serves the API with demo data; `make test` runs
# the whole suite (SQLite and a throwaway PostgreSQL cluster).
CARGO ?= cargo
PMT := ./target/debug/pmt

.PHONY: run build test fuzz lint openapi bench

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

# Release-mode benchmarks that print their figures: the embedded index
# (upserts, search latency, memory) and, against the real server (which
# the second one starts, hence `build`), approval-to-search delay and HTTP
# search latency.
bench: build
	$(CARGO) bench -p search --bench index
	$(CARGO) bench -p tests --bench publish_to_search
