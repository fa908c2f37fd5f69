-- The audit tables belong to a role nobody logs in as: the service's own role (psql variable service_role) may only
-- read and append. Run by `infra/optout` as a superuser after the service has made its schema; safe to run again.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'optout_audit_owner') THEN CREATE ROLE optout_audit_owner NOLOGIN; END IF;
END $$;
SELECT set_config('optout.service_role', :'service_role', false) \g /dev/null

-- The owner makes the trail's partitions (optout.audit_entries_extend runs as it), and owns every one.
GRANT USAGE, CREATE ON SCHEMA optout TO optout_audit_owner;
ALTER FUNCTION optout.audit_entries_extend(bigint, bigint) OWNER TO optout_audit_owner;
DO $$ DECLARE p regclass; BEGIN
  FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'optout.audit_entries'::regclass LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO optout_audit_owner', p);
    EXECUTE format('REVOKE ALL ON %s FROM %I', p, current_setting('optout.service_role'));
  END LOOP;
END $$;
ALTER TABLE optout.audit_entries OWNER TO optout_audit_owner;
ALTER TABLE optout.audit_checkpoints OWNER TO optout_audit_owner;
ALTER TABLE optout.audit_tree OWNER TO optout_audit_owner;
ALTER TABLE optout.audit_log_checkpoints OWNER TO optout_audit_owner;
ALTER TABLE optout.audit_log_cosignatures OWNER TO optout_audit_owner;
ALTER TABLE optout.audit_map OWNER TO optout_audit_owner;
ALTER FUNCTION optout.audit_entries_are_append_only() OWNER TO optout_audit_owner;

-- The service's role owns the schema, and a schema's owner may drop any table in it: an event trigger (only a
-- superuser can make one, or drop it) refuses the drop of any audit table or partition, whoever asks.
CREATE SCHEMA IF NOT EXISTS optout_guard AUTHORIZATION optout_audit_owner;
CREATE OR REPLACE FUNCTION optout_guard.audit_tables_stay() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE dropped record;
BEGIN
  FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    IF dropped.schema_name = 'optout' AND dropped.object_type = 'table' AND dropped.object_name LIKE 'audit\_%'
       AND dropped.object_name <> 'audit_pending' THEN
      RAISE EXCEPTION 'audit tables are never dropped (%)', dropped.object_identity;
    END IF;
  END LOOP;
END $$;
ALTER FUNCTION optout_guard.audit_tables_stay() OWNER TO optout_audit_owner;
DROP EVENT TRIGGER IF EXISTS optout_audit_tables_stay;
CREATE EVENT TRIGGER optout_audit_tables_stay ON sql_drop EXECUTE FUNCTION optout_guard.audit_tables_stay();

REVOKE ALL ON optout.audit_entries, optout.audit_checkpoints, optout.audit_tree, optout.audit_log_checkpoints,
  optout.audit_log_cosignatures, optout.audit_map FROM :"service_role";
GRANT SELECT, INSERT ON optout.audit_entries, optout.audit_checkpoints, optout.audit_tree, optout.audit_log_checkpoints,
  optout.audit_log_cosignatures, optout.audit_map TO :"service_role";
