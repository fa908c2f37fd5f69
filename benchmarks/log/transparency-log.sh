#!/usr/bin/env bash
# The transparency log's figures on the benchmark store (run `infra/optout bench lookups` once first, so it exists):
#  1. audited look-ups with the log's sequencer running, against the same build with the sequencer held off (its
#     advisory lock taken by another session before the service starts, so it never leads), alternating, 2 rounds;
#     An "on" round starts once the log and its patient map have caught up with what the "off" round before it wrote
#     (the backlog is not the round's own work); the map's lag behind the tree is sampled through the round;
#  2. how long after an entry was recorded a checkpoint covering it was signed, over the "on" rounds;
#  3. then `infra/optout bench proofs` for the proofs themselves.
# Usage: benchmarks/log/transparency-log.sh [seconds per run, default 40]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-40}"
source benchmarks/log/service-env.sh
# How many entries the latest checkpoint's patient map covers (its "map <n> <root>" line).
map_size() { psql_ "select coalesce(substring(note from E'\\nmap ([0-9]+) '), '0') from optout.audit_log_checkpoints order by size desc limit 1"; }
on_from=()
for round in 1 2; do
  for mode in on off; do
    if [ "$mode" = off ]; then hold_sequencer_off; fi
    start_api 5080
    pid=$api_pid
    sleep 3
    if [ "$mode" = on ]; then
      written=$(psql_ "select coalesce(max(seq), 0) from optout.audit_entries")
      for _ in $(seq 1 600); do
        curl -sf -o /dev/null -H "Authorization: Bearer $OPTOUT_TOKEN" http://127.0.0.1:5080/v1/opt-outs/9434765919 || true
        [ "$(map_size)" -ge "$written" ] && break
        sleep 1
      done
      on_from+=("$(psql_ "select coalesce(max(seq), 0) from optout.audit_entries")")
      (for _ in $(seq 1 $((seconds / 5))); do sleep 5; echo "$(psql_ "select max(size) from optout.audit_log_checkpoints") $(map_size)"; done) > /tmp/optout-map-lag.txt &
      sampler=$!
    fi
    rate=$(wrk -t2 -c32 -d"${seconds}s" -s benchmarks/wrk/lookup.lua http://127.0.0.1:5080 | awk '/Requests\/sec/ {print $2}')
    echo "round $round, sequencer $mode: $rate audited look-ups/s"
    if [ "$mode" = on ]; then
      wait "$sampler"
      echo "  the patient map's lag behind the tree, sampled every 5 s: $(awk '{printf "%d ", $1 - $2}' /tmp/optout-map-lag.txt)entries"
    fi
    sleep 2
    kill "$pid"; wait "$pid" 2>/dev/null || true
    if [ "$mode" = off ]; then let_sequencer_go; fi
  done
done
# For each checkpoint signed in an "on" round: its signing time against the recording time of the first entry after
# the checkpoint before it, the entry that waited longest for it.
for from in "${on_from[@]}"; do
  psql_ "with c as (select size, signed_at, lag(size) over (order by size) as prev from optout.audit_log_checkpoints where size > $from)
    select count(*) || ' checkpoints; longest wait for one: p50 ' ||
      round(percentile_cont(0.5) within group (order by extract(epoch from c.signed_at - e.recorded_at))::numeric * 1000) || ' ms, p99 ' ||
      round(percentile_cont(0.99) within group (order by extract(epoch from c.signed_at - e.recorded_at))::numeric * 1000) || ' ms, max ' ||
      round(max(extract(epoch from c.signed_at - e.recorded_at))::numeric * 1000) || ' ms'
    from c join optout.audit_entries e on e.seq = c.prev + 1 where c.prev is not null and c.signed_at < (select min(signed_at) + interval '$seconds seconds' from c)"
done
