#!/usr/bin/env bash
# What partitioning the audit trail buys its writes, in PostgreSQL alone: batches of audit entries (8 rows, random NHS
# numbers, the trail's own columns and indexes) appended to
#   plain:  one table already holding N entries (its per-patient index as large as a long-running trail's), against
#   parted: the same N entries as the first partition (as the migration leaves them) and the appends going to a
#           fresh 4M-entry partition, as AuditSchema lays the trail out;
# alternating, each round after a CHECKPOINT, with pgbench (16 clients). Reports batches/s, and WAL bytes and
# full-page images per entry from pg_stat_wal.
# Usage: benchmarks/log/partitions.sh [entries already in the trail, default 20000000] [seconds per round, default 30]
set -euo pipefail
cd "$(dirname "$0")/../.."
entries="${1:-20000000}"
seconds="${2:-30}"
db=optout_partitions_bench
infra/optout servers >/dev/null
as_pg() { su postgres -c "$*"; }
sql() { as_pg "psql -X -q -v ON_ERROR_STOP=1 -d $db -Atc \"$1\""; }
columns="seq bigint, recorded_at timestamptz NOT NULL, kind text NOT NULL, action text NOT NULL, actor text NOT NULL,
  actor_role text NOT NULL, nhs_number text, purpose text, outcome int NOT NULL, request_id text NOT NULL, details text NOT NULL,
  prev_hash text NOT NULL, hash text NOT NULL"
# Rows shaped like a look-up's entry: a random patient, a request id, a short answer, two SHA-256 hex hashes.
values="now(), 'access', 'lookup', 'bench', 'pipeline', (9000000000 + (random() * 999999999)::bigint)::text, 'research', 200,
  md5(s::text), repeat('a', 24), md5(s::text) || md5((s + 1)::text), md5((s + 2)::text) || md5((s + 3)::text)"
indexes() { echo "create index on $1 (nhs_number, seq); create index on $1 (recorded_at);"; }
if [ "$(as_pg "psql -Atc \"select count(*) from pg_database where datname = '$db'\"")" = 0 ] ||
   [ "$(sql "select coalesce((select reltuples::bigint from pg_class where relname = 'plain'), 0)")" -lt "$((entries * 9 / 10))" ]; then
  echo "making two trails of $entries entries (once)"
  as_pg "dropdb --if-exists $db; createdb $db"
  sql "create table plain ($columns); insert into plain select s, $values from generate_series(1, $entries) s;
       alter table plain add primary key (seq); $(indexes plain)"
  sql "create table parted ($columns, primary key (seq)) partition by range (seq);
       create table parted_1 ($columns); insert into parted_1 select s, $values from generate_series(1, $entries) s;
       alter table parted_1 add primary key (seq); $(indexes parted_1)
       alter table parted attach partition parted_1 for values from (minvalue) to ($((entries + 1)));
       $(indexes parted)
       create table parted_next partition of parted for values from ($((entries + 1))) to ($((entries + 1 + 4194304)))"
  sql "vacuum analyze"
fi
sql "create sequence if not exists plain_appended start $((entries + 1)); create sequence if not exists parted_appended start $((entries + 1))"
# Each round appends where that trail ends, so both grow alike (alternating rounds add the same order of rows to each).
for target in plain parted; do
  cat > "/tmp/optout-append-$target.sql" <<SQL
insert into $target select s, $values from (select nextval('${target}_appended') s from generate_series(1, 8)) n;
SQL
  chmod 644 "/tmp/optout-append-$target.sql"
done
for round in 1 2; do
  for target in plain parted; do
    before=$(sql "select last_value from ${target}_appended")
    sql "checkpoint; select pg_stat_reset_shared('wal')" >/dev/null
    tps=$(as_pg "pgbench -n -c 16 -j 2 -T $seconds -f /tmp/optout-append-$target.sql $db" | awk '/^tps/ {printf "%d", $3}')
    read -r wal fpi written <<<"$(sql "select wal_bytes, wal_fpi, (select last_value - $before from ${target}_appended) from pg_stat_wal" | tr '|' ' ')"
    echo "round $round, $target: $tps batches/s ($((tps * 8)) entries/s); per entry $((wal / written)) bytes of WAL, $(awk "BEGIN {printf \"%.3f\", $fpi / $written}") full-page images"
  done
done
