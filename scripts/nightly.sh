#!/usr/bin/env bash
# Nightly build: set up, build configs/nightly.yaml, re-verify every record, publish as one Hub commit tagged
# build-YYYYMMDD (UTC). The cron equivalent of .github/workflows/nightly.yml, e.g. at 02:17 UTC:
#
#   17 2 * * * cd /srv/reasonry && REASONRY_HUB_REPO=ORG/NAME scripts/nightly.sh >> logs/nightly.log 2>&1
#
# Settings (environment): REASONRY_HUB_REPO (required, ORG/NAME), CONFIG (configs/nightly.yaml), OUT
# (out/nightly, kept between nights so unchanged shards are reused), REVISION (branch; default main),
# SKIP_SETUP=1 (the environment is ready), DRY_RUN=1 (list the upload, send nothing). The Hub token comes from
# HF_TOKEN or the login cache (`hf auth login` once, as the cron user); it is never printed.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=${REASONRY_HUB_REPO:?set REASONRY_HUB_REPO=ORG/NAME}
CONFIG=${CONFIG:-configs/nightly.yaml}
OUT=${OUT:-out/nightly}
BIN=${BIN:-.venv/bin}
TAG="build-$(date -u +%Y%m%d)"

mkdir -p "$(dirname "$OUT")"
# One nightly at a time: a run that starts while the previous one still holds the lock exits at once.
exec 9>"$OUT.lock"
if ! flock -n 9; then
  echo "nightly: another build holds $OUT.lock; exiting" >&2
  exit 0
fi

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  make setup
fi
"$BIN/reasonry" build "$CONFIG" --out "$OUT"
"$BIN/reasonry" verify "$OUT"
args=(publish "$OUT" --repo "$REPO" --tag "$TAG")
if [ -n "${REVISION:-}" ]; then args+=(--revision "$REVISION"); fi
if [ "${DRY_RUN:-0}" = 1 ]; then args+=(--dry-run); fi
"$BIN/reasonry" "${args[@]}"
