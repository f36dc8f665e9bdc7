#!/usr/bin/env bash
# `make client-check`: the typed client against a fresh demo server. Starts
# `pmt serve --seed-demo` on a throwaway data directory and a free port,
# meanwhile installs the pinned packages (package-lock.json), generates the
# types from the committed openapi/openapi.json and compiles the flow with
# `tsc --strict`; once the server is ready, runs the flow. Always stops the
# server. Builds nothing in Rust: `make client-check` builds the binary first.
set -euo pipefail
cd "$(dirname "$0")"

PMT=${PMT_BIN:-../../target/debug/pmt}
[ -x "$PMT" ] || { echo "client-check: $PMT is missing (run make build)" >&2; exit 1; }
started=$SECONDS

work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A port free now; the server binds it a moment later (PUBLIC_BASE_URL must
# name it, so `:0` would not do).
port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
base="http://127.0.0.1:$port"
# Fast password hashing: the seed hashes some sixty passwords.
PMT_BIND="127.0.0.1:$port" \
PUBLIC_BASE_URL="$base" \
PMT_DATA_DIR="$work" \
DATABASE_URL="sqlite://$work/pmt.db" \
PASSWORD_HASH_COST=fast \
RUST_LOG=warn \
    "$PMT" serve --seed-demo >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

# While the server seeds its demo data.
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
npm run --silent build
echo "client-check: installed, generated and compiled in $((SECONDS - started)) s"

ready=
for _ in $(seq 1 1200); do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.25
done
if [ -z "$ready" ]; then
    echo "client-check: the server at $base did not get ready" >&2
    cat "$work/server.err" >&2
    exit 1
fi

echo "client-check: server ready after $((SECONDS - started)) s"
status=0
# Bounded: a server that stops answering fails the check instead of CI.
PMT_BASE_URL="$base" timeout 300 node dist/flow.js || status=$?
if grep -q panicked "$work/server.err"; then
    echo "client-check: the server panicked:" >&2
    grep -A3 panicked "$work/server.err" >&2
    status=1
fi
[ "$status" = 0 ] || { echo "client-check: server log:" >&2; tail -n 40 "$work/server.err" >&2; }
echo "client-check: $([ "$status" = 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s"
exit "$status"
