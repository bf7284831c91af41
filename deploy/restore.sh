#!/usr/bin/env bash
# Restores what deploy/backup.sh wrote; see usage below and docs/operations.md ("Restore").
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: restore.sh [-f] DUMP|BACKUP_DIR [FILES_ARCHIVE]

Restores a database dump (db-STAMP.dump) into DATABASE_URL and the files archive of the same
backup (files-STAMP.tar.gz, found beside the dump unless named) into DATA_DIR/files. Given a
directory, takes its newest dump. Stop every api and worker process first.

Both are read back in full before anything is changed. Then, unless -f:
  - the database must be empty (no tables, views or sequences outside the system schemas), and
  - DATA_DIR/files must be missing or empty;
otherwise it refuses and changes nothing. It refuses too while other sessions are connected to
the database.

Options:
  -f   replace what is there: drop every schema of the database (the whole schema of the
       application, the job queue's included) before restoring, and move an existing
       DATA_DIR/files aside to DATA_DIR/files.before-restore-STAMP
  -h   show this help

Environment:
  DATABASE_URL   the PostgreSQL database to restore into (required; it must exist)
  DATA_DIR       the application's data directory (default: ./data)
  S3_BUCKET      set when the application keeps its files in S3: no files are restored then
                 (recover them from the bucket's versions)

Migrations newer than the backup are applied when the application starts.
EOF
}

die() {
  printf 'restore.sh: %s\n' "$*" >&2
  exit 1
}

force=''
while getopts ':fh' option; do
  case "$option" in
    f) force=1 ;;
    h)
      usage
      exit 0
      ;;
    *) die "unknown option -$OPTARG (see -h)" ;;
  esac
done
shift $((OPTIND - 1))
[[ $# -ge 1 && $# -le 2 ]] || die 'name a dump or a backup directory (see -h)'
[[ -n "${DATABASE_URL:-}" ]] || die 'DATABASE_URL is not set (see -h)'
for tool in psql pg_restore tar; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
data_dir="${DATA_DIR:-./data}"

dump="$1"
if [[ -d "$dump" ]]; then
  shopt -s nullglob
  dumps=("$dump"/db-*.dump)
  shopt -u nullglob
  ((${#dumps[@]} > 0)) || die "no db-*.dump in $dump"
  dump="${dumps[-1]}"
fi
[[ -f "$dump" ]] || die "no such dump: $dump"
archive="${2:-}"
if [[ -z "$archive" ]]; then
  stamp="$(basename "$dump" .dump)"
  stamp="${stamp#db-}"
  sibling="$(dirname "$dump")/files-$stamp.tar.gz"
  [[ -f "$sibling" ]] && archive="$sibling"
fi
if [[ -n "${S3_BUCKET:-}" && -n "$archive" ]]; then
  printf 'files:    in S3 bucket %s: %s is not restored\n' "$S3_BUCKET" "$archive"
  archive=''
fi

# --- read everything back before changing anything ---------------------------------------------
pg_restore --list "$dump" >/dev/null && pg_restore --file=/dev/null "$dump" ||
  die "the dump $dump cannot be read in full: nothing was changed"
printf 'database: %s reads back\n' "$dump"
if [[ -n "$archive" ]]; then
  members="$(tar -tzf "$archive")" || die "the archive $archive cannot be read: nothing was changed"
  # backup.sh archives the one folder `files`; anything else would land outside it.
  if grep -qv '^files\(/\|$\)' <<<"$members"; then
    die "the archive $archive holds paths outside files/: nothing was changed"
  fi
  printf 'files:    %s reads back\n' "$archive"
fi

sql() { psql --no-psqlrc --quiet --no-align --tuples-only --set=ON_ERROR_STOP=1 \
  --dbname="$DATABASE_URL" "$@"; }

others="$(sql -c 'select count(*) from pg_stat_activity
  where datname = current_database() and pid <> pg_backend_pid()')" ||
  die "cannot connect to DATABASE_URL"
((others == 0)) || die "$others other session(s) are connected to the database: stop the application first"

user_schemas="nspname not in ('information_schema', 'pg_catalog', 'pg_toast')
  and nspname not like 'pg\_temp\_%' and nspname not like 'pg\_toast\_temp\_%'"
objects="$(sql -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and $user_schemas")"
files_there=''
if [[ -n "$archive" && -d "$data_dir/files" ]] && [[ -n "$(ls -A "$data_dir/files")" ]]; then
  files_there=1
fi
if [[ -z "$force" ]]; then
  ((objects == 0)) || die "the database holds $objects tables, views or sequences: restore into an empty one, or pass -f to replace it"
  [[ -z "$files_there" ]] || die "$data_dir/files is not empty: pass -f to move it aside"
fi

# --- restore -----------------------------------------------------------------------------------
if [[ -n "$force" ]]; then
  # The dump recreates every schema but public, which every database starts with.
  schemas="$(sql -c "select string_agg(quote_ident(nspname), ', ') from pg_namespace where $user_schemas")"
  drop=''
  [[ -z "$schemas" ]] || drop="drop schema $schemas cascade;"
  sql -c "set client_min_messages = warning; $drop create schema public authorization pg_database_owner; grant usage on schema public to public"
  printf 'database: dropped schemas %s\n' "${schemas:-(none)}"
fi
# One transaction: a restore that fails leaves the database as it was.
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$dump"
printf 'database: restored %s\n' "$dump"

if [[ -n "$archive" ]]; then
  mkdir -p "$data_dir"
  if [[ -n "$files_there" ]]; then
    aside="$data_dir/files.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    mv -- "$data_dir/files" "$aside"
    printf 'files:    moved the old files to %s\n' "$aside"
  fi
  tar -xzf "$archive" -C "$data_dir"
  printf 'files:    restored %s into %s/files\n' "$archive" "$data_dir"
fi
