namespace OptOut.Audit;

/// <summary>
/// The entries are partitioned by sequence range, so the indexes being written (above all the per-patient one,
/// whose inserts land at random) belong to the newest partition and stay small enough to live in memory however long
/// the trail grows; older partitions are only read. Partitions are made ahead of the chain by
/// <see cref="ExtendFunction"/>, which runs as the tables' owner, so the service's own role never needs to own them.
/// </summary>
public sealed partial class AuditSchema
{
    /// <summary>
    /// Makes partitions of `width` entries until they reach `ahead` entries past the newest entry; returns the first
    /// sequence without a partition. Bounds both, so no caller can make more than 64 tables ahead of the trail.
    /// </summary>
    public string ExtendFunction => $"{names.Schema}.audit_entries_extend";

    /// <summary>The advisory lock that lets one caller at a time make partitions ("OptOutPa").</summary>
    private const long ExtendLock = 0x4F70744F75745061;

    // The parent with its indexes and guards: its indexes and row trigger are cloned onto every partition, and a
    // partition attached with matching indexes keeps them (so the migration below rebuilds nothing).
    private string EntriesTable => $"""
        CREATE TABLE {Table} (
          seq bigint PRIMARY KEY,
          recorded_at timestamptz NOT NULL,
          kind text NOT NULL,
          action text NOT NULL,
          actor text NOT NULL,
          actor_role text NOT NULL,
          nhs_number text,
          purpose text,
          outcome int NOT NULL,
          request_id text NOT NULL,
          details text NOT NULL,
          prev_hash text NOT NULL,
          hash text NOT NULL) PARTITION BY RANGE (seq);
        CREATE INDEX audit_entries_nhs_number ON {Table} (nhs_number, seq);
        CREATE INDEX audit_entries_recorded_at ON {Table} (recorded_at);
        -- A change's reference, as staff search by it (details is always a JSON object, so the cast never fails).
        CREATE INDEX audit_entries_reference ON {Table} ((details::jsonb ->> 'reference')) WHERE kind = 'change';
        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON {Table}
          FOR EACH ROW EXECUTE FUNCTION {names.Schema}.audit_entries_are_append_only();
        CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON {Table}
          FOR EACH STATEMENT EXECUTE FUNCTION {names.Schema}.audit_entries_are_append_only();
        """;

    // A trail written before partitioning becomes the first partition as it is, in one transaction: renamed with its
    // indexes (kept), its row guard replaced by the parent's clone, its truncate guard kept (those are not cloned).
    // Attaching checks every row against the range once; nothing is rewritten.
    private string Partitioning => $"""
        ALTER TABLE {Table} RENAME TO audit_entries_1;
        ALTER TABLE {names.Schema}.audit_entries_1 RENAME CONSTRAINT audit_entries_pkey TO audit_entries_1_pkey;
        ALTER INDEX {names.Schema}.audit_entries_nhs_number RENAME TO audit_entries_1_nhs_number;
        ALTER INDEX {names.Schema}.audit_entries_recorded_at RENAME TO audit_entries_1_recorded_at;
        ALTER INDEX IF EXISTS {names.Schema}.audit_entries_reference RENAME TO audit_entries_1_reference;
        DROP TRIGGER audit_entries_append_only ON {names.Schema}.audit_entries_1;
        {EntriesTable}
        EXECUTE format('ALTER TABLE {Table} ATTACH PARTITION {names.Schema}.audit_entries_1 FOR VALUES FROM (MINVALUE) TO (%s)',
          (SELECT coalesce(max(seq), 0) + 1 FROM {names.Schema}.audit_entries_1));
        RAISE NOTICE 'audit entries partitioned: the existing trail is the first partition';
        """;

    // SECURITY DEFINER with a fixed search_path: it runs as the tables' owner, and does only this.
    private string Extend => $$"""
        IF to_regprocedure('{{ExtendFunction}}(bigint, bigint)') IS NULL THEN
          CREATE FUNCTION {{ExtendFunction}}(ahead bigint, width bigint) RETURNS bigint
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $extend$
          DECLARE
            last_end bigint;
            goal bigint;
            part text;
          BEGIN
            IF width NOT BETWEEN 1024 AND 67108864 OR ahead NOT BETWEEN 0 AND 65536 THEN
              RAISE EXCEPTION 'partition width % or reach % is out of range', width, ahead USING ERRCODE = '22023';
            END IF;
            IF (SELECT relkind FROM pg_class WHERE oid = '{{Table}}'::regclass) <> 'p' THEN
              RETURN 9223372036854775807; -- not partitioned (yet): every sequence has room
            END IF;
            PERFORM pg_advisory_xact_lock({{ExtendLock}});
            SELECT coalesce(max((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''(\d+)''\)'))[1]::bigint), 1)
              INTO last_end FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{{Table}}'::regclass;
            SELECT coalesce(max(seq), 0) + ahead INTO goal FROM {{Table}};
            WHILE last_end <= goal LOOP
              part := '{{names.Schema}}.audit_entries_' || last_end;
              -- Made apart and attached: attaching locks the parent against other attachments only, not readers or writers.
              EXECUTE format('CREATE TABLE %s (LIKE {{Table}})', part);
              EXECUTE format('ALTER TABLE %s ADD CHECK (seq >= %s AND seq < %s)', part, last_end, last_end + width);
              EXECUTE format('ALTER TABLE {{Table}} ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)', part, last_end, last_end + width);
              EXECUTE format('CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION {{names.Schema}}.audit_entries_are_append_only()', part);
              last_end := last_end + width;
            END LOOP;
            RETURN last_end;
          END $extend$;
        END IF;
        """;
}
