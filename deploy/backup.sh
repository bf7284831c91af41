#!/usr/bin/env bash
# Backs up the PostgreSQL database and the local files; see usage below and docs/operations.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: backup.sh [-d BACKUP_DIR] [-k KEEP] [-m METRICS_DIR] [-h]

Writes, with one UTC timestamp:
  BACKUP_DIR/db-YYYYmmddTHHMMSSZ.dump       pg_dump --format=custom of DATABASE_URL, read back
                                            in full by pg_restore before it counts
  BACKUP_DIR/files-YYYYmmddTHHMMSSZ.tar.gz  DATA_DIR/files, read back by tar (skipped when it
                                            does not exist, or when the files live in S3)
then deletes all but the KEEP newest backups of each kind; with BACKUP_S3_URL copies both to
that bucket and keeps the KEEP newest there too; last, writes the time of this success to
METRICS_DIR/ttb_backup.prom for node_exporter's textfile collector. Any failure exits non-zero
before the metric is written, and leaves no file that looks like a backup.

Options:
  -d BACKUP_DIR   where backups go (default: $BACKUP_DIR, else ./backups)
  -k KEEP         how many backups of each kind to keep (default: $BACKUP_KEEP, else 7)
  -m METRICS_DIR  node_exporter's --collector.textfile.directory (default: $BACKUP_METRICS_DIR;
                  unset: no metric)
  -h              show this help

Environment:
  DATABASE_URL   the PostgreSQL database to dump (required). pg_dump must be as new as the
                 server. The embedded database (no DATABASE_URL) cannot be dumped this way:
                 stop the server and copy DATA_DIR instead.
  DATA_DIR       the application's data directory (default: ./data)
  S3_BUCKET      set when the application keeps its files in S3: they are not archived then
                 (keep versioning on that bucket instead)
  BACKUP_S3_URL  s3://bucket/prefix to copy the backups to (off this machine). Needs node and
                 this repository's node_modules (scripts/backup-s3.ts); also reads
                 BACKUP_S3_ENDPOINT, BACKUP_S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY

Restore: deploy/restore.sh (see its -h).
EOF
}

die() {
  printf 'backup.sh: %s\n' "$*" >&2
  exit 1
}

backup_dir="${BACKUP_DIR:-./backups}"
keep="${BACKUP_KEEP:-7}"
metrics_dir="${BACKUP_METRICS_DIR:-}"
while getopts ':d:k:m:h' option; do
  case "$option" in
    d) backup_dir="$OPTARG" ;;
    k) keep="$OPTARG" ;;
    m) metrics_dir="$OPTARG" ;;
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
command -v pg_restore >/dev/null || die 'pg_restore is not installed (it checks the dump)'
data_dir="${DATA_DIR:-./data}"
# Checked before anything is written, so a run that could not finish does not start.
upload=()
if [[ -n "${BACKUP_S3_URL:-}" ]]; then
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  command -v node >/dev/null && [[ -f "$repo/scripts/backup-s3.ts" ]] &&
    [[ -d "$repo/node_modules/@aws-sdk/client-s3" && -d "$repo/node_modules/tsx" ]] ||
    die "BACKUP_S3_URL needs node and $repo/node_modules (npm ci) to run scripts/backup-s3.ts"
  # Run from the repository, where node finds tsx and the S3 client.
  upload=(env -C "$repo" node --import tsx scripts/backup-s3.ts)
fi
if [[ -n "$metrics_dir" ]]; then
  [[ -d "$metrics_dir" && -w "$metrics_dir" ]] || die "METRICS_DIR $metrics_dir is not a writable directory"
fi

started="$(date +%s)"
# Backups hold user data: readable by their owner only.
umask 077
mkdir -p "$backup_dir"
backup_dir="$(cd "$backup_dir" && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

# Write under a temporary name and rename when complete and read back, so a failed run leaves
# no file that looks like a good backup (and rotation never counts one).
partial=''
cleanup() {
  if [[ -n "$partial" ]]; then rm -f -- "$partial"; fi
}
trap cleanup EXIT

db_file="$backup_dir/db-$stamp.dump"
partial="$db_file.partial"
pg_dump --format=custom --no-password --dbname="$DATABASE_URL" --file="$partial"
# --list reads the table of contents; a restore into /dev/null reads and decompresses every
# table's data, which is what a real restore will need.
pg_restore --list "$partial" >/dev/null || die "the dump $partial cannot be read back"
pg_restore --file=/dev/null "$partial" || die "the dump $partial cannot be read back in full"
mv -- "$partial" "$db_file"
partial=''
written=("$db_file")
printf 'database: %s (%s, read back)\n' "$db_file" "$(du -h "$db_file" | cut -f1)"

if [[ -n "${S3_BUCKET:-}" ]]; then
  printf 'files:    in S3 bucket %s, not archived here (keep versioning on for that bucket)\n' \
    "$S3_BUCKET"
elif [[ -d "$data_dir/files" ]]; then
  files_file="$backup_dir/files-$stamp.tar.gz"
  partial="$files_file.partial"
  tar -C "$data_dir" -czf "$partial" files
  tar -tzf "$partial" >/dev/null || die "the archive $partial cannot be read back"
  mv -- "$partial" "$files_file"
  partial=''
  written+=("$files_file")
  printf 'files:    %s (%s, read back)\n' "$files_file" "$(du -h "$files_file" | cut -f1)"
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

if ((${#upload[@]} > 0)); then
  "${upload[@]}" upload --keep "$keep" "${written[@]}" || die "the copy to $BACKUP_S3_URL failed"
fi

if [[ -n "$metrics_dir" ]]; then
  # node_exporter may read the directory at any moment: write a temporary file it ignores (not
  # *.prom), then rename it over the old one. Readable by all: the exporter runs as another user.
  metric_file="$metrics_dir/ttb_backup.prom"
  partial="$metric_file.$$.tmp"
  size=0
  for file in "${written[@]}"; do size=$((size + $(wc -c <"$file"))); done
  {
    printf '# HELP ttb_backup_last_success_timestamp_seconds Unix time the last backup succeeded.\n'
    printf '# TYPE ttb_backup_last_success_timestamp_seconds gauge\n'
    printf 'ttb_backup_last_success_timestamp_seconds %s\n' "$(date +%s)"
    printf '# HELP ttb_backup_last_size_bytes Bytes the last successful backup wrote.\n'
    printf '# TYPE ttb_backup_last_size_bytes gauge\n'
    printf 'ttb_backup_last_size_bytes %s\n' "$size"
    printf '# HELP ttb_backup_last_duration_seconds How long the last successful backup took.\n'
    printf '# TYPE ttb_backup_last_duration_seconds gauge\n'
    printf 'ttb_backup_last_duration_seconds %s\n' "$(($(date +%s) - started))"
  } >"$partial"
  chmod 0644 "$partial"
  mv -- "$partial" "$metric_file"
  partial=''
  printf 'metric:   %s\n' "$metric_file"
fi
