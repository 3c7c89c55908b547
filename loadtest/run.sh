#!/usr/bin/env bash
# Load test of the whole chat path (parse, validate, bus, dispatch, serialise) on the mock model.
# Starts its own server on a free port unless PONCHO_URL is set, runs wrk scenarios, stops the server.
#   loadtest/run.sh                 # default: 30s per scenario
#   DURATION=10s loadtest/run.sh
#   AUTH=0 loadtest/run.sh          # skip the authenticated scenarios (they restart the server with a master key)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

# On a machine with 2+ cores the server gets core 0 and wrk the others, so numbers are per server core.
server_cpu=""; wrk_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && [ -z "${NO_PIN:-}" ]; then
  server_cpu="taskset -c 0"; wrk_cpu="taskset -c 1-$(($(nproc) - 1))"
fi

server_pid=""
if [ -z "${PONCHO_URL:-}" ]; then
  [ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
  port=${PORT:-18080}
  PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
    $server_cpu java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar target/ponchoai.jar > target/loadtest-server.log 2>&1 &
  server_pid=$!
  trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
  PONCHO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 60); do
    curl -sf "$PONCHO_URL/health/ready" >/dev/null && break
    sleep 0.5
  done
fi

echo "== warm-up"
$wrk_cpu wrk -t"$THREADS" -c64 -d10s -s loadtest/chat.lua "$PONCHO_URL/v1/chat/completions" >/dev/null

echo "== baseline: 1 connection on /health/live (the machine's own latency floor)"
$wrk_cpu wrk -t1 -c1 -d"$DURATION" --latency "$PONCHO_URL/health/live"

echo "== low load: 1 connection (added latency = this minus the baseline)"
$wrk_cpu wrk -t1 -c1 -d"$DURATION" --latency -s loadtest/chat.lua "$PONCHO_URL/v1/chat/completions"

echo "== throughput: non-streamed, 128 connections"
$wrk_cpu wrk -t"$THREADS" -c128 -d"$DURATION" --latency -s loadtest/chat.lua "$PONCHO_URL/v1/chat/completions"

echo "== throughput: streamed (SSE), 128 connections"
$wrk_cpu wrk -t"$THREADS" -c128 -d"$DURATION" --latency -s loadtest/chat-stream.lua "$PONCHO_URL/v1/chat/completions"

# Authenticated: the same chat request with a managed key (auth on, in-memory keys), so the difference
# to the scenarios above is what auth costs end to end. Needs a server this script starts.
if [ -n "$server_pid" ] && [ "${AUTH:-1}" != "0" ]; then
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  master="sk-master-loadtest-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  PONCHO_AUTH__MASTER_KEY=$master PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
    $server_cpu java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar target/ponchoai.jar > target/loadtest-server-auth.log 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -sf "$PONCHO_URL/health/ready" >/dev/null && break
    sleep 0.5
  done
  PONCHO_KEY=$(curl -sf -H "Authorization: Bearer $master" -H 'Content-Type: application/json' \
    -d '{"name":"loadtest","role":"user","models":["mock"]}' "$PONCHO_URL/api/v1/keys" \
    | sed -E 's/.*"key":"([^"]+)".*/\1/')
  export PONCHO_KEY
  $wrk_cpu wrk -t"$THREADS" -c64 -d10s -s loadtest/chat-auth.lua "$PONCHO_URL/v1/chat/completions" >/dev/null

  echo "== authenticated low load: 1 connection, managed key"
  $wrk_cpu wrk -t1 -c1 -d"$DURATION" --latency -s loadtest/chat-auth.lua "$PONCHO_URL/v1/chat/completions"

  echo "== authenticated throughput: non-streamed, 128 connections, managed key"
  $wrk_cpu wrk -t"$THREADS" -c128 -d"$DURATION" --latency -s loadtest/chat-auth.lua "$PONCHO_URL/v1/chat/completions"
fi
