#!/usr/bin/env bash
# Spec-driven fuzzing: schemathesis against a live `pmt serve --seed-demo`,
# once per role (buyer, supplier, expert, admin) so that authorized paths are
# reached, every check on. Fails on any failure; prints the number of cases.
#
# Builds nothing: `make fuzz` builds the binary first.
# FUZZ_MAX_EXAMPLES (per operation and role) and FUZZ_SEED tune the run;
# FUZZ_DATABASE_URL (an empty PostgreSQL database) replaces the temporary
# SQLite file.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VENV=target/fuzz-venv
PMT=./target/debug/pmt
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
SEED=${FUZZ_SEED:-$RANDOM}

[ -x "$PMT" ] || { echo "fuzz: $PMT is missing (run make build)" >&2; exit 1; }

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    # python3 from PATH: Debian's /usr/bin/python3 may lack venv.
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# Limits high enough that the fuzzer's request rate is never refused: the
# run checks the API's answers, not its throttling (tested elsewhere).
PMT_BIND=127.0.0.1:0 \
PMT_DATA_DIR="$work/data" \
DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite://$work/data/pmt.db}" \
PASSWORD_HASH_COST=fast \
AUTH_RATE_LIMIT_PER_MINUTE=1000000 \
RATE_LIMIT_PER_MINUTE=1000000 \
ACCESS_TOKEN_TTL_SECONDS=7200 \
RUST_LOG=warn \
    "$PMT" serve --seed-demo >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

base=
for _ in $(seq 1 600); do
    base=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/server.out")
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
done
[ -n "$base" ] || { echo "fuzz: the server did not start" >&2; cat "$work/server.err" >&2; exit 1; }

password=$(sed -n '/Every demo account uses the password/{n;s/^ *//;p;q}' "$work/server.out")
[ -n "$password" ] || { echo "fuzz: no demo password in the server's output" >&2; exit 1; }

account() { # role -> first demo email of that role
    awk -v role="$1" '$1 == role && $2 ~ /@/ { print $2; exit }' "$work/server.out"
}

accounts=()
for role in buyer supplier expert admin; do
    email=$(account "$role")
    [ -n "$email" ] || { echo "fuzz: no demo $role account" >&2; exit 1; }
    accounts+=("$role=$email")
done

# Test data for every run, before any run changes the demo data.
"$VENV/bin/python" tests/fuzz/prepare.py "$base" "$password" "$work/data-for" "${accounts[@]}"

echo "fuzz: server $base, seed $SEED, $MAX_EXAMPLES examples per operation and role"
started=$SECONDS
total=0
status=0
for role in buyer supplier expert admin; do
    # The ids this run draws from, where schemathesis.toml reads them.
    mkdir -p target/fuzz-dicts
    cp "$work/data-for/$role/"*.dict target/fuzz-dicts/
    bearer=$(cat "$work/data-for/$role/token")
    echo "== $role ($(account "$role"))"
    if ! "$VENV/bin/schemathesis" --no-color --config-file tests/fuzz/schemathesis.toml run \
        "$base/openapi.json" \
        --header "Authorization: Bearer $bearer" \
        --checks all \
        --max-examples "$MAX_EXAMPLES" \
        --seed "$SEED" \
        --generation-database none \
        | tee "$work/$role.out"; then
        status=1
    fi
    cases=$(sed -n '/^Test cases:/{n;s/^ *\([0-9][0-9]*\) generated.*/\1/p}' "$work/$role.out")
    total=$((total + ${cases:-0}))
done
if [ -s "$work/server.err" ] && grep -q panicked "$work/server.err"; then
    echo "fuzz: the server panicked:" >&2
    grep -A3 panicked "$work/server.err" >&2
    status=1
fi
echo "fuzz: $total cases in $((SECONDS - started)) s over 4 roles, seed $SEED: $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
