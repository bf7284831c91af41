#!/usr/bin/env bash
# Runs backup.sh (beside this file) every day at BACKUP_AT, UTC (HH:MM, default 02:30); also at
# start when the last success recorded in BACKUP_METRICS_DIR/ttb_backup.prom is over a day old or
# missing. A failed run is tried again an hour later. Arguments are passed to backup.sh. This is
# the compose stack's `backup` service; on a host, use a systemd timer or cron instead
# (docs/operations.md, "Backups and restore").
set -euo pipefail

at="${BACKUP_AT:-02:30}"
if ! [[ "$at" =~ ^([01][0-9]|2[0-3]):[0-5][0-9]$ ]]; then
  printf 'backup-schedule.sh: BACKUP_AT must be HH:MM (UTC), not %s\n' "$at" >&2
  exit 1
fi
backup="$(dirname "${BASH_SOURCE[0]}")/backup.sh"
day=86400

say() { printf '%s backup-schedule.sh: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# The next BACKUP_AT after now, in Unix seconds.
next_slot() {
  local now slot
  now="$(date -u +%s)"
  slot="$(date -u -d "today $at" +%s)"
  ((slot > now)) || slot="$(date -u -d "tomorrow $at" +%s)"
  printf '%s' "$slot"
}

# Stop at once on `docker compose stop`: the sleep runs in the background so the trap fires
# while waiting; a backup under way is let finish.
sleeper=''
stopping=''
trap 'stopping=1; [[ -z "$sleeper" ]] || kill "$sleeper" 2>/dev/null' TERM INT

last="$(sed -n 's/^ttb_backup_last_success_timestamp_seconds \([0-9]*\)$/\1/p' \
  "${BACKUP_METRICS_DIR:-/nonexistent}/ttb_backup.prom" 2>/dev/null || true)"
if [[ -z "$last" ]] || (($(date -u +%s) - last > day)); then
  due="$(date -u +%s)"
else
  due="$(next_slot)"
fi

while :; do
  wait_s=$((due - $(date -u +%s)))
  if ((wait_s > 0)); then
    say "next backup at $(date -u -d "@$due" +%Y-%m-%dT%H:%M:%SZ)"
    sleep "$wait_s" &
    sleeper=$!
    wait "$sleeper" || true
    sleeper=''
  fi
  if [[ -n "$stopping" ]]; then
    say "stopping"
    exit 0
  fi
  if bash "$backup" "$@"; then
    due="$(next_slot)"
  else
    say "the backup failed (above); trying again in an hour"
    due=$(($(date -u +%s) + 3600))
  fi
done
