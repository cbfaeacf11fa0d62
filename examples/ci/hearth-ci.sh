#!/bin/sh
# Schema and rules as code, for any CI: validate, test the rules, dry-run the
# push against the live server, and push on the main branch only.
#
#   sh examples/ci/hearth-ci.sh [project-dir]
#
# The server comes from HEARTH_URL and HEARTH_SERVICE_KEY (CI secrets; create
# the key with `hearth keys create ci`). Without them the script stops after the
# offline checks, so pull requests from forks still validate and test.
#
# Settings (all optional):
#   HEARTH             the command to run      (default: npx --no-install hearth)
#   SCHEMA_FILE        the schema document     (default: hearth.schema.json)
#   BRANCH             the branch being built  (default: $GITHUB_REF_NAME, $CI_COMMIT_BRANCH or git's)
#   MAIN_BRANCH        the branch that deploys (default: main)
#   ALLOW_DESTRUCTIVE  1 to apply drops and narrowing changes (review the plan first)
#
# Exit codes are hearth's: 1 invalid schema, rules or failing rule tests,
# 2 destructive change not allowed, 3 server unreachable or key refused,
# 4 conflict with a concurrent push.
set -eu

cd "${1:-.}"
HEARTH="${HEARTH:-npx --no-install hearth}"
SCHEMA_FILE="${SCHEMA_FILE:-hearth.schema.json}"
MAIN_BRANCH="${MAIN_BRANCH:-main}"
BRANCH="${BRANCH:-${GITHUB_REF_NAME:-${CI_COMMIT_BRANCH:-$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)}}}"
DESTRUCTIVE=""
if [ "${ALLOW_DESTRUCTIVE:-0}" = "1" ]; then DESTRUCTIVE="--allow-destructive"; fi

echo "==> validate $SCHEMA_FILE"
$HEARTH schema validate --file "$SCHEMA_FILE"

echo "==> rules test"
$HEARTH rules test --require-coverage --reporter junit --output rules-junit.xml

if [ -z "${HEARTH_URL:-}" ] || [ -z "${HEARTH_SERVICE_KEY:-}" ]; then
  echo "==> HEARTH_URL or HEARTH_SERVICE_KEY is not set: skipping the dry run and the push"
  exit 0
fi

echo "==> dry run against $HEARTH_URL"
$HEARTH schema push --file "$SCHEMA_FILE" --dry-run $DESTRUCTIVE

if [ "$BRANCH" = "$MAIN_BRANCH" ]; then
  echo "==> push ($BRANCH)"
  $HEARTH schema push --file "$SCHEMA_FILE" $DESTRUCTIVE
else
  echo "==> not pushing: $BRANCH is not $MAIN_BRANCH"
fi
