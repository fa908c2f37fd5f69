namespace OptOut.Audit;

public sealed partial class AuditSchema
{
    private string Map => $"{names.Schema}.audit_map";

    /// <summary>
    /// A patient map stored before nodes carried versions (keyed by hash alone, so every merge inserted its ~7 rows a
    /// patient at random places in a 3 GB index) becomes version 0 of the versioned layout: its rows stay as they are,
    /// a missing child version reads as 0, and only the primary key is rebuilt, once. Like the partitioning of the
    /// entries, it needs the table's owner: `infra/optout` hands a map from before back to the service's role for it.
    /// </summary>
    private string MapByVersion => $"""
        IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '{Map}'::regclass AND attname = 'version' AND NOT attisdropped) THEN
          IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = '{Map}'::regclass), 'USAGE') THEN
            RAISE EXCEPTION 'The patient map {Map} predates versioned nodes and belongs to another role: run infra/optout, which hands it to the service for the move';
          END IF;
          ALTER TABLE {Map} ADD COLUMN version bigint NOT NULL DEFAULT 0, ADD COLUMN left_version bigint, ADD COLUMN right_version bigint;
          ALTER TABLE {Map} ALTER COLUMN version DROP DEFAULT;
          ALTER TABLE {Map} DROP CONSTRAINT audit_map_pkey, ADD PRIMARY KEY (version, hash);
          RAISE NOTICE 'patient map: the nodes stored before versions are version 0';
        END IF;
        """;
}
