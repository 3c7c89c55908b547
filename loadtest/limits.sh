#!/usr/bin/env bash
# The added cost of the limit check: the same non-streamed chat load (loadtest/chat.lua) on a server
# without limits, with rpm + tpm + max_parallel limits on the embedded (in-memory) limiter, and with the
# same limits on Redis (state.backend: redis; one Lua round trip to check, one to release, one to settle).
# The limits are set high enough never to refuse, so every call pays the full check.
#   loadtest/limits.sh                       # 20 s per scenario; Redis at 127.0.0.1:6379
#   DURATION=10s REDIS_URL=redis://host:6379 loadtest/limits.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests

server_cpu=""; wrk_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && [ -z "${NO_PIN:-}" ]; then
  server_cpu="taskset -c 0"; wrk_cpu="taskset -c 1-$(($(nproc) - 1))"
fi
port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
url="http://127.0.0.1:$port"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT

scenario() {
  local name=$1; shift
  env "$@" PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
    PONCHO_STATE__REDIS__PREFIX="poncho-bench-$$:" \
    $server_cpu java ${JAVA_OPTS:--Xms1g -Xmx1g} -jar target/ponchoai.jar > "target/loadtest-limits-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -sf "$url/health/ready" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { echo "server did not start: target/loadtest-limits-$name.log"; exit 1; }
    sleep 0.5
  done
  $wrk_cpu wrk -t"$THREADS" -c64 -d5s -s loadtest/chat.lua "$url/v1/chat/completions" >/dev/null
  echo "== $name: 1 connection (latency)"
  $wrk_cpu wrk -t1 -c1 -d"$DURATION" -s loadtest/chat.lua "$url/v1/chat/completions" | grep -E 'Requests/sec|p50|non-200'
  echo "== $name: $CONNECTIONS connections (throughput)"
  $wrk_cpu wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s loadtest/chat.lua "$url/v1/chat/completions" \
    | grep -E 'Requests/sec|p50|non-200'
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

limits=(PONCHO_LIMITS__DEFAULT__RPM=1000000000 PONCHO_LIMITS__DEFAULT__TPM=2000000000
  PONCHO_LIMITS__DEFAULT__MAX_PARALLEL=100000)
scenario no-limits PONCHO_STATE__BACKEND=memory
scenario memory PONCHO_STATE__BACKEND=memory "${limits[@]}"
scenario redis PONCHO_STATE__BACKEND=redis PONCHO_STATE__REDIS__URL="$REDIS_URL" "${limits[@]}"
