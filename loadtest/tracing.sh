#!/usr/bin/env bash
# What tracing costs per request: the same mock-model load (loadtest/chat.lua, loadtest/chat-stream.lua) on
# a server with tracing off (the default: no tracer installed), on and sampling every new trace, and on
# sampling 1 %. Spans go by OTLP/HTTP to a local sink that accepts and drops them (loadtest/otlp-sink.py),
# so the measured cost includes building, batching, encoding and sending them, as with a real collector.
#   loadtest/tracing.sh                      # 20 s per measurement
#   DURATION=10s loadtest/tracing.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests

server_cpu=""; wrk_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && [ -z "${NO_PIN:-}" ]; then
  server_cpu="taskset -c 0"; wrk_cpu="taskset -c 1-$(($(nproc) - 1))"
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=${PORT:-$(free_port)}
sink_port=$(free_port)
url="http://127.0.0.1:$port"
server_pid=""; sink_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null || true
}
trap cleanup EXIT

python3 loadtest/otlp-sink.py "$sink_port" > target/loadtest-tracing-sink.log 2>&1 &
sink_pid=$!

measure() {
  local label=$1 script=$2 threads=$3 connections=$4
  echo "== $label"
  $wrk_cpu wrk -t"$threads" -c"$connections" -d"$DURATION" -s "$script" "$url/v1/chat/completions" \
    | grep -E 'Requests/sec|p50|non-200'
}

scenario() {
  local name=$1; shift
  env "$@" PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
    PONCHO_OTEL__ENDPOINT="http://127.0.0.1:$sink_port" PONCHO_OTEL__PROTOCOL=http/protobuf \
    $server_cpu java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar target/ponchoai.jar > "target/loadtest-tracing-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -sf "$url/health/ready" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { echo "server did not start: target/loadtest-tracing-$name.log"; exit 1; }
    sleep 0.5
  done
  $wrk_cpu wrk -t"$THREADS" -c64 -d5s -s loadtest/chat.lua "$url/v1/chat/completions" >/dev/null
  measure "$name: non-streamed, 1 connection (latency)" loadtest/chat.lua 1 1
  measure "$name: non-streamed, $CONNECTIONS connections (throughput)" loadtest/chat.lua "$THREADS" "$CONNECTIONS"
  measure "$name: streamed, $CONNECTIONS connections (throughput)" loadtest/chat-stream.lua "$THREADS" "$CONNECTIONS"
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

scenario off PONCHO_OTEL__ENABLED=false
scenario sampled-100 PONCHO_OTEL__ENABLED=true PONCHO_OTEL__SAMPLER_RATIO=1
scenario sampled-1 PONCHO_OTEL__ENABLED=true PONCHO_OTEL__SAMPLER_RATIO=0.01
echo "== spans received by the sink: $(tail -n 1 target/loadtest-tracing-sink.log 2>/dev/null || echo none)"
