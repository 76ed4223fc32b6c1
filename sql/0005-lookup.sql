-- 0005-lookup.sql -- what the lookup engine needs beyond the reference
-- schema.

-- A source's implementation is named by "builtin" (NULL for user code),
-- not matched by its display name: renaming a source no longer loses
-- its implementation (a reference quirk).
ALTER TABLE sources ADD COLUMN builtin TEXT NULL;
ALTER TABLE sources ADD CONSTRAINT sources_builtin_check
    CHECK (builtin IS NULL OR builtin ~ '^[a-z][a-z0-9_]{0,62}$');
-- Per-source upstream timeout, seconds; NULL: the configured default.
ALTER TABLE sources ADD COLUMN timeout INTEGER NULL;
ALTER TABLE sources ADD CONSTRAINT sources_timeout_check
    CHECK (timeout IS NULL OR timeout BETWEEN 1 AND 600);
COMMENT ON COLUMN sources.builtin IS 'built-in implementation key (lib/sources/), NULL for Python/JavaScript sources';
COMMENT ON COLUMN sources.timeout IS 'seconds one upstream call may take; NULL: source_timeout from iocagg.conf';

UPDATE sources SET builtin = replace(slug, '-', '_') WHERE kind = 'system';

-- Ignore-list entries match three ways: exactly (same kind and data),
-- by network for IPV4/IPV6 entries written as CIDR ("10.0.0.0/8"), and by
-- domain suffix for DOMAIN entries written "*.example.com" (the domain
-- and every name under it, also as the host of a URL or e-mail).  The
-- derived columns keep every match index-backed.
ALTER TABLE ignore_list_entries ADD COLUMN suffix TEXT
    GENERATED ALWAYS AS (
        CASE WHEN indicator_kind = 'DOMAIN' AND data LIKE '*.%'
             THEN lower(substr(data, 3)) END) STORED;
ALTER TABLE ignore_list_entries ADD COLUMN net inet
    GENERATED ALWAYS AS (
        CASE WHEN indicator_kind IN ('IPV4', 'IPV6') AND strpos(data, '/') > 0
             THEN data::inet END) STORED;
CREATE INDEX ignore_list_entries_suffix_idx
    ON ignore_list_entries (suffix) WHERE suffix IS NOT NULL;
CREATE INDEX ignore_list_entries_net_idx
    ON ignore_list_entries USING gist (net inet_ops) WHERE net IS NOT NULL;

-- A source answered 429 with Retry-After: no call until "until".
CREATE UNLOGGED TABLE source_pauses (
    source_id TEXT PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    until     TIMESTAMP(3) NOT NULL
);
COMMENT ON TABLE source_pauses IS 'upstream 429 Retry-After pauses (when Redis is not used)';

-- Identical lookups in flight: the first caller of a (source, kind, data)
-- claims the key, the others wait for its result instead of calling the
-- source again.
CREATE UNLOGGED TABLE inflight (
    key        TEXT PRIMARY KEY,
    expires_at TIMESTAMP(3) NOT NULL,
    CONSTRAINT inflight_key_check CHECK (length(key) BETWEEN 1 AND 2048)
);
COMMENT ON TABLE inflight IS 'single-flight claims (when Redis is not used)';

-- URLhaus is answered by its lookup API (the local feed arrives with the
-- scheduler): it knows URLs, hosts and payload hashes, and abuse.ch now
-- requires an Auth-Key.
UPDATE sources SET supported_indicators =
    '{URL,DOMAIN,IPV4,IPV6,MD5,SHA256}'
    WHERE builtin = 'urlhaus';
INSERT INTO source_secrets (name, description, required, source_id,
    created_user_id)
    SELECT 'URLHAUS_KEY', 'API Key', true, s.id, s.created_user_id
    FROM sources s WHERE s.builtin = 'urlhaus';
