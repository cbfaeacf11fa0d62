#!/usr/bin/env bash
# Starts `hearth start` on an empty data dir with no HEARTH_ variables, checks
# /health and /ready, restarts it on the same data, and checks SIGTERM exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/hearth-smoke-XXXXXX)
log=$(mktemp /tmp/hearth-smoke-log-XXXXXX)
trap 'rm -rf "$data" "$log"' EXIT
unset $(env | grep -o '^HEARTH_[A-Z0-9_]*' || true)

run_once() {
  node packages/cli/dist/bin.js start --port 0 --data-dir "$data" >"$log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 120); do
    url=$(grep -o 'Hearth is running at [^ ]*' "$log" | awk '{print $5}' || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "hearth exited early"; exit 1; }
    sleep 0.5
  done
  [ -n "$url" ] || { cat "$log"; echo "hearth did not start"; exit 1; }
  curl -fsS "$url/health" && echo
  curl -fsS "$url/ready" && echo
  start=$(date +%s)
  kill -TERM "$pid"
  set +e; wait "$pid"; code=$?; set -e
  elapsed=$(( $(date +%s) - start ))
  echo "exit code $code after ${elapsed}s"
  [ "$code" = 0 ] || { cat "$log"; exit 1; }
  [ "$elapsed" -le 10 ] || { echo "shutdown took over 10 s"; exit 1; }
}

run_once
grep -q 'one-time link' "$log" || { echo "no setup link on first run"; exit 1; }
[ -f "$data/postgres/PG_VERSION" ] || { echo "no embedded cluster"; exit 1; }
run_once
grep -q 'creating the embedded PostgreSQL cluster' "$log" && { echo "second run re-created the cluster"; exit 1; }
echo "smoke test passed"
