# Shared by the interop runner and by anyone running one client by hand (after `cargo build`):
#   source tests/interop/lib.sh; start_server; ./tests/interop/zeep/run; stop_server
# start_server starts the debug build (or $DUALGATE_BIN) on a free loopback port with a fresh
# database and exports what every client reads:
#   DUALGATE_URL          http://127.0.0.1:<port>   (no trailing slash)
#   DUALGATE_WSDL         $DUALGATE_URL/v2/Api.svc?wsdl
#   DUALGATE_OWNER_LOGIN / DUALGATE_OWNER_PASSWORD   the account owner
#   DUALGATE_RECORD_DIR   where clients that can save raw SOAP responses put them (*.xml)
# bcrypt cost 4 keeps the suite fast; the cost does not change the wire. Arguments are further
# `serve` flags; with `--tls-cert`, DUALGATE_URL is https.
# With INTEROP_DATABASE_URL set (start_postgres sets it), the server keeps its data in that
# PostgreSQL database instead of a SQLite file:
#   source tests/interop/lib.sh; start_postgres; start_server; ./tests/interop/zeep/run
#   stop_server; stop_postgres

INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INTEROP_DIR/../.." && pwd)"
DUALGATE_BIN="${DUALGATE_BIN:-$REPO_DIR/target/debug/dualgate}"

start_server() {
  SERVER_DIR="$(mktemp -d -t dualgate-interop.XXXXXX)"
  export DUALGATE_OWNER_LOGIN="owner@interop.example"
  export DUALGATE_OWNER_PASSWORD="Gateway-Secret-1"
  export DUALGATE_RECORD_DIR="$SERVER_DIR/responses"
  mkdir -p "$DUALGATE_RECORD_DIR"
  local store=(--db "$SERVER_DIR/interop.db")
  [ -n "${INTEROP_DATABASE_URL:-}" ] && store=(--database-url "$INTEROP_DATABASE_URL")
  env -u DUALGATE_DATABASE_URL "$DUALGATE_BIN" serve \
    "${store[@]}" \
    --bind 127.0.0.1:0 \
    --bcrypt-cost 4 \
    --owner-email "$DUALGATE_OWNER_LOGIN" \
    --owner-password "$DUALGATE_OWNER_PASSWORD" \
    "$@" >"$SERVER_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*"port":\([0-9]*\).*dualgate is listening.*/\1/p; s/.*dualgate is listening.*"port":\([0-9]*\).*/\1/p' "$SERVER_DIR/server.log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "dualgate did not start; its log:" >&2
    cat "$SERVER_DIR/server.log" >&2
    return 1
  fi
  local scheme=http
  [[ " $* " == *" --tls-cert "* ]] && scheme=https
  export DUALGATE_URL="$scheme://127.0.0.1:$port"
  export DUALGATE_WSDL="$DUALGATE_URL/v2/Api.svc?wsdl"
  local backend=SQLite
  [ -n "${INTEROP_DATABASE_URL:-}" ] && backend=PostgreSQL
  echo "dualgate on $DUALGATE_URL (pid $SERVER_PID, on $backend, files in $SERVER_DIR)"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# A throwaway PostgreSQL 15 cluster, as the Rust tests start one (see
# src/storage/postgres/test_cluster.rs): initdb in a temporary folder (as the postgres user when
# root, since initdb refuses root), trust authentication, no fsync, the server on a free
# loopback port with a private socket folder, and one empty database, whose URL start_postgres
# exports as INTEROP_DATABASE_URL. stop_postgres stops the cluster and removes its folder.
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "$PG_BIN/initdb is missing: install postgresql-15 (tests/interop/install.sh)" >&2
    return 1
  fi
  PG_DIR="$(mktemp -d -t dualgate-interop-pg.XXXXXX)"
  mkdir -p "$PG_DIR/sockets"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$PG_DIR"; fi
  if ! as_cluster_owner "$PG_BIN/initdb" --auth=trust --no-sync --username=postgres \
      --encoding=UTF8 --locale=C -D "$PG_DIR/data" >"$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! as_cluster_owner "$PG_BIN/pg_ctl" -w -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
      -o "-k $PG_DIR/sockets -p $port -h 127.0.0.1 -F" start >/dev/null; then
    cat "$PG_DIR/server.log" >&2
    return 1
  fi
  as_cluster_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres interop || return 1
  export INTEROP_DATABASE_URL="postgres://postgres@127.0.0.1:$port/interop"
  echo "PostgreSQL on 127.0.0.1:$port (files in $PG_DIR)"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ]; then
    as_cluster_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
    unset INTEROP_DATABASE_URL
  fi
}
