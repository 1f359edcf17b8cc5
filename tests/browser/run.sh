#!/usr/bin/env bash
# run.sh — runs the web client's real-browser test end to end: installs playwright-core and
# axe-core (npm ci) when needed, starts the server binary with demo data on a free port and a fresh
# data directory, waits for /readyz, runs lobby.test.mjs, booth.test.mjs, chat-model.test.mjs
# (the chat model alone, no server needed), presence-model.test.mjs (presence snapshots,
# samples and diffs, no server needed), protocol-module.test.mjs (the client takes every
# protocol name from the generated assets/gen/protocol.js; no server needed), chat.test.mjs,
# phrasebook.test.mjs (a Russian buyer's phrasebook phrases shown live in Korean to the staff
# member and in Russian to him),
# meetings.test.mjs (booking, the live request inbox, answers, the calendar feed), fixes.test.mjs (issue 17's small things;
# it checks the demo's video meeting in first, so it runs before room), room.test.mjs (the WebRTC video room
# with Chromium's fake camera) and dashboard.test.mjs (organizer monitoring: the live
# dashboard, reports and their downloads, the badge scanner by typed code and by a fake
# camera filming a QR badge, an exhibitor's own figures, the badge page), leads.test.mjs (live
# leads, follow-up notes, message and meeting from a lead), people.test.mjs (the organizers'
# people desk: approval queue, a pending buyer's waiting page, the import page), phone.test.mjs (phone
# layouts, the installed app offline, notifications while hidden), a11y.test.mjs (skip link,
# focus, axe-core, text that fits in six languages), i18n-completeness.test.mjs (every key in
# all six locale files, nothing left in English, no words in the code outside them; no server
# needed) and i18n.test.mjs (every page in six languages without English interface text; CLDR
# names; screenshots) and matchmaking.test.mjs (issue 13's web client: marks, the buyer directory,
# the organizer's pairs, run, grid with drag-to-move and publish; last, since publishing books
# real meetings), and always stops the server.
# Exits non-zero when any test file fails.
#
#   bash tests/browser/run.sh [path/to/expo-server]   (default: target/debug/expo-server)

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

SERVER_BIN="${1:-target/debug/expo-server}"
if [[ ! -x "$SERVER_BIN" ]]; then
  echo "run.sh: server binary $SERVER_BIN not found or not executable (build it with cargo first)" >&2
  exit 2
fi

if [[ ! -d "$HERE/node_modules/playwright-core" || ! -d "$HERE/node_modules/axe-core" ]]; then
  (cd "$HERE" && npm ci --no-audit --no-fund)
fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
DATA_DIR="$(mktemp -d)"
SERVER_LOG="$DATA_DIR/server.log"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

# A private server: SQLite in the temp dir, in-process engine, this checkout's assets.
env -u EXPO_DATABASE_URL -u EXPO_REDIS_URL -u EXPO_ALLOWED_ORIGINS \
  EXPO_LISTEN="127.0.0.1:$PORT" \
  EXPO_DATA_DIR="$DATA_DIR" \
  EXPO_ASSETS_DIR="$ROOT/assets" \
  EXPO_ADMIN_PASSWORD="admin-password-123" \
  EXPO_SHUTDOWN_GRACE_SECS=2 \
  "$SERVER_BIN" --demo >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

URL="http://127.0.0.1:$PORT"
ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "run.sh: the server exited before it was ready; its log:" >&2
    tail -n 50 "$SERVER_LOG" >&2 || true
    exit 1
  fi
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz" || true)" == "200" ]]; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  echo "run.sh: $URL/readyz did not answer 200 within 60 s; the server's log:" >&2
  tail -n 50 "$SERVER_LOG" >&2 || true
  exit 1
fi
echo "run.sh: server ready at $URL (pid $SERVER_PID)"

# One file after the other: they share the server, and the lobby test counts who is online.
# matchmaking.test.mjs publishes a schedule (real meetings), so it comes last.
status=0
for test_file in lobby.test.mjs booth.test.mjs chat-model.test.mjs presence-model.test.mjs protocol-module.test.mjs chat.test.mjs phrasebook.test.mjs meetings.test.mjs fixes.test.mjs room.test.mjs dashboard.test.mjs leads.test.mjs people.test.mjs phone.test.mjs a11y.test.mjs i18n-completeness.test.mjs i18n.test.mjs matchmaking.test.mjs; do
  file_status=0
  EXPO_URL="$URL" EXPO_ADMIN_PASSWORD="admin-password-123" node "$HERE/$test_file" || file_status=$?
  if [[ "$file_status" -ne 0 ]]; then
    echo "run.sh: $test_file failed (status $file_status); the server's log (last 40 lines):" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
    status=$file_status
  fi
done
exit "$status"
