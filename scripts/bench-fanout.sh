#!/usr/bin/env bash
# One room's fan-out, Expo Hub side by side with the field (issue 15; docs/BENCHMARKS.md):
# the same generator (`expo bench-fanout`) drives, one after the other in one run,
#   - the bare tokio-tungstenite broadcast server (bench/peers/bare),
#   - Socket.IO 4.8 with the Redis adapter (bench/peers/socketio),
#   - Expo Hub's booth chat on the embedded engines, on Postgres + Redis, and on two nodes,
#   - Expo Hub's video-room signal relay (not stored) on one node,
# with MEMBERS connections in one room and SENDERS of them each keeping WINDOW messages in
# flight for SECONDS. Prints one JSON line per server and rewrites the table between the
# `fanout-table` markers in docs/BENCHMARKS.md (WRITE=0 leaves the file alone).
#
#   bash scripts/bench-fanout.sh [members] [senders] [window] [seconds]
#
# Needs Postgres and Redis running (scripts/services.sh), Node.js and npm. NO_BUILD=1 uses
# the release binaries as they are; ONLY="bare expo-chat-sqlite …" runs some of the rows.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MEMBERS="${1:-2000}"; SENDERS="${2:-16}"; WINDOW="${3:-4}"; SECONDS_="${4:-10}"
ONLY="${ONLY:-bare socketio expo-chat-sqlite expo-chat-postgres expo-chat-2-nodes expo-signal}"
TARGET="${CARGO_TARGET_DIR:-target}"
PG="postgres://postgres@127.0.0.1:5432"
REDIS="redis://127.0.0.1:6379/"
[[ -n "${NO_BUILD:-}" ]] || CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" cargo build --release -q \
  -p expo-server -p expo-client -p expo-peer-bare
if [[ ! -d bench/peers/socketio/node_modules/socket.io ]]; then
  (cd bench/peers/socketio && npm ci --no-audit --no-fund --silent)
fi
# Every member is a socket on each side of loopback.
ulimit -n "$(ulimit -Hn)"
OUT="$(mktemp -d)"
PIDS=()
DBS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
  for db in "${DBS[@]}"; do psql -q "$PG/postgres" -c "drop database if exists $db" 2>/dev/null || true; done
  DBS=()
}
trap 'cleanup; rm -rf "$OUT"' EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for() { # url
  for _ in $(seq 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "bench-fanout: nothing answers at $1" >&2; return 1
}
# An Expo Hub node with the demo fair; every bench connection is one user from one address.
expo_node() { # name database-url(or empty)
  local port data
  port=$(free_port); data="$OUT/$1"; mkdir -p "$data"
  env EXPO_LISTEN="127.0.0.1:$port" EXPO_DATA_DIR="$data" EXPO_ADMIN_PASSWORD=bench-password-123 \
    EXPO_CHAT_RATE_PER_SEC=1000000 EXPO_USER_RATE_PER_SEC=1000000 EXPO_USER_RATE_BURST=1000000 \
    EXPO_RATE_PER_SEC=100000 EXPO_RATE_BURST=100000 EXPO_MAX_CONNS_PER_USER=100000 \
    EXPO_MAX_CONNS_PER_ADDRESS=100000 EXPO_DEMO_BROADCAST=false RUST_LOG=warn \
    ${2:+EXPO_DATABASE_URL="$2" EXPO_REDIS_URL="$REDIS" EXPO_REDIS_PREFIX="fanout-$$"} \
    "$TARGET/release/expo-server" --demo >"$data/server.log" 2>&1 &
  PIDS+=("$!")
  wait_for "http://127.0.0.1:$port/readyz"
  NODE_URL="http://127.0.0.1:$port"
}
fresh_db() {
  local db="bench_fanout_$$_$1"
  psql -q "$PG/postgres" -c "create database $db"
  DBS+=("$db")
  DB_URL="$PG/$db"
}
bench() { # target urls pids [email password]
  "$TARGET/release/expo" --email "${4:-admin@expo.local}" --password "${5:-bench-password-123}" \
    bench-fanout --target "$1" --nodes "$2" --pid "$3" --members "$MEMBERS" \
    --senders "$SENDERS" --window "$WINDOW" --seconds "$SECONDS_" \
    | python3 -c 'import json, sys; r = json.load(sys.stdin); r["row"] = sys.argv[1]; print(json.dumps(r))' "$row" \
    | tee -a "$OUT/results.jsonl"
}

for row in $ONLY; do
  echo "== $row" >&2
  case "$row" in
    bare)
      port=$(free_port)
      "$TARGET/release/expo-peer-bare" "127.0.0.1:$port" >"$OUT/bare.log" 2>&1 &
      PIDS+=("$!"); sleep 0.3
      bench bare "http://127.0.0.1:$port" "${PIDS[-1]}" ;;
    socketio)
      port=$(free_port)
      PORT=$port REDIS_URL="$REDIS" REDIS_PREFIX="fanout-$$" node bench/peers/socketio/server.js \
        >"$OUT/socketio.log" 2>&1 &
      PIDS+=("$!")
      wait_for "http://127.0.0.1:$port/socket.io/?EIO=4&transport=polling"
      bench socketio "http://127.0.0.1:$port" "${PIDS[-1]}" ;;
    expo-chat-sqlite)
      expo_node sqlite ""
      bench expo-chat "$NODE_URL" "${PIDS[-1]}" ;;
    expo-chat-postgres)
      fresh_db one; expo_node postgres "$DB_URL"
      bench expo-chat "$NODE_URL" "${PIDS[-1]}" ;;
    expo-chat-2-nodes)
      fresh_db two; expo_node a "$DB_URL"; a_url=$NODE_URL; a_pid=${PIDS[-1]}
      expo_node b "$DB_URL"
      bench expo-chat "$a_url,$NODE_URL" "$a_pid,${PIDS[-1]}" ;;
    expo-signal)
      expo_node signal ""
      bench expo-signal "$NODE_URL" "${PIDS[-1]}" buyer@demo.expo expo-demo-2026 ;;
    *) echo "bench-fanout: no row $row" >&2; exit 2 ;;
  esac
  cleanup
done

mkdir -p "$TARGET"
cp "$OUT/results.jsonl" "$TARGET/bench-fanout.jsonl"
[[ "${WRITE:-1}" == 0 ]] && exit 0
# The table in docs/BENCHMARKS.md, with the command and the commit it measured.
COMMIT=$(git rev-parse --short HEAD)
python3 - "$OUT/results.jsonl" "$ROOT/docs/BENCHMARKS.md" "$COMMIT" "$MEMBERS $SENDERS $WINDOW $SECONDS_" <<'EOF'
import datetime, json, sys
results, doc, commit, args = sys.argv[1:5]
rows = [json.loads(line) for line in open(results) if line.startswith("{")]
label = {
    "bare": "bare tokio-tungstenite broadcast (transport only)",
    "socketio": "Socket.IO 4.8 + redis adapter, 1 node",
    "expo-chat-sqlite": "Expo Hub, booth chat, SQLite + in-process",
    "expo-chat-postgres": "Expo Hub, booth chat, Postgres + Redis",
    "expo-chat-2-nodes": "Expo Hub, booth chat, 2 nodes (Postgres + Redis)",
    "expo-signal": "Expo Hub, video-room signal relay (not stored), 1 node",
}
base = next((r for r in rows if r["target"] == "bare"), None)
lines = [
    f"Measured {datetime.date.today()} on `{commit}` by `bash scripts/bench-fanout.sh {args}` "
    "(members, senders, window, seconds): one room, every server in the same run, the "
    "generator on the same two cores.",
    "",
    "| server | deliveries/s | of bare | messages/s | server CPU per delivery | p50 / p99 | "
    "missing / doubled | RSS connected | set-up rate |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
]
for r in rows:
    ratio = f"{r['deliveries_per_s'] / base['deliveries_per_s']:.2f}" if base and base["deliveries_per_s"] else "–"
    lines.append(
        f"| {label[r['row']]} | {r['deliveries_per_s']:,.0f} | {ratio} | {r['messages_per_s']:,.0f} | "
        f"{r['server_cpu_us_per_delivery']} µs | {r['latency_p50_ms']:.0f} / {r['latency_p99_ms']:.0f} ms | "
        f"{r['missing']} / {r['doubled_or_late']} | {r['server_rss_mb_connected']:.0f} MB | "
        f"{r['connections_per_s']:,.0f}/s |")
text = open(doc).read()
begin, end = "<!-- fanout-table:begin -->", "<!-- fanout-table:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w").write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)
print(f"bench-fanout: the table in {doc} is rewritten", file=sys.stderr)
EOF
