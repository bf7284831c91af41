#!/usr/bin/env bash
# Backs up the PostgreSQL database and the local files; see usage below and docs/operations.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: backup.sh [-d BACKUP_DIR] [-k KEEP] [-h]

Writes, with one UTC timestamp:
  BACKUP_DIR/db-YYYYmmddTHHMMSSZ.dump       pg_dump --format=custom of DATABASE_URL
  BACKUP_DIR/files-YYYYmmddTHHMMSSZ.tar.gz  DATA_DIR/files (skipped when it does not exist)
then deletes all but the KEEP newest backups of each kind.

Options:
  -d BACKUP_DIR  where backups go (default: $BACKUP_DIR, else ./backups)
  -k KEEP        how many backups of each kind to keep (default: $BACKUP_KEEP, else 7)
  -h             show this help

Environment:
  DATABASE_URL   the PostgreSQL database to dump (required). pg_dump must be as new as the
                 server. The embedded database (no DATABASE_URL) cannot be dumped this way:
                 stop the server and copy DATA_DIR instead.
  DATA_DIR       the application's data directory (default: ./data)

Restore (stop the api and worker processes first):
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" db-….dump
  tar -xzf files-….tar.gz -C "$DATA_DIR"
EOF
}

die() {
  printf 'backup.sh: %s\n' "$*" >&2
  exit 1
}

backup_dir="${BACKUP_DIR:-./backups}"
keep="${BACKUP_KEEP:-7}"
while getopts ':d:k:h' option; do
  case "$option" in
    d) backup_dir="$OPTARG" ;;
    k) keep="$OPTARG" ;;
    h)
      usage
      exit 0
      ;;
    :) die "-$OPTARG needs a value (see -h)" ;;
    *) die "unknown option -$OPTARG (see -h)" ;;
  esac
done
shift $((OPTIND - 1))
[[ $# -eq 0 ]] || die "unexpected argument: $1 (see -h)"

[[ -n "${DATABASE_URL:-}" ]] || die 'DATABASE_URL is not set (see -h)'
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || die "KEEP must be a whole number of at least 1, not '$keep'"
command -v pg_dump >/dev/null || die 'pg_dump is not installed'
data_dir="${DATA_DIR:-./data}"

# Backups hold user data: readable by their owner only.
umask 077
mkdir -p "$backup_dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

# Write under a temporary name and rename when complete, so a failed run leaves no file that
# looks like a good backup (and rotation never counts one).
partial=''
cleanup() {
  if [[ -n "$partial" ]]; then rm -f -- "$partial"; fi
}
trap cleanup EXIT

db_file="$backup_dir/db-$stamp.dump"
partial="$db_file.partial"
pg_dump --format=custom --no-password --dbname="$DATABASE_URL" --file="$partial"
mv -- "$partial" "$db_file"
partial=''
printf 'database: %s (%s)\n' "$db_file" "$(du -h "$db_file" | cut -f1)"

if [[ -d "$data_dir/files" ]]; then
  files_file="$backup_dir/files-$stamp.tar.gz"
  partial="$files_file.partial"
  tar -C "$data_dir" -czf "$partial" files
  mv -- "$partial" "$files_file"
  partial=''
  printf 'files:    %s (%s)\n' "$files_file" "$(du -h "$files_file" | cut -f1)"
else
  printf 'files:    skipped, %s does not exist\n' "$data_dir/files"
fi

# Keeps the newest $keep files named PREFIX-<stamp>SUFFIX; the stamps sort by time.
prune() {
  local prefix="$1" suffix="$2"
  local -a found
  shopt -s nullglob
  found=("$backup_dir/$prefix"-*"$suffix")
  shopt -u nullglob
  local excess=$((${#found[@]} - keep))
  if ((excess > 0)); then
    rm -f -- "${found[@]:0:excess}"
    printf 'rotation: removed %d old %s backup(s)\n' "$excess" "$prefix"
  fi
}
prune db .dump
prune files .tar.gz
