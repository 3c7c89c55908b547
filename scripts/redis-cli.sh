#!/usr/bin/env bash
# Sourced by backup.sh and restore.sh: defines redis_cli, the redis-cli that reaches PonchoAI's Redis.
#   REDIS_CLI="..."   the whole command, e.g. "redis-cli -h 10.0.0.7 -p 6380"
#   REDIS_URL=redis://host:port/db  redis-cli on this machine, connecting there
#                     (the password from REDIS_PASSWORD, passed through REDISCLI_AUTH, not the command line)
#   neither           the production compose stack's redis service (docker compose exec)
redis_cli() {
  if [ -n "${REDIS_CLI:-}" ]; then
    # shellcheck disable=SC2086 # REDIS_CLI is a command with its arguments
    $REDIS_CLI "$@"
  elif [ -n "${REDIS_URL:-}" ]; then
    if [ -n "${REDIS_PASSWORD:-}" ]; then
      REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -u "$REDIS_URL" "$@"
    else
      redis-cli -u "$REDIS_URL" "$@"
    fi
  else
    docker compose -f "$(dirname "${BASH_SOURCE[0]}")/../docker/docker-compose.production.yml" exec -T redis redis-cli "$@"
  fi
}
