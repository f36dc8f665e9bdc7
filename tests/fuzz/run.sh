#!/usr/bin/env bash
# Spec-driven fuzzing: schemathesis against a live `pmt serve --seed-demo`,
# once per role (buyer, supplier, expert, admin) so that authorized paths are
# reached, every check on, on SQLite and on a throwaway PostgreSQL 15 cluster
# (when the machine has one, as `make test` does). Fails on any failure;
# prints the number of cases.
#
# Builds nothing: `make fuzz` builds the binary first.
# FUZZ_MAX_EXAMPLES (per operation, role and database) and FUZZ_SEED tune
# the run; FUZZ_BACKENDS="sqlite" (or "postgres") runs on one database only.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
VENV=target/fuzz-venv
PMT=${PMT_BIN:-./target/debug/pmt}
PG_BIN=/usr/lib/postgresql/15/bin
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
SEED=${FUZZ_SEED:-$RANDOM}
if [ -x "$PG_BIN/initdb" ]; then
    BACKENDS=${FUZZ_BACKENDS:-sqlite postgres}
else
    BACKENDS=${FUZZ_BACKENDS:-sqlite}
fi

[ -x "$PMT" ] || { echo "fuzz: $PMT is missing (run make build)" >&2; exit 1; }

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    # python3 from PATH: Debian's /usr/bin/python3 may lack venv.
    python3 -m venv --clear "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
server_pid=
pg_dir=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$pg_dir" ]; then
        as_cluster_user "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# initdb refuses to run as root: the cluster then belongs to `postgres`.
as_cluster_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() { # sets url to a database of a fresh cluster
    local port
    pg_dir=$(mktemp -d)
    if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_dir"; fi
    as_cluster_user "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 \
        --no-sync --locale=C >/dev/null
    port=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_cluster_user "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w start \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pg_dir -c fsync=off" >/dev/null
    url="postgres://postgres@127.0.0.1:$port/postgres"
}

start_server() { # database URL; sets base to the URL of a seeded server
    # Limits high enough that the fuzzer's request rate is never refused:
    # the run checks the API's answers, not its throttling (tested elsewhere).
    mkdir -p "$work/data"
    PMT_BIND=127.0.0.1:0 \
    PMT_DATA_DIR="$work/data" \
    DATABASE_URL="$1" \
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
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    rm -rf "$work/data"
}

account() { # role -> first demo email of that role
    awk -v role="$1" '$1 == role && $2 ~ /@/ { print $2; exit }' "$work/server.out"
}

echo "fuzz: seed $SEED, $MAX_EXAMPLES examples per operation, role and database ($BACKENDS)"
started=$SECONDS
total=0
status=0
for backend in $BACKENDS; do
    case "$backend" in
        sqlite) url="sqlite://$work/data/pmt.db" ;;
        postgres) start_postgres ;;
        *) echo "fuzz: unknown backend $backend" >&2; exit 1 ;;
    esac
    start_server "$url"
    password=$(sed -n '/Every demo account uses the password/{n;s/^ *//;p;q}' "$work/server.out")
    [ -n "$password" ] || { echo "fuzz: no demo password in the server's output" >&2; exit 1; }
    accounts=()
    for role in buyer supplier expert admin; do
        email=$(account "$role")
        [ -n "$email" ] || { echo "fuzz: no demo $role account" >&2; exit 1; }
        accounts+=("$role=$email")
    done
    # Test data for every run, before any run changes the demo data.
    rm -rf "$work/data-for"
    "$VENV/bin/python" tests/fuzz/prepare.py "$base" "$password" "$work/data-for" "${accounts[@]}"

    for role in buyer supplier expert admin; do
        # The ids this run draws from, where schemathesis.toml reads them.
        mkdir -p target/fuzz-dicts
        cp "$work/data-for/$role/"*.dict target/fuzz-dicts/
        echo "== $backend, $role ($(account "$role")), $base"
        if ! "$VENV/bin/schemathesis" --no-color --config-file tests/fuzz/schemathesis.toml run \
            "$base/openapi.json" \
            --header "Authorization: Bearer $(cat "$work/data-for/$role/token")" \
            --checks all \
            --max-examples "$MAX_EXAMPLES" \
            --seed "$SEED" \
            --generation-database none \
            | tee "$work/run.out"; then
            status=1
        fi
        cases=$(sed -n '/^Test cases:/{n;s/^ *\([0-9][0-9]*\) generated.*/\1/p}' "$work/run.out")
        total=$((total + ${cases:-0}))
    done
    if grep -q panicked "$work/server.err"; then
        echo "fuzz: the server panicked on $backend:" >&2
        grep -A3 panicked "$work/server.err" >&2
        status=1
    fi
    stop_server
done
echo "fuzz: $total cases in $((SECONDS - started)) s ($BACKENDS; 4 roles each), seed $SEED: $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
