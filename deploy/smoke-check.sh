#!/usr/bin/env bash
# Smoke check of a running install: /health/ready answers 200, and `/` serves the built Mini App
# (its index.html, not the fallback page a server without web/dist shows) whose first script
# under /assets/ loads. Exits 0 when all holds, 1 otherwise, saying what failed.
#
#   deploy/smoke-check.sh [--wait SECONDS] [--insecure] URL
#
#   URL          the install's origin, e.g. https://support.example.com or http://127.0.0.1:3000
#   --wait N     keep asking /health/ready for up to N seconds (default 0: ask once), for a stack
#                that is still starting
#   --insecure   accept a certificate curl does not trust (CADDY_TLS=internal)
#
# deploy/deploy.sh runs it after every deploy; the CI workflow runs it against the image and
# against staging and production (docs/operations.md, "CI/CD").
set -euo pipefail

wait_seconds=0
curl_options=(--silent --show-error --max-time 10)
while [ $# -gt 0 ]; do
  case "$1" in
    --wait)
      wait_seconds=${2:?--wait needs a number of seconds}
      shift 2
      ;;
    --insecure)
      curl_options+=(--insecure)
      shift
      ;;
    -h | --help)
      sed -n '2,13p' "$0" | cut -c3-
      exit 0
      ;;
    -*)
      echo "smoke-check: unknown option $1" >&2
      exit 2
      ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || {
  echo "usage: deploy/smoke-check.sh [--wait SECONDS] [--insecure] URL" >&2
  exit 2
}
url=${1%/}

fail() {
  echo "smoke-check: FAILED: $*" >&2
  exit 1
}

# --- readiness -----------------------------------------------------------------------------------
deadline=$((SECONDS + wait_seconds))
for (( ; ; )); do
  status=$(curl "${curl_options[@]}" -o /dev/null -w '%{http_code}' "$url/health/ready" 2>/dev/null) || status=000
  [ "$status" = 200 ] && break
  [ "$SECONDS" -ge "$deadline" ] && fail "$url/health/ready answered $status, not 200"
  sleep 2
done
ready=$(curl "${curl_options[@]}" "$url/health/ready" 2>/dev/null) || ready=""
echo "smoke-check: $url/health/ready: 200 $ready"

# --- the Mini App --------------------------------------------------------------------------------
page=$(curl "${curl_options[@]}" --fail -H 'Accept: text/html' "$url/") || fail "GET $url/ failed"
if grep -q 'npm run build:web' <<<"$page"; then
  fail "$url/ serves the fallback page: no built Mini App (web/dist)"
fi
grep -q '<div id="root">' <<<"$page" || fail "$url/ is not the Mini App's index.html"
asset=$(grep -o 'src="/assets/[^"]*\.js"' <<<"$page" | head -n 1 | cut -d'"' -f2) || true
[ -n "$asset" ] || fail "$url/ names no script under /assets/"
asset_status=$(curl "${curl_options[@]}" -o /dev/null -w '%{http_code} %{content_type}' "$url$asset") ||
  asset_status="000"
[[ "$asset_status" == "200 "*javascript* ]] || fail "GET $url$asset answered $asset_status"
echo "smoke-check: $url/ serves the Mini App ($asset)"
