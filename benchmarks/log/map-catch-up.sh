#!/usr/bin/env bash
# The patient map catching up with the log on the benchmark store, with nothing else running: this tree's service
# against a baseline commit's, alternating. For each run: the entries the map took in per second over the measured
# window (after the new leader's read-in), the garbage collector's pauses (dotnet-counters, per second: total and
# worst), and the process's memory. The store's map must lag its log by more than the runs take in (a look-up load
# leaves it so: `infra/optout bench lookups`); each run takes in part of that lag.
# Usage: benchmarks/log/map-catch-up.sh BASELINE-COMMIT [seconds measured per run, default 120] [rounds, default 1]
set -euo pipefail
cd "$(dirname "$0")/../.."
base="${1:?usage: map-catch-up.sh BASELINE-COMMIT [seconds] [rounds]}"
seconds="${2:-120}"
rounds="${3:-1}"
. benchmarks/log/service-env.sh
dotnet tool restore >/dev/null
worktree=/tmp/optout-map-baseline
rm -rf "$worktree"; git worktree prune
git worktree add -q --detach "$worktree" "$base"
trap 'git worktree remove --force "$worktree" 2>/dev/null || true' EXIT
(cd "$worktree" && dotnet build src/OptOut.Api -c Release -v q -nologo >/dev/null) || { echo "the baseline's build failed" >&2; exit 1; }

# How far the map has come: the size of the map the latest checkpoint signs. A checkpoint is signed only when the log
# grows, so a trickle of look-ups (two a second) runs throughout; without it each run would also merge again what the
# run before it had stored but never seen signed.
map_size() { curl -sf http://127.0.0.1:5085/v1/audit/log/checkpoint | awk '/^map / {print $2}'; }
trickle() { while :; do curl -s -o /dev/null -H "Authorization: Bearer $OPTOUT_TOKEN" http://127.0.0.1:5085/v1/opt-outs/9434765919; sleep 0.5; done; }

run() {
  local name="$1" folder="$2" log="/tmp/optout-map-catch-up-$1.log" counters="/tmp/optout-map-catch-up-$1.csv"
  (cd "$folder/src/OptOut.Api/bin/Release/net10.0" && Urls="http://127.0.0.1:5085" exec dotnet OptOut.Api.dll) >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 180); do curl -sf http://127.0.0.1:5085/health/ready >/dev/null && break; sleep 1; done
  trickle &
  local trickler=$!
  for _ in $(seq 1 600); do grep -q "branches read into memory" "$log" && break; sleep 1; done
  local warm; warm=$(grep -o '"Branches":[0-9]*,"Elapsed":[0-9]*' "$log" | head -1)
  sleep 5
  rm -f "$counters"
  dotnet dotnet-counters collect -p "$pid" --refresh-interval 1 --format csv -o "$counters" --counters System.Runtime \
    --duration "$(printf '%02d:%02d:%02d' $((seconds / 3600)) $((seconds / 60 % 60)) $((seconds % 60)))" >/dev/null 2>&1 &
  local collector=$!
  local from; from=$(map_size)
  sleep "$seconds"
  local to; to=$(map_size)
  wait "$collector" || true
  local rss; rss=$(ps -o rss= -p "$pid")
  kill "$trickler"; wait "$trickler" 2>/dev/null || true
  kill -TERM "$pid"; wait "$pid" || true
  awk -F, -v name="$name" -v seconds="$seconds" -v from="$from" -v to="$to" -v rss="$rss" -v warm="$warm" '
    $3 ~ /gc.pause.time/ { total += $5; if ($5 > worst) worst = $5; if ($5 > 0.05) long++ }
    $3 ~ /gc.collections/ && $3 ~ /gen1/ { gen1 += $5 }
    $3 ~ /gc.collections/ && $3 ~ /gen2/ { gen2 += $5 }
    $3 ~ /last_collection.heap.size/ && $3 ~ /gen2/ { heap = $5 }
    END {
      printf "%s: the map took in %d entries/s (%d to %d); GC paused %.1f%% of the time, the worst second %.0f ms, %d seconds over 50 ms; gen1 %d, gen2 %d collections; gen2 heap %.0f MB, working set %.0f MB; read-in %s\n",
        name, (to - from) / seconds, from, to, 100 * total / seconds, 1000 * worst, long, gen1, gen2, heap / 1e6, rss / 1024, warm
    }' "$counters"
}

for round in $(seq 1 "$rounds"); do
  run "baseline-$round" "$worktree"
  run "this-tree-$round" "$PWD"
done
