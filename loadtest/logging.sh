#!/usr/bin/env bash
# What logging costs per request: the same chat load on the mock model with the access log off, in text,
# and in JSON (the Docker image's format), the log written to a file as a shipper would read it.
# Each variant is a fresh server pinned to core 0, wrk on the others; the variants run ROUNDS times,
# interleaved, so a change in the machine's load hits all of them alike.
#   loadtest/logging.sh
#   DURATION=15s ROUNDS=3 CONNS=64 loadtest/logging.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-64}
OUT=${OUT:-target/logging-bench}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
mkdir -p "$OUT"

server_cpu=""; wrk_cpu=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && [ -z "${NO_PIN:-}" ]; then
  server_cpu="taskset -c 0"; wrk_cpu="taskset -c 1-$(($(nproc) - 1))"
fi
port=${PORT:-18090}
url="http://127.0.0.1:$port"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT

# rps and p99 of one wrk run, as "rps p99"
measure() {
  $wrk_cpu wrk -t1 -c"$1" -d"$DURATION" --latency -s loadtest/chat.lua "$url/v1/chat/completions" \
    | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}'
}

run_variant() {
  local name=$1 access=$2 format=$3
  PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=$access PONCHO_LOG__FORMAT=$format \
    $server_cpu java ${JAVA_OPTS:--Xms256m -Xmx512m} -jar target/ponchoai.jar > "$OUT/$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do curl -sf "$url/health/ready" >/dev/null && break; sleep 0.5; done
  $wrk_cpu wrk -t1 -c"$CONNS" -d10s -s loadtest/chat.lua "$url/v1/chat/completions" >/dev/null
  read -r one_rps one_p99 < <(measure 1)
  read -r many_rps many_p99 < <(measure "$CONNS")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$one_rps" "$one_p99" "$many_rps" "$many_p99" \
    "$(wc -l < "$OUT/$name.log")" | tee -a "$OUT/results.tsv"
}

printf 'variant\tround\trps_c1\tp99_c1\trps_c%s\tp99_c%s\tlog_lines\n' "$CONNS" "$CONNS" | tee "$OUT/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  echo "# round $round, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  run_variant off false text
  run_variant text true text
  run_variant json true json
done
