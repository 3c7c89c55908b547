#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into PonchoAI's Redis: every saved key is written back
# with its value and remaining time to live, replacing a key of the same name; other keys are left
# alone. Restore into a Redis of the same or a newer version than the one backed up.
#   scripts/restore.sh FILE
# Which Redis: see scripts/redis-cli.sh (REDIS_CLI, REDIS_URL + REDIS_PASSWORD, or the compose stack).
# Stop the PonchoAI replicas first (or restore into a fresh Redis) so they do not write meanwhile.
set -euo pipefail
# shellcheck source=scripts/redis-cli.sh
. "$(dirname "$0")/redis-cli.sh"

file=${1:?usage: scripts/restore.sh FILE}
[ -f "$file" ] || { echo "restore: $file does not exist" >&2; exit 1; }
# (head stops reading early: gzip's broken pipe is not an error here.)
header=$(gzip -dc "$file" 2>/dev/null | head -n 1 || true)
case "$header" in
  "# ponchoai redis backup v1 "*) ;;
  *) echo "restore: $file is not a PonchoAI Redis backup" >&2; exit 1 ;;
esac
redis_cli PING | grep -q PONG || { echo "restore: Redis does not answer PING" >&2; exit 1; }

replies=$(mktemp)
trap 'rm -f "$replies"' EXIT
gzip -dc "$file" | grep -v '^#' | redis_cli --no-raw > "$replies"
total=$(wc -l < "$replies")
failed=$(grep -cvx 'OK' "$replies" || true)
if [ "$failed" -gt 0 ]; then
  echo "restore: $failed of $total keys failed:" >&2
  grep -vx 'OK' "$replies" | sort | uniq -c | head -n 20 >&2
  exit 1
fi
echo "restore: $total keys restored from $file"
