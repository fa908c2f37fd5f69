#!/usr/bin/env bash
# What locating the patient map's nodes by version buys its writes, in PostgreSQL alone: merges of the map (statements
# of 5,000 new nodes with the map's own columns, as PatientMapStore.Insert writes them) into
#   byhash:    a map already holding N nodes, keyed by hash (the layout before versions), against
#   byversion: the same N nodes keyed by (version, hash), each merge's nodes under a new, higher version;
# one writer (the sequencer is one), alternating, each round after a CHECKPOINT, with pgbench. Reports nodes/s, and WAL
# bytes and full-page images per node from pg_stat_wal.
# Usage: benchmarks/log/map-layout.sh [nodes already in the map, default 14000000] [seconds per round, default 30]
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes="${1:-14000000}"
seconds="${2:-30}"
db=optout_map_bench
infra/optout servers >/dev/null
as_pg() { su postgres -c "$*"; }
sql() { as_pg "psql -X -q -v ON_ERROR_STOP=1 -d $db -Atc \"$1\""; }
columns="hash bytea NOT NULL, depth smallint NOT NULL, key bytea NOT NULL, left_hash bytea, right_hash bytea, entries bigint,
  head bytea, left_version bigint, right_version bigint"
# A node shaped like a branch: its hash, a key under it, two children's hashes (SHA-256s, so random), their versions.
node="sha256(int8send(n)), (n % 40)::smallint, sha256(int8send(-n)), sha256(int8send(n + 1)), sha256(int8send(n + 2)), null::bigint, null::bytea"
if [ "$(as_pg "psql -Atc \"select count(*) from pg_database where datname = '$db'\"")" = 0 ] ||
   [ "$(sql "select coalesce((select reltuples::bigint from pg_class where relname = 'byhash'), 0)")" -lt "$((nodes * 9 / 10))" ]; then
  echo "making two maps of $nodes nodes (once)"
  as_pg "dropdb --if-exists $db; createdb $db"
  sql "create table byhash ($columns); insert into byhash select $node, null, null from generate_series(1, $nodes) n;
       alter table byhash add primary key (hash)"
  sql "create table byversion (version bigint NOT NULL, $columns);
       insert into byversion select n / 5000, $node, n / 5000, n / 5000 from generate_series(1, $nodes) n;
       alter table byversion add primary key (version, hash)"
  sql "vacuum analyze"
fi
sql "create sequence if not exists byhash_node start $((nodes + 1)); create sequence if not exists byversion_node start $((nodes + 1));
     create sequence if not exists byversion_version start $((nodes / 5000 + 1))"
cat > /tmp/optout-merge-byhash.sql <<SQL
insert into byhash select $node, null, null from (select nextval('byhash_node') n from generate_series(1, 5000)) s on conflict do nothing;
SQL
cat > /tmp/optout-merge-byversion.sql <<SQL
insert into byversion select v, $node, v - 1, v - 1
from (select nextval('byversion_version') v) version, (select nextval('byversion_node') n from generate_series(1, 5000)) s on conflict do nothing;
SQL
chmod 644 /tmp/optout-merge-by*.sql
for round in 1 2; do
  for target in byhash byversion; do
    before=$(sql "select last_value from ${target}_node")
    sql "checkpoint; select pg_stat_reset_shared('wal')" >/dev/null
    tps=$(as_pg "pgbench -n -c 1 -T $seconds -f /tmp/optout-merge-$target.sql $db" | awk '/^tps/ {printf "%.2f", $3}')
    read -r wal fpi written <<<"$(sql "select wal_bytes, wal_fpi, (select last_value - $before from ${target}_node) from pg_stat_wal" | tr '|' ' ')"
    echo "round $round, $target: $(awk "BEGIN {printf \"%d\", $tps * 5000}") nodes/s ($tps merges of 5,000/s); per node $((wal / written)) bytes of WAL, $(awk "BEGIN {printf \"%.3f\", $fpi / $written}") full-page images"
  done
done
