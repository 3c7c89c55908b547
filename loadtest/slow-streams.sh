#!/usr/bin/env bash
# N concurrent slow streams (SSE and WebSocket) against a server on the default start (scripts/jvm-opts.sh),
# sampling its RSS and the latency of /health/live. One fresh server per scenario, loopback only.
#   loadtest/slow-streams.sh                          # 1000 5000 10000 streams, SSE then WebSocket, 30 s hold each
#   COUNTS="1000" MODES="sse" HOLD=10 loadtest/slow-streams.sh
set -euo pipefail
cd "$(dirname "$0")/.."

COUNTS=${COUNTS:-"1000 5000 10000"}
MODES=${MODES:-"sse ws"}
HOLD=${HOLD:-30}
RATE=${RATE:-1000}
PORT=${PORT:-18081}

[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
[ -f target/classpath.txt ] || mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# Every stream holds one socket on each side.
ulimit -n 65536 2>/dev/null || true

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

echo "| streams | API | alive at the end / failed to open / ended early | RSS max during the hold | /health/live p50 / p99 / max (hold) | p99 / max (ramp) |"
echo "|---|---|---|---|---|---|"
for mode in $MODES; do
  for n in $COUNTS; do
    # The default start's flags, as scripts/start.sh uses them; JAVA_OPTS adds to them.
    # shellcheck disable=SC2046
    PONCHO_HTTP__PORT=$PORT PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
      java $(scripts/jvm-opts.sh) ${JAVA_OPTS:-} -jar target/ponchoai.jar \
      > "target/slow-streams-server-$mode-$n.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do
      curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
      sleep 0.5
    done
    report=$(java -Xmx1g -Dlogback.configurationFile=src/test/resources/logback-test.xml \
      -cp "$(cat target/classpath.txt)" loadtest/SlowStreams.java --url "http://127.0.0.1:$PORT" \
      --pid "$server_pid" --mode "$mode" --streams "$n" --hold "$HOLD" --rate "$RATE" | grep '^{"mode"' | tail -1)
    echo "$report" >> target/slow-streams.jsonl
    python3 - "$report" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
h, ramp = r["health_hold"], r["health_ramp"]
print(f'| {r["streams"]:,} | {"SSE" if r["mode"] == "sse" else "WebSocket"} | {r["alive_at_end"]:,} / {r["failed_to_open"]} / {r["ended_early"]} '
      f'| {r["rss_hold_mb"]} MB (max {r["rss_max_mb"]} MB) | {h.get("p50_ms")} / {h.get("p99_ms")} / {h.get("max_ms")} ms '
      f'| {ramp.get("p99_ms")} / {ramp.get("max_ms")} ms |')
PY
    stop_server
  done
done
