#!/usr/bin/env bash
# Makes sure what the test suite talks to is installed and running: PostgreSQL, Redis,
# Chromium, Node.js, Python's aiosmtpd, nginx with its RTMP module and ffmpeg. Installs
# missing packages with apt-get, starts stopped services, and fails loudly when it cannot;
# tests never skip because a service is missing.
set -euo pipefail

apt_install() {
  echo "services: installing $*" >&2
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
command -v chromium >/dev/null 2>&1 || apt_install chromium
# Korean, Chinese and Japanese text in the browser tests and the screenshots needs CJK fonts.
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || apt_install fonts-noto-cjk
command -v node >/dev/null 2>&1 || apt_install nodejs npm
command -v npm >/dev/null 2>&1 || apt_install npm
command -v python3 >/dev/null 2>&1 || apt_install python3 python3-pip
# The deployment test runs the documented nginx configuration in front of two nodes.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || apt_install nginx
# The stage test runs nginx's RTMP module (docs/deploy/stage-nginx.conf) and publishes to it
# with ffmpeg.
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || apt_install libnginx-mod-rtmp
command -v ffmpeg >/dev/null 2>&1 || apt_install ffmpeg
# The meeting-email tests deliver to a real local SMTP server (aiosmtpd).
python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install --quiet aiosmtpd \
  || python3 -m pip install --quiet --break-system-packages aiosmtpd

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "services: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi

for _ in $(seq 1 30); do
  if pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    break
  fi
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432 || { echo "services: PostgreSQL is not reachable" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "services: Redis is not reachable" >&2; exit 1; }
# The tests connect as the postgres superuser over TCP (trust auth on this machine); a fresh
# cluster needs it to accept that too.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1" >/dev/null 2>&1; then
  echo "services: cannot connect to PostgreSQL as postgres on 127.0.0.1 (set EXPO_TEST_PG)" >&2
  [ -n "${EXPO_TEST_PG:-}" ] || exit 1
fi
echo "services: PostgreSQL, Redis, nginx (with RTMP), ffmpeg, Chromium and Node.js are ready" >&2
