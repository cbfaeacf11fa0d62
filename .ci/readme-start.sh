#!/usr/bin/env bash
# Runs the README's start command as written, from this clone, with no terminal,
# twice: the first builds what the clone lacks; the second, with nothing
# changed, must rebuild nothing and be ready in under 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
command=$(sed -n '/^```sh$/{n;p;q}' README.md | sed 's/[[:space:]]*#.*$//')
case "$command" in
  *" start") ;;
  *) echo "the README's first command is not a start: $command"; exit 1 ;;
esac
work=$(mktemp -d /tmp/hearth-readme-XXXXXX)
chmod 755 "$work" # as root, the embedded PostgreSQL runs as another user
log="$work/log"
trap 'rm -rf "$work"' EXIT
unset $(env | grep -o '^HEARTH_[A-Z0-9_]*' || true)
export HEARTH_PORT=0 HEARTH_DATA_DIR="$work/hearth-data"

start_once() {
  : >"$log"
  local started pid url=""
  started=$(date +%s%N)
  setsid bash -c "$command" </dev/null >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    url=$(grep -o 'Hearth is running at [^ ]*' "$log" | awk '{print $5}' || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the README's start command exited early"; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$log"; echo "the README's start command did not start Hearth"; exit 1; }
  elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  curl -fsS "$url/ready" >/dev/null || { cat "$log"; echo "/ready failed"; exit 1; }
  kill -TERM -- "-$pid"
  # npx's shell dies at once; wait for hearth itself and its database to be gone.
  for _ in $(seq 1 300); do
    if ! curl -fsS "$url/health" >/dev/null 2>&1 && [ ! -e "$HEARTH_DATA_DIR/postgres/postmaster.pid" ]; then return; fi
    sleep 0.1
  done
  cat "$log"; echo "hearth did not stop on SIGTERM"; exit 1
}

start_once
echo "first start (builds what is missing): ${elapsed_ms} ms"
start_once
echo "second start (nothing changed): ${elapsed_ms} ms"
grep -q 'vite build skipped' "$log" || { cat "$log"; echo "the second start rebuilt the dashboard"; exit 1; }
[ "$elapsed_ms" -lt 10000 ] || { cat "$log"; echo "the second start took over 10 s"; exit 1; }
echo "README start command passed"
