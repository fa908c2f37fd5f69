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
infra/optout servers >/dev/null
[ -s .local/audit-log-key.pem ] || (umask 077; openssl genpkey -algorithm ed25519 -out .local/audit-log-key.pem)
[ -s .local/audit-signing-key.pem ] || (umask 077; openssl ecparam -name prime256v1 -genkey -noout -out .local/audit-signing-key.pem)
export ConnectionStrings__Marten="Host=127.0.0.1;Port=5432;Database=optout_bench;Username=optout;Password=optout"
export ConnectionStrings__RabbitMq="amqp://optout:optout@127.0.0.1:5672/"
export Auth__DevelopmentSigningKey="$(cat .local/dev-signing-key)"
export ASPNETCORE_ENVIRONMENT=Development RateLimiting__TokenLimit=100000000 RateLimiting__TokensPerSecond=100000000
export Audit__Log__SigningKeyPem="$(cat .local/audit-log-key.pem)" Audit__SigningKeyPem="$(cat .local/audit-signing-key.pem)"
export OPTOUT_WRK_DIR="$PWD/benchmarks/wrk" OPTOUT_TOKEN="$(infra/optout token --role pipeline --subject bench | tail -n 1)"
dotnet build src/OptOut.Api -c Release -v q -nologo >/dev/null
psql_() { su postgres -c "psql -d optout_bench -Atc \"$1\""; }
# How many entries the latest checkpoint's patient map covers (its "map <n> <root>" line).
map_size() { psql_ "select coalesce(substring(note from E'\\nmap ([0-9]+) '), '0') from optout.audit_log_checkpoints order by size desc limit 1"; }
lock=$(dotnet run --project benchmarks/OptOut.Benchmarks -c Release -v q -- sequencer-lock 2>/dev/null | tail -n 1)
on_from=()
for round in 1 2; do
  for mode in on off; do
    holder=
    if [ "$mode" = off ]; then
      su postgres -c "psql -d optout_bench -c \"select pg_advisory_lock($lock); select pg_sleep($seconds + 60)\"" >/dev/null 2>&1 &
      holder=$!
      sleep 1
    fi
    (cd src/OptOut.Api/bin/Release/net10.0 && exec dotnet OptOut.Api.dll) >/tmp/optout-log-bench.log 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do curl -sf http://127.0.0.1:5080/health/ready >/dev/null && break; sleep 1; done
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
    if [ -n "$holder" ]; then
      psql_ "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and (classid::bigint << 32) | objid::bigint = $lock" >/dev/null
      wait "$holder" 2>/dev/null || true
    fi
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
