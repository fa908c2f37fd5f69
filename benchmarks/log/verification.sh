#!/usr/bin/env bash
# The whole re-verification (GET /v1/audit/verification, as "Verify now" asks for it) on the benchmark store: this
# tree's service against a baseline commit's, alternating, each run on a service started afresh and asked twice. For
# each answer: its time, what it checked, and the service's peak memory (VmHWM) before and after.
# Usage: benchmarks/log/verification.sh BASELINE-COMMIT [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
base="${1:?usage: verification.sh BASELINE-COMMIT [rounds]}"
rounds="${2:-2}"
. benchmarks/log/service-env.sh
dpo_token="$(infra/optout token --role dpo --subject bench-dpo | tail -n 1)"
worktree=/tmp/optout-verification-baseline
rm -rf "$worktree"; git worktree prune
git worktree add -q --detach "$worktree" "$base"
trap 'git worktree remove --force "$worktree" 2>/dev/null || true' EXIT
(cd "$worktree" && dotnet build src/OptOut.Api -c Release -v q -nologo >/dev/null) || { echo "the baseline's build failed" >&2; exit 1; }

peak() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$1/status"; }

run() {
  local name="$1" folder="$2" log="/tmp/optout-verification-$1.log"
  (cd "$folder/src/OptOut.Api/bin/Release/net10.0" && Urls="http://127.0.0.1:5085" exec dotnet OptOut.Api.dll) >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:5085/health/ready >/dev/null && break; sleep 1; done
  sleep 5
  echo "$name: peak memory once ready $(peak "$pid")"
  for ask in 1 2; do
    local started answer
    started=$(date +%s%N)
    answer=$(curl -sf -m 900 -H "Authorization: Bearer $dpo_token" http://127.0.0.1:5085/v1/audit/verification)
    printf '%s, answer %d: %d ms, peak memory %s; %s\n' "$name" "$ask" $((($(date +%s%N) - started) / 1000000)) "$(peak "$pid")" \
      "$(grep -oE '"(intact|entries|eventsChecked|recordsChecked|indexCheckedAt)":[^,}]*' <<<"$answer" | tr '\n' ' ')"
  done
  kill -TERM "$pid"; wait "$pid" || true
}

for round in $(seq 1 "$rounds"); do
  run "baseline-$round" "$worktree"
  run "this-tree-$round" "$PWD"
done
