#!/usr/bin/env bash
# Audited look-ups through one instance of the service against two on the same database and machine, alternating, 2
# rounds: wrk with 32 connections in all (two wrk of 16, one per instance, for two). The log's sequencer is held off in
# both (benchmarks/log/transparency-log.sh measures it), so the figure is the append path alone: with two, one
# instance writes the chain and the other commits its entries to the pending table for it (Audit/ChainLeadership).
# Each round reports the answers per second and what the trail gained (chained, and still pending at the end).
# Usage: benchmarks/log/instances.sh [seconds per run, default 30]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-30}"
source benchmarks/log/service-env.sh
hold_sequencer_off
trap let_sequencer_go EXIT
chained() { psql_ "select coalesce(max(seq), 0) from optout.audit_entries"; }
for round in 1 2; do
  for instances in 1 2; do
    pids=()
    for port in $(seq 5080 $((5079 + instances))); do start_api "$port"; pids+=("$api_pid"); done
    # Warm each instance (JIT, connection pools) before the measured run.
    for port in $(seq 5080 $((5079 + instances))); do
      wrk -t1 -c8 -d5s -s benchmarks/wrk/lookup.lua "http://127.0.0.1:$port" >/dev/null
    done
    before=$(chained)
    wrks=()
    for port in $(seq 5080 $((5079 + instances))); do
      wrk -t$((2 / instances)) -c$((32 / instances)) -d"${seconds}s" -s benchmarks/wrk/lookup.lua "http://127.0.0.1:$port" \
        | awk '/Requests\/sec/ {print $2}' > "/tmp/optout-instances-$port.txt" &
      wrks+=($!)
    done
    wait "${wrks[@]}"
    rate=$(cat /tmp/optout-instances-50*.txt | awk '{s += $1} END {printf "%d", s}')
    pending=$(psql_ "select count(*) from optout.audit_pending")
    echo "round $round, $instances instance(s): $rate audited look-ups/s; the chain grew by $(( $(chained) - before )), $pending pending at the end"
    rm -f /tmp/optout-instances-50*.txt
    kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  done
done
