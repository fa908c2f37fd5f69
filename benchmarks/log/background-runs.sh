#!/usr/bin/env bash
# "Verify now" and "Rebuild the figures" as the pages start them, on the benchmark store: each begun by one POST, then
# followed every 10 s until it ends, printing how long the POST took, what a second POST meanwhile answered (the same
# run), the progress each read reported, and for the rebuild the DPO's and the public's national figure at every read
# (the figures kept from before it, until it has replayed).
# Usage: benchmarks/log/background-runs.sh [verification|rebuild|both, default both]
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-both}"
. benchmarks/log/service-env.sh
dpo="Authorization: Bearer $(infra/optout token --role dpo --subject bench-dpo | tail -n 1)"
api=http://127.0.0.1:5085
start_api 5085
trap 'kill -TERM $api_pid 2>/dev/null; wait $api_pid 2>/dev/null || true' EXIT
since() { echo "$(( ($(date +%s%N) - $1) / 1000000 )) ms"; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

verification() {
  local began run id state
  began=$(date +%s%N)
  run=$(curl -sf -X POST -H "$dpo" $api/v1/audit/verifications)
  id=$(field 'd["id"]' <<<"$run")
  echo "verification: POST answered 202 in $(since "$began"), run $id; a second POST: run $(curl -sf -X POST -H "$dpo" $api/v1/audit/verifications | field 'd["id"]')"
  while true; do
    state=$(curl -sf -H "$dpo" $api/v1/audit/verifications/"$id" | field 'd["status"], d["entriesChecked"], d["recordsChecked"], d.get("result", {}).get("intact")')
    echo "  $(since "$began"): $state"
    [[ "$state" == "('running'"* ]] || break
    sleep 10
  done
}

rebuild() {
  local began figures
  began=$(date +%s%N)
  figures() { curl -sf -H "$dpo" $api/v1/statistics | field 'd["sequence"], d.get("rebuilding"), d["months"][-1]["nationalOptOutsInForce"] if d["months"] else None'; }
  echo "rebuild: before $(figures)"
  echo "rebuild: POST answered $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$dpo" $api/v1/statistics/rebuild) in $(since "$began"); a second POST: $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$dpo" $api/v1/statistics/rebuild)"
  while true; do
    local now public
    now=$(figures)
    public=$(curl -sf $api/v1/statistics/national | field 'd["sequence"], d["months"][-1]["nationalOptOutsInForce"] if d["months"] else None')
    echo "  $(since "$began"): $now; public $public"
    [[ "$now" == *", None, "* ]] && break
    sleep 10
  done
}

case "$what" in
  verification) verification ;;
  rebuild) rebuild ;;
  both) verification; rebuild ;;
  *) echo "usage: background-runs.sh [verification|rebuild|both]" >&2; exit 2 ;;
esac
