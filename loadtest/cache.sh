#!/usr/bin/env bash
# Benchmark of the response cache: a cache hit against a round trip to a mock upstream over HTTP.
# Starts a server whose model "upstream" is an OpenAI-compatible upstream at the same server's own mock
# model (so the miss path includes a real HTTP call, its JSON parsing and the mock), with the cache on.
#   loadtest/cache.sh                 # 20 s per scenario
#   DURATION=5s loadtest/cache.sh
#   BACKEND=redis loadtest/cache.sh   # entries in Redis at $REDIS_URL (default redis://127.0.0.1:6379)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
BACKEND=${BACKEND:-memory}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

server_cpu=""; wrk_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && [ -z "${NO_PIN:-}" ]; then
  server_cpu="taskset -c 0"; wrk_cpu="taskset -c 1-$(($(nproc) - 1))"
fi

[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
port=${PORT:-18090}
config=target/loadtest-cache.yaml
cat > "$config" <<YAML
http: {host: 127.0.0.1, port: $port, access_log: false}
cache: {enabled: true}
state:
  backend: $BACKEND
  redis: {url: "${REDIS_URL:-redis://127.0.0.1:6379}", prefix: "poncho-loadtest-$$:"}
default_model: mock
models:
  mock: {provider: mock}
  upstream:
    provider: openai_compatible
    base_url: http://127.0.0.1:$port/v1
    model_name: mock
    api_key: none
    pool_size: 256
    circuit_breaker: {enabled: false}
YAML
$server_cpu java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar target/ponchoai.jar --config "$config" \
  > target/loadtest-cache-server.log 2>&1 &
server_pid=$!
url="http://127.0.0.1:$port"
cleanup() {
  curl -s -X DELETE "$url/api/v1/cache" >/dev/null || true
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 60); do
  curl -sf "$url/health/ready" >/dev/null && break
  sleep 0.5
done

echo "== warm-up"
$wrk_cpu wrk -t"$THREADS" -c64 -d5s -s loadtest/cache-upstream.lua "$url/v1/chat/completions" >/dev/null
$wrk_cpu wrk -t"$THREADS" -c64 -d5s -s loadtest/cache-hit.lua "$url/v1/chat/completions" >/dev/null

echo "== latency, 1 connection: round trip to the mock upstream (no cache)"
$wrk_cpu wrk -t1 -c1 -d"$DURATION" --latency -s loadtest/cache-upstream.lua "$url/v1/chat/completions"
echo "== latency, 1 connection: cache hit"
$wrk_cpu wrk -t1 -c1 -d"$DURATION" --latency -s loadtest/cache-hit.lua "$url/v1/chat/completions"

echo "== throughput, 64 connections: round trip to the mock upstream (no cache)"
$wrk_cpu wrk -t"$THREADS" -c64 -d"$DURATION" --latency -s loadtest/cache-upstream.lua "$url/v1/chat/completions"
echo "== throughput, 64 connections: cache hit"
$wrk_cpu wrk -t"$THREADS" -c64 -d"$DURATION" --latency -s loadtest/cache-hit.lua "$url/v1/chat/completions"
echo "== throughput, 64 connections: cache hit replayed as SSE"
$wrk_cpu wrk -t"$THREADS" -c64 -d"$DURATION" --latency -s loadtest/cache-hit-stream.lua "$url/v1/chat/completions"

echo "== cache meters"
curl -s "$url/metrics" | grep -E '^poncho_cache_(hits|misses|bypasses|stores)_total' || true
