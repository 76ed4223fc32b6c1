-- 0011-perf.sql -- what lets the lookup engine keep the part of its
-- candidate query that does not depend on the indicator (sources,
-- providers, their secrets, the runner settings) in each process.
--
-- Every statement that changes one of the tables that part reads adds a
-- row here, in its own transaction.  A process remembers the snapshot
-- its copy was read in; before each lookup it asks, in the lookup's own
-- snapshot, whether a row exists that this snapshot sees and the
-- remembered one did not.  That is exact: a change is seen as soon as
-- it is committed, however the commits interleave, and nothing takes a
-- lock that writers would wait on.  See lib/lookup.c (load_candidates).

CREATE TABLE lookup_config_changes (
    xid        XID8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

COMMENT ON TABLE lookup_config_changes IS 'One row per statement that changed sources, providers, secrets, source_secrets or server_config (lookup candidate cache)';

CREATE INDEX lookup_config_changes_xid_idx ON lookup_config_changes (xid);

-- Rows older than a day are dropped: a process rereads its copy at
-- least every minute whatever this table says.  Rows another writer is
-- dropping are skipped, so two writers never wait on each other here.
CREATE FUNCTION lookup_config_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lookup_config_changes DEFAULT VALUES;
    DELETE FROM lookup_config_changes WHERE ctid IN (
        SELECT ctid FROM lookup_config_changes
        WHERE changed_at < (now() AT TIME ZONE 'utc') - interval '1 day'
        FOR UPDATE SKIP LOCKED);
    RETURN NULL;
END
$$;

CREATE TRIGGER sources_lookup_config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sources
    FOR EACH STATEMENT EXECUTE FUNCTION lookup_config_changed();
CREATE TRIGGER providers_lookup_config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON providers
    FOR EACH STATEMENT EXECUTE FUNCTION lookup_config_changed();
CREATE TRIGGER secrets_lookup_config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON secrets
    FOR EACH STATEMENT EXECUTE FUNCTION lookup_config_changed();
CREATE TRIGGER source_secrets_lookup_config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON source_secrets
    FOR EACH STATEMENT EXECUTE FUNCTION lookup_config_changed();
CREATE TRIGGER server_config_lookup_config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON server_config
    FOR EACH STATEMENT EXECUTE FUNCTION lookup_config_changed();

INSERT INTO lookup_config_changes DEFAULT VALUES;

-- The start of a lookup, in one round trip: what it needs that depends
-- on the indicator, whether the copy read in snapshot "p_snap" (NULL:
-- none) is still current, and its requests row.
--
-- "stale": a change that this statement's snapshot sees was not seen in
-- "p_snap".  "lists": the enabled ignore lists that hold the indicator,
-- by name, with the sources and providers they are linked to (NULL:
-- none); a DOMAIN entry matches the host itself ("p_hosts" holds it), a
-- suffix entry the host or any parent domain ("p_suffixes"), a network
-- the IP address.  "recorded": the requests row was written, which it
-- is only when every id of "p_ids" (NULL: all sources) is a source; the
-- caller checks the ids against its copy and writes or deletes the row
-- itself in the rare case its copy says otherwise.
--
-- It is a PL/pgSQL function so that the plan of the ignore-list match is
-- made once per connection: as a statement it was planned anew on every
-- lookup, which cost more than running it.  Every branch stays
-- index-backed (docs/benchmarks.md, "Ignore lists").
CREATE FUNCTION lookup_begin(p_kind TEXT, p_data TEXT, p_hosts TEXT[],
    p_suffixes TEXT[], p_ip INET, p_snap PG_SNAPSHOT, p_ids TEXT[],
    p_request_id TEXT, p_trace_id TEXT, p_user_id TEXT,
    OUT stale BOOLEAN, OUT lists JSON, OUT recorded BOOLEAN)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    WITH hits AS (
        SELECT DISTINCT e.ignore_list_id FROM ignore_list_entries e
        WHERE (e.indicator_kind = p_kind AND e.data = p_data)
        OR (e.indicator_kind = 'DOMAIN' AND e.data = ANY (p_hosts))
        OR (e.suffix = ANY (p_suffixes))
        OR e.net >>= p_ip)
    SELECT p_snap IS NULL OR EXISTS (SELECT 1 FROM lookup_config_changes c
            WHERE c.xid >= pg_snapshot_xmin(p_snap)
            AND NOT pg_visible_in_snapshot(c.xid, p_snap)),
        (SELECT json_agg(json_build_object('name', l.name,
            'global', l.global,
            'sources', (SELECT json_agg(x.source_id)
                FROM source_ignore_lists x WHERE x.ignore_list_id = l.id),
            'providers', (SELECT json_agg(y.source_provider_id)
                FROM provider_ignore_lists y WHERE y.ignore_list_id = l.id))
            ORDER BY l.name)
        FROM ignore_lists l JOIN hits h ON h.ignore_list_id = l.id
        WHERE l.enabled),
        p_ids IS NULL OR NOT EXISTS (SELECT 1 FROM unnest(p_ids) i
            WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = i))
    INTO stale, lists, recorded;
    IF recorded THEN
        INSERT INTO requests (id, data, kind, trace_id, user_id)
            VALUES (p_request_id, p_data, p_kind, p_trace_id, p_user_id);
    END IF;
END
$$;
