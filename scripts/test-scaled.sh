#!/usr/bin/env bash
# The scaled-out suite: the same tests against PostgreSQL, Redis and an S3-compatible server,
# all on 127.0.0.1. PostgreSQL and Redis are started only if they are down; the S3 server
# (moto) is started here and stopped on exit.
#
# Every run has its own database (test_cartable_<pid>, made and dropped by pytest-django), its
# own Redis key prefix and its own S3 port, so that runs from several checkouts of the
# repository on one machine do not disturb each other.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_HOST=127.0.0.1
PG_PORT=${CARTABLE_TEST_PG_PORT:-5432}
REDIS_PORT=${CARTABLE_TEST_REDIS_PORT:-6379}
RUN_ID="$$"
DB_NAME="cartable_$RUN_ID"
REDIS_PREFIX="cartable-test-$RUN_ID"
mkdir -p var

wait_for() {  # wait_for <what> <tries> <command...>: bounded, 0.2 s apart
  local what=$1 tries=$2
  shift 2
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "test-scaled: $what is not up" >&2
  return 1
}

if ! pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; then
  cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  wait_for PostgreSQL 150 pg_isready -h "$PG_HOST" -p "$PG_PORT" -q
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
    --appendonly no --dir /tmp
  wait_for Redis 150 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
fi

S3_PORT=${CARTABLE_TEST_S3_PORT:-$($BIN/python -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
')}
$BIN/moto_server -H 127.0.0.1 -p "$S3_PORT" >"var/moto-$RUN_ID.log" 2>&1 &
moto_pid=$!

cleanup() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  rm -f "var/moto-$RUN_ID.log"
  # pytest-django drops its database at the end; this is for a run that was interrupted.
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -q -d postgres \
    -c "DROP DATABASE IF EXISTS test_$DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 5 --scan --pattern "$REDIS_PREFIX*" 2>/dev/null |
    xargs -r redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 5 del >/dev/null 2>&1 || true
}
trap cleanup EXIT
wait_for "the S3 server (moto, see var/moto-$RUN_ID.log)" 150 \
  curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"

export CARTABLE_DATA_DIR=var/test-scaled
export CARTABLE_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/$DB_NAME"
export CARTABLE_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/5"
export CARTABLE_REDIS_PREFIX="$REDIS_PREFIX"
export CARTABLE_S3_BUCKET=cartable-test
export CARTABLE_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
export CARTABLE_S3_ACCESS_KEY=test
export CARTABLE_S3_SECRET_KEY=test
export CARTABLE_S3_REGION=us-east-1
# The bucket is made by conftest.py; the suite's own tests are what runs here.
$BIN/pytest -p no:randomly --create-db -m "not browser" "$@"
