#!/usr/bin/env bash
# Inclusion proofs in a log of N entries (default 25 million), in the service's own code (`bench proofs`:
# LogProofService, 2,000 random entries, against reading one entry by sequence in the same run). The log is synthetic,
# made once in its own database: N entries with the trail's columns, partitioned by 4,194,304 as AuditSchema lays
# them out, and the stored subtrees of 2^8, 2^16 and 2^24 entries a sequencer would have written. The hashes are not a
# real tree's (nothing here verifies them), but every read a proof makes is the one it makes on a real log of that size.
# The per-patient and time indexes are left out: no proof reads them.
# Usage: benchmarks/log/proofs-at-scale.sh [entries, default 25000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
entries="${1:-25000000}"
db=optout_proofs_bench
partition=4194304
infra/optout servers >/dev/null
sql() { su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -d $db -Atc \"$1\""; }
if [ "$(su postgres -c "psql -Atc \"select count(*) from pg_database where datname = '$db'\"")" = 0 ] ||
   [ "$(sql "select coalesce((select max(size) from optout.audit_log_checkpoints), 0)")" != "$entries" ]; then
  echo "making a log of $entries entries (once)"
  su postgres -c "dropdb --if-exists $db; createdb $db"
  cat > /tmp/optout-proofs-at-scale.sql <<SQL
create schema optout;
create table optout.audit_entries (seq bigint not null, recorded_at timestamptz not null, kind text not null,
  action text not null, actor text not null, actor_role text not null, nhs_number text, purpose text,
  outcome int not null, request_id text not null, details text not null, prev_hash text not null, hash text not null,
  primary key (seq)) partition by range (seq);
do \$\$ begin
  for p in 0..$(( (entries - 1) / partition )) loop
    execute format('create table optout.audit_entries_%s partition of optout.audit_entries for values from (%s) to (%s)',
      p, p * $partition + 1, (p + 1) * $partition + 1);
  end loop;
end \$\$;
insert into optout.audit_entries select g, timestamptz '2026-01-01' + g * interval '10 ms', 'access',
  'GET /v1/opt-outs/{n}', 'bench', 'pipeline', (9000000000 + g % 999999999)::text, 'research', 200, md5(g::text), '{}',
  encode(sha256(int8send(g - 1)), 'hex'), encode(sha256(int8send(g)), 'hex') from generate_series(1, $entries) g;
create table optout.audit_tree (level smallint not null, index bigint not null, hash bytea not null, primary key (level, index));
insert into optout.audit_tree select l, i, sha256(int8send(i)) from unnest(array[8, 16, 24]) l,
  lateral generate_series(0, ($entries >> l) - 1) i;
create table optout.audit_log_checkpoints (size bigint primary key, root bytea not null, note text not null, signed_at timestamptz not null);
insert into optout.audit_log_checkpoints values ($entries, sha256('root'), 'synthetic', now());
create table optout.audit_log_cosignatures (size bigint not null, witness text not null, line text not null,
  received_at timestamptz not null, primary key (size, witness));
grant usage on schema optout to optout;
grant select on all tables in schema optout to optout;
vacuum analyze;
SQL
  chmod 644 /tmp/optout-proofs-at-scale.sql
  su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -d $db -f /tmp/optout-proofs-at-scale.sql"
fi
echo "$(sql "select pg_size_pretty(pg_total_relation_size('optout.audit_entries_0') * $(( (entries - 1) / partition + 1 )))") of entries (about), $(sql "select count(*) from optout.audit_tree") stored subtrees"
ConnectionStrings__Marten="Host=127.0.0.1;Port=5432;Database=$db;Username=optout;Password=optout" \
  dotnet run --project benchmarks/OptOut.Benchmarks -c Release -v q -- proofs
