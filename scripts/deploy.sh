#!/usr/bin/env bash
# Deploys the production stack (docker/docker-compose.production.yml) on this Docker host:
#   1. builds the image ponchoai:TAG (TAG: the argument, else `git describe`),
#   2. checks the compose file, and the server configuration with the new image (--check-config),
#   3. starts the backing services, then replaces the replicas one at a time, each waiting until its
#      health check (/health/ready) passes, so nginx always has a ready replica,
#   4. waits until the stack answers /health/ready through nginx,
#   5. on any failure after step 2, rolls the replicas back to the previously deployed tag.
# Usage: scripts/deploy.sh [TAG]        deploy TAG
#        scripts/deploy.sh --rollback   go back to the previously deployed tag
# Needs docker with the compose plugin, and docker/.env (from docker/.env.example).
# Exit status: 0 deployed, 1 failed (rolled back when there was a previous tag), 2 invalid configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE_FILE=docker/docker-compose.production.yml
ENV_FILE=${DEPLOY_ENV_FILE:-docker/.env}
STATE_DIR=${DEPLOY_STATE_DIR:-.deploy}
REPLICAS=(ponchoai-1 ponchoai-2)
BACKING=(redis jaeger prometheus grafana)

log() { echo "deploy: $*" >&2; }
die() { log "$*"; exit 1; }

# A value from the env file (compose's NAME=value format, not sourced as shell), else the default.
env_value() {
  local line
  line=$(grep -E "^$1=" "$ENV_FILE" | tail -n 1 || true)
  if [ -n "${line#*=}" ]; then echo "${line#*=}"; else echo "$2"; fi
}

compose() {
  docker compose -f "$COMPOSE_FILE" --env-file "$ENV_FILE" "$@"
}

[ -f "$ENV_FILE" ] || die "$ENV_FILE is missing: cp docker/.env.example docker/.env and set its secrets"
command -v docker >/dev/null || die "docker is not installed"
for secret in PONCHO_MASTER_KEY REDIS_PASSWORD GRAFANA_ADMIN_PASSWORD; do
  [ -n "$(env_value "$secret" "")" ] || die "$secret is empty in $ENV_FILE"
done

IMAGE=$(env_value PONCHO_IMAGE ponchoai)
READY_TIMEOUT=$(env_value DEPLOY_READY_TIMEOUT 180)
HTTP_PORT=$(env_value NGINX_HTTP_PORT 80)
mkdir -p "$STATE_DIR"
current=$(cat "$STATE_DIR/current-tag" 2>/dev/null || true)
previous=$(cat "$STATE_DIR/previous-tag" 2>/dev/null || true)

# Waits until the service's container reports healthy; fails at once when it reports unhealthy or exits.
wait_healthy() {
  local service=$1 deadline=$((SECONDS + READY_TIMEOUT)) id status=missing
  while [ "$SECONDS" -lt "$deadline" ]; do
    id=$(compose ps -q "$service" 2>/dev/null || true)
    status=$( [ -n "$id" ] && docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null || echo missing)
    case "$status" in
      healthy) log "$service is healthy"; return 0 ;;
      unhealthy|exited|dead) log "$service is $status"; return 1 ;;
    esac
    sleep 2
  done
  log "$service not healthy after ${READY_TIMEOUT}s (last status: $status)"
  return 1
}

wait_ready_through_nginx() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$HTTP_PORT/health/ready"; then
      log "the stack answers /health/ready on port $HTTP_PORT"
      return 0
    fi
    sleep 2
  done
  log "no ready answer through nginx on port $HTTP_PORT after ${READY_TIMEOUT}s"
  return 1
}

# Brings the stack to TAG: backing services, then each replica in turn, then nginx.
roll_out() {
  local tag=$1 replica
  export PONCHO_IMAGE_TAG=$tag
  compose up -d --no-build "${BACKING[@]}" || return 1
  for replica in "${REPLICAS[@]}"; do
    log "starting $replica on $IMAGE:$tag"
    compose up -d --no-build --no-deps "$replica" || return 1
    wait_healthy "$replica" || return 1
  done
  compose up -d --no-build --no-deps nginx || return 1
  wait_healthy nginx || return 1
  wait_ready_through_nginx
}

rollback() {
  local to=$1
  if [ -z "$to" ]; then
    log "no previous tag to roll back to; recent logs:"
    compose logs --tail 50 "${REPLICAS[@]}" >&2 || true
    exit 1
  fi
  log "rolling back to $IMAGE:$to"
  if roll_out "$to"; then
    log "rolled back to $IMAGE:$to"
  else
    log "rollback to $IMAGE:$to failed too; the stack needs a look (compose logs)"
  fi
  exit 1
}

if [ "${1:-}" = "--rollback" ]; then
  [ -n "$previous" ] || die "no previous deployment recorded in $STATE_DIR"
  log "going back from ${current:-nothing} to $previous"
  roll_out "$previous" || die "rollback to $previous failed"
  echo "$previous" > "$STATE_DIR/current-tag"
  echo "$current" > "$STATE_DIR/previous-tag"
  exit 0
fi

TAG=${1:-$(git describe --tags --always --dirty 2>/dev/null || date -u +%Y%m%d%H%M%S)}
[[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: $TAG"

log "building $IMAGE:$TAG"
docker build -f docker/Dockerfile -t "$IMAGE:$TAG" \
  --build-arg VERSION="$TAG" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .

log "checking $COMPOSE_FILE"
PONCHO_IMAGE_TAG=$TAG compose config --quiet || die "$COMPOSE_FILE is not valid with $ENV_FILE"

# The new image validates the configuration the replicas will get (the mounted conf/ and the same
# overrides as in the compose file), without starting a server.
log "checking the server configuration with $IMAGE:$TAG"
conf_dir=$(env_value PONCHO_CONF_DIR ../conf)
case "$conf_dir" in /*) ;; *) conf_dir="$PWD/docker/$conf_dir" ;; esac
if ! docker run --rm --network none --read-only --tmpfs /tmp \
    -v "$conf_dir:/app/conf:ro" \
    -e PONCHO_MASTER_KEY="$(env_value PONCHO_MASTER_KEY "")" \
    -e PONCHO_STATE__BACKEND=redis \
    -e PONCHO_STATE__REDIS__URL="redis://:$(env_value REDIS_PASSWORD "")@redis:6379/0" \
    -e PONCHO_CLUSTER__ENABLED=true \
    -e PONCHO_CLUSTER__NAME="$(env_value PONCHO_CLUSTER_NAME ponchoai)" \
    -e PONCHO_CLUSTER__MEMBERS="$(env_value PONCHO_CLUSTER_MEMBERS 172.28.0.11,172.28.0.12)" \
    -e PONCHO_CLUSTER__HOST="$(env_value PONCHO_1_IP 172.28.0.11)" \
    -e PONCHO_HTTP__SHUTDOWN_TIMEOUT="$(env_value PONCHO_SHUTDOWN_TIMEOUT 30s)" \
    "$IMAGE:$TAG" --check-config; then
  log "the configuration is invalid (listed above); nothing was changed"
  exit 2
fi

if [ "$TAG" != "$current" ]; then
  previous=$current
fi
if roll_out "$TAG"; then
  echo "$TAG" > "$STATE_DIR/current-tag"
  echo "$previous" > "$STATE_DIR/previous-tag"
  log "deployed $IMAGE:$TAG (previous: ${previous:-none})"
else
  log "deploying $IMAGE:$TAG failed"
  rollback "$previous"
fi
