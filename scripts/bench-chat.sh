#!/usr/bin/env bash
# The chat write path, measured: starts a release server with the demo fair on the embedded
# store (`sqlite`) or on Postgres (`postgres`, a fresh database) and runs `expo bench-chat`
# against it; prints the bench's JSON line. Benchmarks are commands, never tests.
#
#   bash scripts/bench-chat.sh sqlite|postgres [senders] [rooms] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE="${1:-sqlite}"; SENDERS="${2:-64}"; ROOMS="${3:-1}"; SECONDS_="${4:-10}"
TARGET="${CARGO_TARGET_DIR:-target}"
[[ -n "${NO_BUILD:-}" ]] || CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" cargo build --release -q -p expo-server -p expo-client
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
DATA="$(mktemp -d)"
export EXPO_LISTEN="127.0.0.1:$PORT" EXPO_DATA_DIR="$DATA" EXPO_ADMIN_PASSWORD="bench-password-123"
# One organizer sends from every connection: the per-user allowances must cover them all.
export EXPO_CHAT_RATE_PER_SEC=1000000 EXPO_USER_RATE_PER_SEC=1000000 EXPO_USER_RATE_BURST=1000000
export EXPO_RATE_PER_SEC=100000 EXPO_RATE_BURST=100000
export EXPO_MAX_CONNS_PER_USER=100000 EXPO_MAX_CONNS_PER_ADDRESS=100000 RUST_LOG=warn
if [[ "$ENGINE" == postgres ]]; then
  DB="bench_chat_$$"
  psql -q -h 127.0.0.1 -U postgres -c "create database $DB" postgres
  export EXPO_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
fi
"$TARGET/release/expo-server" --demo > "$DATA/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true
  [[ "$ENGINE" == postgres ]] && psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $DB" postgres || true
  rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
"$TARGET/release/expo" --url "http://127.0.0.1:$PORT" --email admin@expo.local \
  --password "$EXPO_ADMIN_PASSWORD" bench-chat --senders "$SENDERS" --rooms "$ROOMS" --seconds "$SECONDS_"
echo "server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$SERVER/status)"
