#!/usr/bin/env bash
# Proxy scenario, side by side: PonchoAI as an OpenAI-compatible proxy in front of an external mock
# upstream over HTTP, against the same mock direct, nginx (one hop, no parsing) and Spring Cloud Gateway
# (the JVM floor: a bare Netty proxy). One command, builds nothing:
#
#   loadtest/proxy-compare.sh                        # direct nginx scg poncho, 15 s per run, 30 s JVM warm-up
#   TARGETS=poncho loadtest/proxy-compare.sh         # PonchoAI alone (before/after on one machine)
#   DURATION=10 WARMUP=20 CONNS="1 50" STREAM_CONNS=50 loadtest/proxy-compare.sh
#   PROFILE=1 TARGETS=poncho loadtest/proxy-compare.sh   # also records a JFR file of the PonchoAI runs
#
# Needs: target/ponchoai.jar (mvn package), the harness in $BENCH (default ../shared/bench: mock
# upstream, wrk script, run-compare.sh, sse-probe.js, compare.js, nginx.conf) and, for scg, the jar that
# `SETUP_SCG=1 $BENCH/setup.sh` builds (/tmp/gw/scg/target/scg-bench.jar). Layout: wrk and the mocks on
# CPU $LOAD_CPUS (0), each gateway alone on CPU $GW_CPUS (1), `-Xmx512m` for both JVMs (PonchoAI otherwise
# with the flags of scripts/jvm-opts.sh; PONCHO_JAVA_OPTS replaces them), access log off.
# The mock on :18080 answers at once (JSON, or 22 SSE events + [DONE] in one write); the one on :18081
# sends 20 chunks 10 ms apart, for the first-token probe (sse-probe.js: time to headers, first content,
# end of stream). Prints the wrk matrix with overhead columns against direct, the probes, and
# PonchoAI's ratios to scg and nginx; everything goes to $OUT.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="${BENCH:-$(cd "$ROOT/../shared/bench" && pwd)}"
TARGETS="${TARGETS:-direct nginx scg poncho}"
GW_CPUS="${GW_CPUS:-1}"
LOAD_CPUS="${LOAD_CPUS:-0}"
PROBE_N="${PROBE_N:-40}"
JVM_WARMUP="${JVM_WARMUP:-30}"
# The shipped JVM flags (scripts/jvm-opts.sh), with the same -Xmx512m as Spring Cloud Gateway gets.
PONCHO_JAVA_OPTS="${PONCHO_JAVA_OPTS:-$("$ROOT/scripts/jvm-opts.sh") -Xmx512m}"
OUT="${OUT:-/tmp/proxy-compare/$(date +%Y%m%d-%H%M%S)}"
export DURATION="${DURATION:-15}" WARMUP="${WARMUP:-5}" WRK_CPUS="$LOAD_CPUS"
export CONNS="${CONNS:-1 50}" STREAM_CONNS="${STREAM_CONNS-50}"
SCG_JAR=/tmp/gw/scg/target/scg-bench.jar
JAR="${JAR:-$ROOT/target/ponchoai.jar}"   # JAR=... measures another build (e.g. the one before a change)
mkdir -p "$OUT" /tmp/gw/nginx
[ -f "$JAR" ] || { echo "no $JAR: run mvn package first" >&2; exit 1; }
for tool in wrk node taskset curl bc; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }; done

STARTED=()
cleanup() { # stop what this script started, and wait, so that a next run finds its ports free
  local p
  for p in ${STARTED[@]+"${STARTED[@]}"}; do kill "$p" 2>/dev/null || true; done
  for p in ${STARTED[@]+"${STARTED[@]}"}; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
wait_port() { # port seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 did not open" >&2; return 1
}
start_bg() { local log="$1"; shift; "$@" >"$log" 2>&1 & LAST_PID=$!; STARTED+=("$LAST_PID"); }
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
load() { echo "uptime: $(uptime)" | tee -a "$OUT/load.txt"; }

for p in 18080 18081 8090 8085 18300; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use" >&2; exit 1; fi
done
start_bg "$OUT/mock.log" taskset -c "$LOAD_CPUS" node "$BENCH/mock-upstream.js" 18080; MOCK_PID=$LAST_PID
MOCK_CHUNK_DELAY_MS=10 start_bg "$OUT/mock-slow.log" taskset -c "$LOAD_CPUS" node "$BENCH/mock-upstream.js" 18081
wait_port 18080 30; wait_port 18081 30

cat >"$OUT/poncho.yaml" <<'YAML'
http: {host: 127.0.0.1, port: 18300, access_log: false}
models:
  gpt-4o-mini:
    provider: openai_compatible
    base_url: http://127.0.0.1:18080/v1
    api_key: sk-bench
    pool_size: 256
  gpt-4o-mini-slow:
    provider: openai_compatible
    base_url: http://127.0.0.1:18081/v1
    model_name: gpt-4o-mini
    api_key: sk-bench
YAML

BASELINE=""
run_target() { # name base_url slow_base_url pid probe_model
  local name="$1" url="$2" slow="$3" pid="$4" model="$5"
  echo; echo "=================== $name ==================="; load
  "$BENCH/run-compare.sh" --out "$OUT" --mock-pid "$MOCK_PID" ${pid:+--pid "$pid"} \
    ${BASELINE:+--baseline "$BASELINE"} "$name" "$url" || echo "run-compare failed for $name"
  { echo "### SSE probe: $name (upstream: 20 chunks, 10 ms apart)"; echo '```';
    MODEL="$model" node "$BENCH/sse-probe.js" "$slow" -n "$PROBE_N" 2>&1 || true; echo '```'; echo; } | tee -a "$OUT/probes.md"
  load
  [ "$name" = direct ] && BASELINE=$(find "$OUT" -maxdepth 1 -name 'direct-*.tsv' | sort | tail -1)
  return 0
}

for t in $TARGETS; do
  case "$t" in
    direct) run_target direct http://127.0.0.1:18080/v1 http://127.0.0.1:18081/v1 "" gpt-4o-mini ;;
    nginx)
      cp "$BENCH/gateways/nginx.conf" /tmp/gw/nginx/nginx.conf
      start_bg "$OUT/nginx.log" nginx -c /tmp/gw/nginx/nginx.conf; P=$LAST_PID; wait_port 8090 30
      taskset -a -cp "$GW_CPUS" "$P" >/dev/null
      run_target nginx http://127.0.0.1:8090/v1 http://127.0.0.1:8091/v1 "$P" gpt-4o-mini
      stop_pid "$P" ;;
    scg)
      [ -f "$SCG_JAR" ] || { echo "scg skipped: run SETUP_SCG=1 $BENCH/setup.sh first" >&2; continue; }
      start_bg "$OUT/scg.log" taskset -c "$GW_CPUS" java -Xmx512m -jar "$SCG_JAR"; P=$LAST_PID; wait_port 8085 120
      WARMUP="$JVM_WARMUP" run_target scg http://127.0.0.1:8085/v1 http://127.0.0.1:8085/slow/v1 "$P" gpt-4o-mini
      stop_pid "$P" ;;
    poncho)
      jfr=()
      [ -n "${PROFILE:-}" ] && jfr=("-XX:StartFlightRecording=filename=$OUT/poncho.jfr,settings=profile")
      # shellcheck disable=SC2086
      # MALLOC_ARENA_MAX as scripts/start.sh and the Docker image set it.
      MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" start_bg "$OUT/poncho.log" taskset -c "$GW_CPUS" java $PONCHO_JAVA_OPTS ${jfr[@]+"${jfr[@]}"} \
        -jar "$JAR" --config "$OUT/poncho.yaml"; P=$LAST_PID; wait_port 18300 120
      WARMUP="$JVM_WARMUP" run_target poncho http://127.0.0.1:18300/v1 http://127.0.0.1:18300/v1 "$P" gpt-4o-mini-slow
      stop_pid "$P" ;;
    *) echo "unknown target $t" >&2 ;;
  esac
done

echo; echo "=================== summary ==================="
mapfile -t ALL < <(find "$OUT" -maxdepth 1 -name '*.tsv' -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-)
node "$BENCH/compare.js" ${BASELINE:+--baseline "$BASELINE"} "${ALL[@]}" | tee "$OUT/summary.txt"
# PonchoAI's throughput as a share of the references', same run (rps column of each TSV).
ratio() { # mode conns ref
  local p r
  p=$(awk -F'\t' -v m="$1" -v c="$2" '$1=="poncho" && $2==m && $3==c {print $4}' "${ALL[@]}" | tail -1)
  r=$(awk -F'\t' -v m="$1" -v c="$2" -v n="$3" '$1==n && $2==m && $3==c {print $4}' "${ALL[@]}" | tail -1)
  [ -n "$p" ] && [ -n "$r" ] && printf '  %-9s c=%-3s poncho/%-5s = %s  (%s / %s)\n' "$1" "$2" "$3" \
    "$(echo "$p / $r" | bc -l | xargs printf '%.2f')" "$p" "$r"
  return 0
}
{ echo; echo "ratios (throughput, same run):"
  for ref in scg nginx; do
    for c in $CONNS; do ratio nonstream "$c" "$ref"; done
    for c in $STREAM_CONNS; do ratio stream "$c" "$ref"; done
  done; echo; cat "$OUT/probes.md"; cat "$OUT/load.txt"; } | tee -a "$OUT/summary.txt"
echo "results: $OUT"
