#!/usr/bin/env bash
# A stage show's chat at broadcast scale, measured (docs/BENCHMARKS.md, "The stage"): starts
# NODES release servers with the demo fair on one fresh Postgres database and one Redis (a
# key prefix of their own), then runs `expo bench-stage` against them: VIEWERS connections
# spread over the nodes in the demo studio show's chat, CHATTERS of them sending RATE
# messages a second each for SECONDS, slow mode SLOW seconds. Prints the bench's JSON line
# (accepted/s, delivery p50/p99, frames per viewer and second, the books, the servers'
# memory per viewer). Benchmarks are commands, never tests.
#
#   bash scripts/bench-stage.sh [nodes] [viewers] [chatters] [rate] [seconds] [slow]
set -euo pipefail
cd "$(dirname "$0")/.."
NODES="${1:-3}"; VIEWERS="${2:-3000}"; CHATTERS="${3:-200}"; RATE="${4:-2}"; SECONDS_="${5:-20}"; SLOW="${6:-0}"
TARGET="${CARGO_TARGET_DIR:-target}"
[[ -n "${NO_BUILD:-}" ]] || CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" cargo build --release -q -p expo-server -p expo-client
DB="bench_stage_$$"
psql -q -h 127.0.0.1 -U postgres -c "create database $DB" postgres
DATA="$(mktemp -d)"
export EXPO_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export EXPO_REDIS_URL="redis://127.0.0.1:6379/" EXPO_REDIS_PREFIX="bench-stage-$$"
export EXPO_ADMIN_PASSWORD="bench-password-123" RUST_LOG=warn
# One organizer holds every connection: the per-user allowances must cover them all.
export EXPO_CHAT_RATE_PER_SEC=1000000 EXPO_USER_RATE_PER_SEC=1000000 EXPO_USER_RATE_BURST=1000000
export EXPO_RATE_PER_SEC=100000 EXPO_RATE_BURST=100000
export EXPO_MAX_CONNS_PER_USER=0 EXPO_MAX_CONNS_PER_ADDRESS=0
PIDS=(); URLS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $DB" postgres || true
  redis-cli --scan --pattern "bench-stage-$$*" | xargs -r redis-cli del >/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
for n in $(seq "$NODES"); do
  PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  mkdir -p "$DATA/$n"
  EXPO_LISTEN="127.0.0.1:$PORT" EXPO_DATA_DIR="$DATA/$n" EXPO_NODE_ID="stage-$n" \
    "$TARGET/release/expo-server" --demo > "$DATA/$n/server.log" 2>&1 &
  PIDS+=("$!"); URLS+=("http://127.0.0.1:$PORT")
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
done
"$TARGET/release/expo" --email admin@expo.local --password "$EXPO_ADMIN_PASSWORD" bench-stage \
  --nodes "$(IFS=,; echo "${URLS[*]}")" --server-pids "$(IFS=,; echo "${PIDS[*]}")" \
  --viewers "$VIEWERS" --chatters "$CHATTERS" --rate "$RATE" --seconds "$SECONDS_" --slow-mode "$SLOW"
