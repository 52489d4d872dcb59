#!/usr/bin/env bash
# The scaled-out suite: the same tests against PostgreSQL, Redis and an S3-compatible server,
# all on 127.0.0.1. PostgreSQL and Redis run on every machine; the S3 server (moto) is started here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
S3_PORT=${CARTABLE_TEST_S3_PORT:-9199}

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp
fi

$BIN/moto_server -H 127.0.0.1 -p "$S3_PORT" >var/moto.log 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break
  sleep 0.2
done

export CARTABLE_DATA_DIR=var/test-scaled
export CARTABLE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cartable
export CARTABLE_REDIS_URL=redis://127.0.0.1:6379/5
export CARTABLE_REDIS_PREFIX="cartable-ci-$$"
export CARTABLE_S3_BUCKET=cartable-test
export CARTABLE_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
export CARTABLE_S3_ACCESS_KEY=test
export CARTABLE_S3_SECRET_KEY=test
export CARTABLE_S3_REGION=us-east-1
$BIN/python - <<'PY'
import boto3, os
s3 = boto3.client("s3", endpoint_url=os.environ["CARTABLE_S3_ENDPOINT_URL"], aws_access_key_id="test",
                  aws_secret_access_key="test", region_name="us-east-1")
s3.create_bucket(Bucket=os.environ["CARTABLE_S3_BUCKET"])
PY
$BIN/pytest -p no:randomly --create-db -m "not browser" "$@"
