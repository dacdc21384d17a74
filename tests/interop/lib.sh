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

INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INTEROP_DIR/../.." && pwd)"
DUALGATE_BIN="${DUALGATE_BIN:-$REPO_DIR/target/debug/dualgate}"

start_server() {
  SERVER_DIR="$(mktemp -d -t dualgate-interop.XXXXXX)"
  export DUALGATE_OWNER_LOGIN="owner@interop.example"
  export DUALGATE_OWNER_PASSWORD="Gateway-Secret-1"
  export DUALGATE_RECORD_DIR="$SERVER_DIR/responses"
  mkdir -p "$DUALGATE_RECORD_DIR"
  "$DUALGATE_BIN" serve \
    --db "$SERVER_DIR/interop.db" \
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
  echo "dualgate on $DUALGATE_URL (pid $SERVER_PID, files in $SERVER_DIR)"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
