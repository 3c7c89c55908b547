#!/usr/bin/env bash
# The 2-node cluster scenarios on loopback, both nodes in one Hazelcast cluster of their own:
#   TOPOLOGY=split (default)  node A runs the HTTP front end (http, prompt, metrics verticles), node B
#                             the model dispatch, so every request and every streamed chunk crosses the
#                             clustered event bus (TCP) between two JVMs; the load goes to node A.
#   TOPOLOGY=lb               the production topology: two full replicas behind nginx running
#                             docker/nginx.conf (listen port and upstream addresses set for loopback).
# The load generator then runs chat, stream and ws. Everything started is stopped at the end.
#   loadtest/cluster.sh                 # 20 s per scenario
#   DURATION=10s TOPOLOGY=lb loadtest/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONCURRENCY=${CONCURRENCY:-64}
[ -f target/ponchoai.jar ] || mvn -B -q package -DskipTests
javac -d target/loadgen loadtest/LoadGen.java
loadgen() { java -cp target/loadgen LoadGen "$@"; }

# A cluster name of its own, so that no other cluster on this machine joins it.
name="poncho-loadtest-$$-$RANDOM"
hz_port=${HZ_PORT:-$((20000 + RANDOM % 20000))}
http_port=${PORT:-18082}
topology=${TOPOLOGY:-split}
pids=()
stop_nodes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_nodes EXIT

# The shipped configuration plus the node's verticles (a list: a config file, not an env override).
# The member list is comma-separated in one variable, as in docker-compose.production.yml; the second
# node takes the next port.
node() {
  local role=$1 verticles=$2 port=$3
  { cat conf/poncho.yaml; printf '\ncluster:\n  verticles: [%s]\n' "$verticles"; } > "target/cluster-$role.yaml"
  PONCHO_CLUSTER__ENABLED=true PONCHO_CLUSTER__NAME=$name PONCHO_CLUSTER__HOST=127.0.0.1 \
    PONCHO_CLUSTER__PORT=$hz_port PONCHO_CLUSTER__MEMBERS="127.0.0.1:$hz_port,127.0.0.1:$((hz_port + 1))" \
    PONCHO_HTTP__PORT=$port PONCHO_HTTP__HOST=127.0.0.1 PONCHO_HTTP__ACCESS_LOG=false \
    java ${JAVA_OPTS:--Xms512m -Xmx1g} -jar target/ponchoai.jar --config "target/cluster-$role.yaml" \
    > "target/cluster-$role.log" 2>&1 &
  pids+=($!)
}

case "$topology" in
  split)
    node dispatch dispatch 0
    node front "http, prompt, metrics" "$http_port"
    url="http://127.0.0.1:$http_port"
    ;;
  lb)
    command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx; }
    node replica-1 "http, prompt, dispatch, metrics" "$((http_port + 1))"
    node replica-2 "http, prompt, dispatch, metrics" "$((http_port + 2))"
    lb=$(mktemp -d)
    mkdir -p "$lb/ponchoai"
    cp docker/nginx/tls-off.conf "$lb/ponchoai/tls.conf"
    cp docker/nginx/edge-limit-off.conf "$lb/ponchoai/edge-limit.conf"
    sed -e "s#/etc/nginx/ponchoai/#$lb/ponchoai/#" -e "s#pid /tmp/nginx.pid;#pid $lb/nginx.pid;#" \
      -e "s#listen 80 default_server;#listen 127.0.0.1:$http_port default_server;#" \
      -e "s#server ponchoai-1:8080#server 127.0.0.1:$((http_port + 1))#" \
      -e "s#server ponchoai-2:8080#server 127.0.0.1:$((http_port + 2))#" \
      -e "s#access_log /dev/stdout poncho;#access_log off;#" docker/nginx.conf > "$lb/nginx.conf"
    for port in $((http_port + 1)) $((http_port + 2)); do
      for _ in $(seq 1 240); do
        curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
        sleep 0.5
      done
    done
    nginx -p "$lb" -c "$lb/nginx.conf" -g 'daemon off;' > target/cluster-nginx.log 2>&1 &
    pids+=($!)
    url="http://127.0.0.1:$http_port"
    ;;
  *) echo "TOPOLOGY is split or lb"; exit 2 ;;
esac
for _ in $(seq 1 240); do
  curl -sf "$url/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "$url/health/ready" >/dev/null || { echo "the cluster did not become ready (target/cluster-*.log)"; exit 1; }
echo "== cluster $name ($topology) ready at $url"

echo "== warm-up"
loadgen chat --url "$url" --duration 10s --concurrency 32 >/dev/null
status=0
run() { echo "== cluster ($topology): $*"; loadgen "$@" --url "$url" --duration "$DURATION" || status=1; }
run chat --concurrency "$CONCURRENCY"
run stream --concurrency "$CONCURRENCY"
run ws --concurrency "${SOCKETS:-16}" --generations "${GENERATIONS:-8}"
exit "$status"
