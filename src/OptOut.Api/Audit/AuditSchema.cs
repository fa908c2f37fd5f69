using Npgsql;
using OptOut.EventStore;

namespace OptOut.Audit;

/// <summary>
/// The audit table lives beside Marten's, created here when missing. A trigger refuses UPDATE, DELETE and
/// TRUNCATE for everyone, and `infra/optout` hands the table to a role the service cannot log in as, so
/// the service's own role can only append and read.
/// </summary>
public sealed partial class AuditSchema(NpgsqlDataSource database, EventStoreNames names)
{
    public string Table => $"{names.Schema}.audit_entries";

    /// <summary>
    /// Audit records of changes, written in the change's own transaction and moved into the chain right after, so no
    /// committed change can lack its entry: a crash in between leaves the record here for the next chaining to take.
    /// </summary>
    public string Pending => $"{names.Schema}.audit_pending";

    public string Events => names.Events;

    public async Task EnsureAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            DO $$
            BEGIN
              -- One instance at a time: two starting together must not both move a trail into partitions.
              PERFORM pg_advisory_xact_lock({ExtendLock});
              IF to_regclass('{Table}') IS NULL THEN
                CREATE SCHEMA IF NOT EXISTS {names.Schema};
                CREATE FUNCTION {names.Schema}.audit_entries_are_append_only() RETURNS trigger LANGUAGE plpgsql AS
                  'BEGIN RAISE EXCEPTION ''audit entries are append-only''; END';
                {EntriesTable}
                CREATE TABLE {names.Schema}.audit_checkpoints (
                  from_seq bigint PRIMARY KEY,
                  to_seq bigint NOT NULL,
                  merkle_root text NOT NULL,
                  head_hash text NOT NULL,
                  signed_at timestamptz NOT NULL,
                  signature text NOT NULL);
                CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON {names.Schema}.audit_checkpoints
                  FOR EACH ROW EXECUTE FUNCTION {names.Schema}.audit_entries_are_append_only();
              ELSIF (SELECT relkind FROM pg_class WHERE oid = '{Table}'::regclass) = 'r'
                AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = '{Table}'::regclass), 'USAGE') THEN
                {Partitioning}
              END IF;
              {Extend}
              CREATE TABLE IF NOT EXISTS {Pending} (
                id bigserial PRIMARY KEY,
                record jsonb NOT NULL,
                event_ids uuid[] NOT NULL);
              -- The events' streams: chaining finds their sequences through the stream index (mt_events has none on id).
              ALTER TABLE {Pending} ADD COLUMN IF NOT EXISTS stream_ids text[] NOT NULL DEFAULT ARRAY[]::text[];
              -- The transparency log (Transparency/LogTree): complete subtrees of 2^8, 2^16, ... entries, and the
              -- signed checkpoints. Append-only like the entries: a node or a checkpoint, once written, is never changed.
              CREATE TABLE IF NOT EXISTS {names.Schema}.audit_tree (
                level smallint NOT NULL,
                index bigint NOT NULL,
                hash bytea NOT NULL,
                PRIMARY KEY (level, index));
              CREATE TABLE IF NOT EXISTS {names.Schema}.audit_log_checkpoints (
                size bigint PRIMARY KEY,
                root bytea NOT NULL,
                note text NOT NULL,
                signed_at timestamptz NOT NULL);
              CREATE TABLE IF NOT EXISTS {names.Schema}.audit_log_cosignatures (
                size bigint NOT NULL,
                witness text NOT NULL,
                line text NOT NULL,
                received_at timestamptz NOT NULL,
                PRIMARY KEY (size, witness));
              -- The patient map (Transparency/PatientMapStore): a node is found by the map version that made it and its
              -- hash, and a branch names its children's versions, so a new version only appends rows at the end of the
              -- key. Depth 256 is a leaf (key, entries, head); less, a branch (a key under it, two children).
              CREATE TABLE IF NOT EXISTS {names.Schema}.audit_map (
                version bigint NOT NULL,
                hash bytea NOT NULL,
                depth smallint NOT NULL,
                key bytea NOT NULL,
                left_hash bytea,
                right_hash bytea,
                entries bigint,
                head bytea,
                left_version bigint,
                right_version bigint,
                PRIMARY KEY (version, hash));
              {MapByVersion}
              -- Only when missing: once `infra/optout` has handed these tables to the audit owner, the service's role
              -- may not touch their triggers (nor should it).
              {string.Concat(LogTables.Select(AppendOnly))}
            END $$;
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The transparency log's tables: append-only like the entries.</summary>
    private static readonly string[] LogTables = ["audit_tree", "audit_log_checkpoints", "audit_log_cosignatures", "audit_map"];

    /// <summary>The append-only trigger of one of the log's tables, created only when it is missing (see above).</summary>
    private string AppendOnly(string table) =>
        $"""
         IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{table}_append_only' AND tgrelid = '{names.Schema}.{table}'::regclass) THEN
           CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {names.Schema}.{table}
             FOR EACH ROW EXECUTE FUNCTION {names.Schema}.audit_entries_are_append_only();
         END IF;

         """;
}
