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
# stage.test.mjs (issue 14's web client: the lobby's On stage panel and a show playing live)
# needs the real video plane: before the server, run.sh starts nginx with its RTMP module on
# docs/deploy/stage-nginx.conf (free ports, this server's address, a fresh secret and a temp
# state directory swapped in, as tests/tests/e2e/stage.rs does) and gives the server
# EXPO_STAGE_CALLBACK_SECRET, EXPO_STAGE_HLS_BASE and EXPO_STAGE_RTMP_URL, with the demo's own
# studio feed off (EXPO_DEMO_BROADCAST=false): the test publishes when it means to,
# with ffmpeg, and writes each ffmpeg's pid to $EXPO_STAGE_PIDFILE, so cleanup stops nginx and
# any ffmpeg left, always.
# Exits non-zero when any test file fails.
#
#   bash tests/browser/run.sh [path/to/expo-server]   (default: target/debug/expo-server)
#   EXPO_BROWSER_TESTS="stage.test.mjs" bash tests/browser/run.sh …   (only these files)

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

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
PORT="$(free_port)"
DATA_DIR="$(mktemp -d)"
SERVER_LOG="$DATA_DIR/server.log"
SERVER_PID=""
# The stage's media server (nginx-rtmp), its state directory, and the ffmpeg pids the stage
# test writes.
STAGE_DIR="$(mktemp -d)"
STAGE_PIDFILE="$STAGE_DIR/ffmpeg.pids"
NGINX_PID=""

stop_pid() {
  local pid="$1"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  if [[ -f "$STAGE_PIDFILE" ]]; then
    while read -r pid; do stop_pid "$pid"; done <"$STAGE_PIDFILE"
  fi
  for pid in "$NGINX_PID"; do
    [[ -n "$pid" ]] || continue
    stop_pid "$pid"
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR" "$STAGE_DIR"
}
trap cleanup EXIT INT TERM

# The stage's media server: the documented configuration with only its ports, this server's
# address, the secret and the state directory swapped (as tests/tests/e2e/stage.rs does).
RTMP_PORT="$(free_port)"
HLS_PORT="$(free_port)"
STAGE_SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
mkdir -p "$STAGE_DIR/nginx/hls" "$STAGE_DIR/nginx/rec"
# nginx's workers may run as another user than the master.
chmod 755 "$STAGE_DIR"
chmod -R 777 "$STAGE_DIR/nginx"
sed -e "s|listen 1935;|listen 127.0.0.1:$RTMP_PORT;|" \
    -e "s|127.0.0.1:1935|127.0.0.1:$RTMP_PORT|g" \
    -e "s|listen 8088;|listen 127.0.0.1:$HLS_PORT;|" \
    -e "s|127.0.0.1:8080|127.0.0.1:$PORT|g" \
    -e "s|CHANGE-ME|$STAGE_SECRET|g" \
    -e "s|/var/lib/expo-stage|$STAGE_DIR/nginx|g" \
    "$ROOT/docs/deploy/stage-nginx.conf" >"$STAGE_DIR/nginx/nginx.conf"
if grep -v '^\s*#' "$STAGE_DIR/nginx/nginx.conf" | grep -Eq 'listen (1935|8088);|127\.0\.0\.1:(1935|8080)[^0-9]|CHANGE-ME|/var/lib/expo-stage'; then
  echo "run.sh: a placeholder was left in the stage's nginx configuration" >&2
  exit 1
fi
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
"$NGINX_BIN" -p "$STAGE_DIR/nginx" -c "$STAGE_DIR/nginx/nginx.conf" -g 'daemon off;' >/dev/null 2>"$STAGE_DIR/nginx.stderr" &
NGINX_PID=$!

# A private server: SQLite in the temp dir, in-process engine, this checkout's assets.
env -u EXPO_DATABASE_URL -u EXPO_REDIS_URL -u EXPO_ALLOWED_ORIGINS \
  EXPO_LISTEN="127.0.0.1:$PORT" \
  EXPO_DATA_DIR="$DATA_DIR" \
  EXPO_ASSETS_DIR="$ROOT/assets" \
  EXPO_ADMIN_PASSWORD="admin-password-123" \
  EXPO_SHUTDOWN_GRACE_SECS=2 \
  EXPO_STAGE_CALLBACK_SECRET="$STAGE_SECRET" \
  EXPO_STAGE_HLS_BASE="http://127.0.0.1:$HLS_PORT/hls" \
  EXPO_STAGE_RTMP_URL="rtmp://127.0.0.1:$RTMP_PORT/live" \
  EXPO_DEMO_BROADCAST=false \
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

for _ in $(seq 1 60); do
  if ! kill -0 "$NGINX_PID" 2>/dev/null; then
    echo "run.sh: the stage's nginx exited; its errors:" >&2
    cat "$STAGE_DIR/nginx.stderr" "$STAGE_DIR/nginx/error.log" >&2 2>/dev/null || true
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$RTMP_PORT") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$HLS_PORT") 2>/dev/null; then
    break
  fi
  sleep 0.5
done
echo "run.sh: stage media server (nginx-rtmp, pid $NGINX_PID): rtmp 127.0.0.1:$RTMP_PORT, hls http://127.0.0.1:$HLS_PORT/hls (another origin than the fair's, as deployed)"

# One file after the other: they share the server, and the lobby test counts who is online.
# matchmaking.test.mjs publishes a schedule (real meetings), so it comes last.
# stage.test.mjs makes a demo show live and ends it, so it comes after the pages that show the
# lobby as the demo leaves it.
TEST_FILES="${EXPO_BROWSER_TESTS:-lobby.test.mjs booth.test.mjs chat-model.test.mjs presence-model.test.mjs protocol-module.test.mjs chat.test.mjs phrasebook.test.mjs meetings.test.mjs fixes.test.mjs room.test.mjs dashboard.test.mjs leads.test.mjs people.test.mjs phone.test.mjs a11y.test.mjs i18n-completeness.test.mjs i18n.test.mjs stage.test.mjs matchmaking.test.mjs}"
status=0
for test_file in $TEST_FILES; do
  file_status=0
  EXPO_URL="$URL" EXPO_ADMIN_PASSWORD="admin-password-123" \
    EXPO_STAGE_RTMP_URL="rtmp://127.0.0.1:$RTMP_PORT/live" EXPO_STAGE_PIDFILE="$STAGE_PIDFILE" \
    node "$HERE/$test_file" || file_status=$?
  if [[ "$file_status" -ne 0 ]]; then
    echo "run.sh: $test_file failed (status $file_status); the server's log (last 40 lines):" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
    status=$file_status
  fi
done
exit "$status"
