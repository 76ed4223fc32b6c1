-- 0002-feeds.sql -- local copies of downloaded threat feeds.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.
--
-- Feed rows keep the upstream ids and snake_case column names (they are
-- returned as a source's `data`).  Timestamps are TIMESTAMP(3) holding UTC.
--
-- Lookups:
--   * exact URL/IOC match: a hash index, which, unlike a b-tree, accepts
--     values of any length (feed URLs may exceed the b-tree entry limit);
--   * host or other substring match (url ILIKE '%' || $1 || '%'): a pg_trgm
--     GIN index.  pg_trgm is trusted and ships with postgresql-15 on Debian;
--     when it is not available the trigram indexes are skipped and substring
--     lookups fall back to a sequential scan (same results, slower).

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    ELSE
        RAISE WARNING 'pg_trgm is not available: feed substring lookups will not be indexed';
    END IF;
END;
$$;

-- ---------------------------------------------------------------------------
-- URLhaus (abuse.ch), https://urlhaus.abuse.ch/downloads/csv/
-- ---------------------------------------------------------------------------

CREATE TABLE url_haus (
    id           BIGINT PRIMARY KEY,
    created_at   TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    dateadded    TIMESTAMP(3) NOT NULL,
    url          TEXT NOT NULL,
    url_status   TEXT NOT NULL,
    last_online  TIMESTAMP(3) NULL,
    threat       TEXT NOT NULL,
    tags         TEXT NULL,
    urlhaus_link TEXT NOT NULL,
    reporter     TEXT NOT NULL
);

COMMENT ON TABLE url_haus IS 'URLhaus CSV dump; id is the URLhaus id';
COMMENT ON COLUMN url_haus.tags IS 'raw CSV cell (comma-separated tags)';

CREATE INDEX url_haus_url_hash_idx ON url_haus USING hash (url);

CREATE TABLE url_haus_refreshes (
    id               INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refreshed_at     TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    response_headers TEXT NOT NULL DEFAULT ''
);

COMMENT ON COLUMN url_haus_refreshes.response_headers IS 'HTTP response headers of the download, one "name: value" per line';

-- ---------------------------------------------------------------------------
-- PhishTank (Cisco Talos), http://data.phishtank.com/data/online-valid.json.gz
-- ---------------------------------------------------------------------------

CREATE TABLE phishtank (
    phish_id          BIGINT PRIMARY KEY,
    created_at        TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    phish_detail_url  TEXT NOT NULL,
    url               TEXT NOT NULL,
    submission_time   TIMESTAMP(3) NOT NULL,
    verification_time TIMESTAMP(3) NOT NULL,
    target            TEXT NOT NULL,
    details           JSONB NOT NULL DEFAULT '[]'
);

COMMENT ON TABLE phishtank IS 'PhishTank online-valid dump; phish_id is the PhishTank id';
COMMENT ON COLUMN phishtank.details IS 'the entry''s details array, as JSON';

CREATE INDEX phishtank_url_hash_idx ON phishtank USING hash (url);

CREATE TABLE phishtank_refreshes (
    id               INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refreshed_at     TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    response_headers TEXT NOT NULL DEFAULT ''
);

-- ---------------------------------------------------------------------------
-- OpenPhish community feed, https://openphish.com/feed.txt (one URL a line)
-- ---------------------------------------------------------------------------

CREATE TABLE openphish (
    url        TEXT PRIMARY KEY,
    created_at TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),

    -- The b-tree primary key cannot hold entries over about 2700 bytes; the
    -- cap makes the limit deterministic.  The loader skips longer URLs.
    CONSTRAINT openphish_url_check CHECK (length(url) BETWEEN 1 AND 2048)
);

COMMENT ON TABLE openphish IS 'OpenPhish feed; the primary key serves exact URL lookups';

CREATE TABLE openphish_refreshes (
    id               INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refreshed_at     TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    response_headers TEXT NOT NULL DEFAULT ''
);

-- ---------------------------------------------------------------------------
-- ThreatFox (abuse.ch) export, https://threatfox.abuse.ch/export/
-- ---------------------------------------------------------------------------

CREATE TABLE threatfox (
    id                BIGINT PRIMARY KEY,
    ioc               TEXT NOT NULL,
    ioc_type          TEXT NOT NULL,
    threat_type       TEXT NOT NULL,
    malware           TEXT NOT NULL,
    malware_printable TEXT NOT NULL,
    confidence_level  INTEGER NOT NULL,
    first_seen        TIMESTAMP(3) NOT NULL,
    last_seen         TIMESTAMP(3) NULL,
    reference         TEXT NULL,
    tags              TEXT NULL,
    reporter          TEXT NULL,
    created_at        TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

COMMENT ON TABLE threatfox IS 'ThreatFox IOC export; id is the ThreatFox IOC id';
COMMENT ON COLUMN threatfox.ioc IS 'the indicator as ThreatFox writes it (ip:port, domain, url, md5_hash, sha256_hash, ...)';
COMMENT ON COLUMN threatfox.tags IS 'raw comma-separated tags';

CREATE INDEX threatfox_ioc_hash_idx ON threatfox USING hash (ioc);

CREATE TABLE threatfox_refreshes (
    id               INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refreshed_at     TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    response_headers TEXT NOT NULL DEFAULT ''
);

-- ---------------------------------------------------------------------------
-- Substring (host) lookups, when pg_trgm is installed.
-- ---------------------------------------------------------------------------

DO $$
DECLARE
    trgm_schema name;
BEGIN
    SELECT n.nspname INTO trgm_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    IF FOUND THEN
        -- The operator class is schema-qualified: pg_trgm may already have
        -- been installed in a schema that is not on the search_path.
        EXECUTE format('CREATE INDEX url_haus_url_trgm_idx'
            ' ON url_haus USING gin (url %I.gin_trgm_ops)', trgm_schema);
        EXECUTE format('CREATE INDEX phishtank_url_trgm_idx'
            ' ON phishtank USING gin (url %I.gin_trgm_ops)', trgm_schema);
        EXECUTE format('CREATE INDEX openphish_url_trgm_idx'
            ' ON openphish USING gin (url %I.gin_trgm_ops)', trgm_schema);
        EXECUTE format('CREATE INDEX threatfox_ioc_trgm_idx'
            ' ON threatfox USING gin (ioc %I.gin_trgm_ops)', trgm_schema);
    END IF;
END;
$$;
