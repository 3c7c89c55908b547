#!/usr/bin/env bash
# Runs every k6 scenario with the JDK load generator (loadtest/LoadGen.java), where k6 is not installed:
# non-streamed chat, SSE streaming, multiplexed WebSockets, prompt execution and, with API_KEY set,
# authenticated + rate-limited chat. Starts its own server on a free port unless PONCHO_URL is set.
#   loadtest/scenarios.sh                      # 20 s per scenario
#   DURATION=10s CONCURRENCY=32 loadtest/scenarios.sh
#   PONCHO_URL=http://127.0.0.1:8080 API_KEY=sk-... loadtest/scenarios.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONCURRENCY=${CONCURRENCY:-64}
SOCKETS=${SOCKETS:-16}
mkdir -p target
javac -d target/loadgen loadtest/LoadGen.java
loadgen() { java -cp target/loadgen LoadGen "$@"; }

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
if [ -z "${PONCHO_URL:-}" ]; then
  [ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
  port=${PORT:-18081}
  PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
    java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar target/ponchoai.jar > target/scenarios-server.log 2>&1 &
  server_pid=$!
  trap stop_server EXIT
  PONCHO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    curl -sf "$PONCHO_URL/health/ready" >/dev/null && break
    sleep 0.5
  done
fi

echo "== warm-up"
loadgen chat --url "$PONCHO_URL" --duration 10s --concurrency 32 >/dev/null
loadgen stream --url "$PONCHO_URL" --duration 5s --concurrency 32 >/dev/null

status=0
run() { echo "== $*"; loadgen "$@" --url "$PONCHO_URL" --duration "$DURATION" || status=1; }
run chat --concurrency "$CONCURRENCY"
run chat --rate "${CHAT_RATE:-500}"
run stream --concurrency "$CONCURRENCY"
run stream --rate "${STREAM_RATE:-100}"
run ws --concurrency "$SOCKETS" --generations "${GENERATIONS:-8}"
run prompt --concurrency "$CONCURRENCY"
if [ -n "${API_KEY:-}" ]; then
  run auth --rate "${AUTH_RATE:-200}" --key "$API_KEY"
else
  echo "== auth: skipped (set API_KEY to a key with a rate limit)"
fi
exit "$status"
