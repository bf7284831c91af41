#!/usr/bin/env bash
# Deploys one image of the application to the compose stack in this folder, checks it, and goes
# back to the last good image when the check fails. Run on the host, in the folder that holds
# docker-compose.yml and .env (the CI workflow runs it over ssh; docs/operations.md, "CI/CD").
#
#   deploy/deploy.sh IMAGE        e.g. ghcr.io/acme/telegram-ticket-bot:3f2c9e1…
#   deploy/deploy.sh --rollback   back to the good image deployed before the current one
#   deploy/deploy.sh --status     the running image, the last good one and the history
#
# A deploy writes TTB_IMAGE=IMAGE into .env (docker-compose.yml runs the api and worker services
# from it, so a later `docker compose up -d` by hand keeps it), pulls it, `docker compose up -d`,
# then runs smoke-check.sh against the install. On success IMAGE becomes the last good image
# (.last-good-tag) and joins .deploy-history; on any failure (pull, start, smoke check) TTB_IMAGE
# goes back to the last good image, the stack is started on it and checked again, and the script
# exits 1.
#
# Environment:
#   SMOKE_URL       where to check (default: PUBLIC_URL from .env)
#   SMOKE_WAIT      seconds the stack may take to become ready (default 180)
#   SMOKE_INSECURE  1 to accept an untrusted certificate (default: 1 when CADDY_TLS=internal)
#   COMPOSE         the compose command (default: docker compose)
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

env_file=.env
last_good_file=.last-good-tag
history_file=.deploy-history
smoke_check="$here/smoke-check.sh"
read -r -a compose <<<"${COMPOSE:-docker compose}"
app_services=(api worker)

say() { printf 'deploy: %s\n' "$*"; }
die() {
  printf 'deploy: FAILED: %s\n' "$*" >&2
  exit 1
}

# The last value of NAME in .env, without quotes.
env_value() {
  sed -n "s/^$1=//p" "$env_file" | tail -n 1 | sed -e 's/^["'\'']//' -e 's/["'\'']$//'
}

# Points TTB_IMAGE in .env at $1, keeping every other line (and the file's owner and mode).
set_image() {
  local kept
  kept=$(grep -v '^TTB_IMAGE=' "$env_file" || true)
  {
    [ -n "$kept" ] && printf '%s\n' "$kept"
    printf 'TTB_IMAGE=%s\n' "$1"
  } >"$env_file.next"
  cat "$env_file.next" >"$env_file"
  rm -f "$env_file.next"
}

last_good() { cat "$last_good_file" 2>/dev/null || true; }

smoke() {
  local url options=(--wait "${SMOKE_WAIT:-180}")
  url=${SMOKE_URL:-$(env_value PUBLIC_URL)}
  [ -n "$url" ] || die "no URL to check: set PUBLIC_URL in $env_file or SMOKE_URL"
  if [ "${SMOKE_INSECURE:-}" = 1 ] || { [ -z "${SMOKE_INSECURE:-}" ] && [ "$(env_value CADDY_TLS)" = internal ]; }; then
    options+=(--insecure)
  fi
  "$smoke_check" "${options[@]}" "$url"
}

# Starts the stack on image $1 and checks it; non-zero when either fails.
start_and_check() {
  set_image "$1"
  say "starting the stack on $1"
  "${compose[@]}" up -d --no-build || return 1
  smoke || return 1
}

# Goes back to the last good image after a failed deploy of $1, then exits 1.
roll_back() {
  local failed=$1 good
  good=$(last_good)
  if [ -z "$good" ] || [ "$good" = "$failed" ]; then
    die "$failed failed and there is no earlier good image to go back to (the stack stays on $failed)"
  fi
  say "$failed failed: rolling back to $good"
  if start_and_check "$good"; then
    die "$failed failed; rolled back to $good, which passes the smoke check"
  fi
  die "$failed failed, and so does $good after the rollback: the stack needs a hand"
}

remember_good() {
  printf '%s\n' "$1" >"$last_good_file"
  if [ "$(tail -n 1 "$history_file" 2>/dev/null)" != "$1" ]; then
    printf '%s\n' "$1" >>"$history_file"
  fi
}

deploy() {
  local image=$1
  [[ "$image" =~ ^[^[:space:]]+$ ]] || die "not an image reference: $image"
  say "deploying $image (last good: $(last_good || true))"
  set_image "$image"
  # Compose may only warn when it cannot pull an image it could also build: ask for the image.
  if ! "${compose[@]}" pull "${app_services[@]}" || ! docker image inspect "$image" >/dev/null 2>&1; then
    set_image "$(last_good)"
    die "could not pull $image; the stack was not touched"
  fi
  start_and_check "$image" || roll_back "$image"
  remember_good "$image"
  say "$image is deployed and passes the smoke check"
}

# Back to the good image before the current one; the current one leaves the history.
rollback() {
  local current target
  current=$(last_good)
  [ -n "$current" ] || die "no deploy recorded in $history_file"
  target=$(grep -vxF "$current" "$history_file" 2>/dev/null | tail -n 1 || true)
  [ -n "$target" ] || die "no good image before $current in $history_file"
  say "rolling back from $current to $target"
  if ! start_and_check "$target"; then
    start_and_check "$current" || die "neither $target nor $current passes the smoke check: the stack needs a hand"
    die "$target fails the smoke check: back on $current"
  fi
  grep -vxF "$current" "$history_file" >"$history_file.next" || true
  mv "$history_file.next" "$history_file"
  printf '%s\n' "$target" >"$last_good_file"
  say "rolled back to $target"
}

status() {
  echo "running (TTB_IMAGE in $env_file): $(env_value TTB_IMAGE)"
  echo "last good ($last_good_file): $(last_good)"
  echo "history ($history_file, oldest first):"
  cat "$history_file" 2>/dev/null || true
}

[ -f docker-compose.yml ] || die "no docker-compose.yml in $here"
[ -f "$env_file" ] || die "no $env_file in $here (cp ../.env.example .env, then edit it)"

# One deploy at a time on a host.
if command -v flock >/dev/null 2>&1; then
  exec 9>.deploy.lock
  flock -n 9 || die "another deploy is running in $here"
fi

case "${1:-}" in
  --rollback) rollback ;;
  --status) status ;;
  "" | -h | --help)
    sed -n '2,21p' "$0" | cut -c3-
    [ -n "${1:-}" ]
    ;;
  -*) die "unknown option $1" ;;
  *) deploy "$1" ;;
esac
