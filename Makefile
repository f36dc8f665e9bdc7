# PMT Business. `make run` serves the API with demo data; `make test` runs
# the whole suite (SQLite and a throwaway PostgreSQL cluster).
CARGO ?= cargo
PMT := ./target/debug/pmt

.PHONY: run build test lint openapi bench

build:
	$(CARGO) build -p api

run: build
	$(PMT) serve --seed-demo

# The end-to-end tests start the server binary, so build it first.
test: build
	$(CARGO) test --workspace

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

openapi: build
	$(PMT) openapi > openapi/openapi.json

bench:
	$(CARGO) bench -p search
