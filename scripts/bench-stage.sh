#!/usr/bin/env bash
# A stage show's chat at broadcast scale, measured (docs/BENCHMARKS.md, "The stage"): starts
# NODES release servers with the demo fair on one fresh Postgres database and one Redis (a
# key prefix of their own), then runs `expo bench-stage` against them: VIEWERS connections
# spread over the nodes in the demo studio show's chat, CHATTERS buyers sending RATE
# messages a second each for SECONDS, slow mode SLOW seconds. Prints each generator's JSON
# line (accepted/s, delivery p50/p99, frames per viewer and second, the books, the servers'
# memory per viewer) and one line that sums them. Benchmarks are commands, never tests.
#
#   bash scripts/bench-stage.sh [nodes] [viewers] [chatters] [rate] [seconds] [slow]
#
# One generator process holds at most 15,000 viewers (this machine allows 20,000 open files
# per process): GENERATORS (default: as many as that needs) processes share the viewers, the
# first one also runs the chatters, and they start the chat together (`--barrier`).
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
# One organizer holds every viewer's connection: the per-user allowances must cover them all.
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
GENERATORS="${GENERATORS:-$(( (VIEWERS + 14999) / 15000 ))}"
BARRIER="$DATA/barrier"; mkdir -p "$BARRIER"
rss_mb() { local kb=0; for pid in "${PIDS[@]}"; do kb=$(( kb + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") )); done; echo $(( kb / 1024 )); }
# Waits until COUNT files named PATTERN are in the barrier (or a generator has failed).
await_files() {
  while (( $(find "$BARRIER" -name "$1" | wc -l) < $2 )); do
    for pid in "${GENS[@]}"; do kill -0 "$pid" 2>/dev/null || { wait "$pid" || exit 1; }; done
    sleep 0.2
  done
}
GENS=()
for g in $(seq "$GENERATORS"); do
  SHARE=$(( VIEWERS / GENERATORS + (g <= VIEWERS % GENERATORS ? 1 : 0) ))
  TALK=0; [[ "$g" == 1 ]] && TALK="$CHATTERS"
  "$TARGET/release/expo" --email admin@expo.local --password "$EXPO_ADMIN_PASSWORD" bench-stage \
    --nodes "$(IFS=,; echo "${URLS[*]}")" --server-pids "$(IFS=,; echo "${PIDS[*]}")" \
    --viewers "$SHARE" --chatters "$TALK" --rate "$RATE" --seconds "$SECONDS_" --slow-mode "$SLOW" \
    --barrier "$BARRIER" > "$DATA/gen-$g.json" &
  GENS+=("$!")
  # The first generator registers and signs in the chatters; the servers' memory before any
  # viewer is read once that is done.
  if [[ "$g" == 1 ]]; then await_files 'signed-in-*' 1; RSS_BEFORE="$(rss_mb)"; STARTED="$(date +%s.%N)"; fi
done
# Go once every generator has its viewers in.
await_files 'ready-*' "$GENERATORS"
RSS_VIEWERS="$(rss_mb)"; JOINED="$(date +%s.%N)"
touch "$BARRIER/go"
for pid in "${GENS[@]}"; do wait "$pid"; done
cat "$DATA"/gen-*.json
# The sum over the generators: counts add up; latency percentiles are the worst generator's.
python3 - "$RSS_BEFORE" "$RSS_VIEWERS" "$STARTED" "$JOINED" "$DATA"/gen-*.json <<'PY'
import json, sys
rss_before, rss_viewers, started, joined = (float(x) for x in sys.argv[1:5])
lines = [json.load(open(f)) for f in sys.argv[5:]]
first = lines[0]
total = {"scenario": "stage", "generators": len(lines), "nodes": first["nodes"]}
for key in ["viewers", "chatters", "accepted", "accepted_not_stored", "delivered", "missing", "doubled", "out_of_order"]:
    total[key] = sum(l[key] for l in lines)
total["accepted_per_s"] = sum(l["accepted_per_s"] for l in lines)
total["stored"] = max(l["stored"] for l in lines)
total["stored_per_s"] = max(l["stored_per_s"] for l in lines)
total["refused"] = first["refused"]
total["deliveries_per_s"] = sum(l["deliveries_per_s"] for l in lines)
total["expected_deliveries"] = total["stored"] * total["viewers"]
total["delivery_p50_ms_worst"] = max(l["delivery_p50_ms"] for l in lines)
total["delivery_p99_ms_worst"] = max(l["delivery_p99_ms"] for l in lines)
total["frames_per_viewer_per_s"] = max(l["frames_per_viewer_per_s"] for l in lines)
total["slow_mode_s"] = first["slow_mode_s"]
# The servers' memory from before the first viewer to when the last generator had its
# viewers in (the script reads it; each generator saw only its own part).
total["server_rss_mb"] = {"before": rss_before, "with_viewers": rss_viewers, "after": max(l["server_rss_mb"]["after"] for l in lines)}
total["server_kb_per_viewer"] = round((rss_viewers - rss_before) * 1024 / max(total["viewers"], 1), 1)
total["viewers_joined_per_s"] = round(total["viewers"] / max(joined - started, 0.001))
print(json.dumps(total))
PY
