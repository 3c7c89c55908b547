#!/usr/bin/env bash
# Backs up PonchoAI's Redis state (API keys, limits, usage and cost counters, cache) to a gzipped file
# of RESTORE commands that scripts/restore.sh replays. Every key matching REDIS_KEY_PATTERN (default:
# all keys; the stack's Redis holds only PonchoAI's state) is saved with DUMP, so every type (strings,
# hashes, sorted sets, streams...) is kept byte for byte, with its remaining time to live.
#   scripts/backup.sh [FILE]        default FILE: ponchoai-redis-<UTC time>.backup.gz
# Which Redis: see scripts/redis-cli.sh (REDIS_CLI, REDIS_URL + REDIS_PASSWORD, or the compose stack).
# The server is not paused: keys are read one after the other, so counters that change meanwhile are
# saved as they were when read. Keys containing a newline or a tab are not supported.
set -euo pipefail
# shellcheck source=scripts/redis-cli.sh
. "$(dirname "$0")/redis-cli.sh"

file=${1:-ponchoai-redis-$(date -u +%Y%m%dT%H%M%SZ).backup.gz}
pattern=${REDIS_KEY_PATTERN:-*}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

redis_cli PING | grep -q PONG || { echo "backup: Redis does not answer PING" >&2; exit 1; }
redis_cli --scan --pattern "$pattern" | sort -u > "$work/keys"
# Keys quoted for redis-cli's own parser ("..." with \ and " escaped); replies in quoted form (--no-raw)
# so that binary values survive as text: one "(integer) ttl" line and one "dump" line per key.
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$work/keys" > "$work/quoted"
awk '{ print "PTTL \"" $0 "\""; print "DUMP \"" $0 "\"" }' "$work/quoted" | redis_cli --no-raw > "$work/replies"
[ "$(wc -l < "$work/replies")" -eq $(( 2 * $(wc -l < "$work/keys") )) ] \
  || { echo "backup: Redis answered fewer replies than keys asked for" >&2; exit 1; }

{
  echo "# ponchoai redis backup v1 $(date -u +%Y-%m-%dT%H:%M:%SZ) pattern=$pattern"
  # A key that expired between SCAN and DUMP (TTL -2, dump nil) is left out; -1 (no TTL) restores as 0.
  paste -d '\t' "$work/quoted" <(paste -d '\t' - - < "$work/replies") | awk -F '\t' '
    { split($2, ttl, " ") }
    ttl[1] != "(integer)" { print "backup: unexpected reply for key " $1 ": " $2 > "/dev/stderr"; exit 1 }
    ttl[2] == -2 || $3 == "(nil)" { next }
    { print "RESTORE \"" $1 "\" " (ttl[2] < 0 ? 0 : ttl[2]) " " $3 " REPLACE" }'
} | gzip -c > "$work/backup.gz"
mv "$work/backup.gz" "$file"
echo "backup: $(($(gzip -dc "$file" | wc -l) - 1)) keys saved to $file"
