-- 0007-feeds.sql -- what the feed loader (lib/feed.c) and the feed-backed
-- sources need beyond 0002-feeds.sql.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.
--
-- A feed is loaded into a new table made LIKE the live one, inside one
-- transaction that ends by swapping the two (feed_swap() below).  Every
-- statement is transactional, so a failed or killed load leaves nothing
-- behind: the new table disappears with its transaction and lookups
-- keep reading the previous feed until the commit.

-- ---------------------------------------------------------------------------
-- Host lookups.  feed_rhost() is the lowercased host of a URL, prefixed
-- with a dot and reversed: "http://www.Example.com/x" gives
-- "moc.elpmaxe.www.".  A domain and every name under it are then one
-- range of an index in "C" order: example.com is
--   rhost >= 'moc.elpmaxe.' AND rhost < 'moc.elpmaxe/'
-- (exact host and subdomains; the range cannot reach notexample.com).
-- An IP address is the exact value reverse('.' || ip).  IPv6 hosts lose
-- their brackets.
-- ---------------------------------------------------------------------------

CREATE FUNCTION feed_rhost(url text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN reverse('.' || lower(trim(BOTH '[]' FROM substring(url FROM
        '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^]/?#]*\]|[^/?#:]*)'))));

COMMENT ON FUNCTION feed_rhost(text) IS 'reversed ".host" of a URL, for index range scans of a domain and its subdomains';

-- These replace the trigram indexes of 0002: nothing searches feed URLs
-- by substring any more (a host match is exact or by domain), and
-- rebuilding a GIN trigram index was most of the time of every refresh.
DROP INDEX IF EXISTS url_haus_url_trgm_idx;
DROP INDEX IF EXISTS phishtank_url_trgm_idx;
DROP INDEX IF EXISTS openphish_url_trgm_idx;
DROP INDEX IF EXISTS threatfox_ioc_trgm_idx;

CREATE INDEX url_haus_rhost_idx ON url_haus ((feed_rhost(url)) COLLATE "C");
CREATE INDEX phishtank_rhost_idx ON phishtank ((feed_rhost(url)) COLLATE "C");
CREATE INDEX openphish_rhost_idx ON openphish ((feed_rhost(url)) COLLATE "C");

-- ThreatFox writes network IOCs as "ip:port" (IPv6 "[addr]:port"); the
-- host part is indexed for IP lookups.
CREATE FUNCTION feed_ioc_host(ioc text, ioc_type text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN ioc_type = 'ip:port'
        THEN lower(trim(BOTH '[]' FROM regexp_replace(ioc, ':[0-9]+$', '')))
        END;

CREATE INDEX threatfox_ioc_host_idx ON threatfox (feed_ioc_host(ioc, ioc_type))
    WHERE ioc_type = 'ip:port';
CREATE INDEX threatfox_rhost_idx ON threatfox ((feed_rhost(ioc)) COLLATE "C")
    WHERE ioc_type = 'url';
CREATE INDEX threatfox_domain_idx ON threatfox (lower(ioc))
    WHERE ioc_type = 'domain';

-- ---------------------------------------------------------------------------
-- What a refresh loaded (the row is written by the same transaction as
-- the swap, so it exists only for a feed that is live).
-- ---------------------------------------------------------------------------

ALTER TABLE url_haus_refreshes ADD COLUMN rows BIGINT NULL;
ALTER TABLE url_haus_refreshes ADD COLUMN bytes BIGINT NULL;
ALTER TABLE url_haus_refreshes ADD COLUMN skipped BIGINT NULL;
ALTER TABLE phishtank_refreshes ADD COLUMN rows BIGINT NULL;
ALTER TABLE phishtank_refreshes ADD COLUMN bytes BIGINT NULL;
ALTER TABLE phishtank_refreshes ADD COLUMN skipped BIGINT NULL;
ALTER TABLE openphish_refreshes ADD COLUMN rows BIGINT NULL;
ALTER TABLE openphish_refreshes ADD COLUMN bytes BIGINT NULL;
ALTER TABLE openphish_refreshes ADD COLUMN skipped BIGINT NULL;
ALTER TABLE threatfox_refreshes ADD COLUMN rows BIGINT NULL;
ALTER TABLE threatfox_refreshes ADD COLUMN bytes BIGINT NULL;
ALTER TABLE threatfox_refreshes ADD COLUMN skipped BIGINT NULL;

COMMENT ON COLUMN url_haus_refreshes.rows IS 'rows now in the feed table';
COMMENT ON COLUMN url_haus_refreshes.skipped IS 'records of the download that did not parse';

-- ---------------------------------------------------------------------------
-- The swap.  feed_prepare(live) creates "<live>_new_<random>" LIKE the
-- live table, without its indexes (a bulk load then one index build is
-- faster than maintaining them row by row), and returns its name.
-- feed_swap(live, new) builds on the new table every index and unique
-- constraint the live table has (read from the catalogue, so an index a
-- later migration adds follows the data), drops duplicate keys (the
-- last record wins; it returns how many), analyzes it, drops the live table and renames the
-- new one and its indexes into place.  Both run inside the loader's
-- transaction; the ACCESS EXCLUSIVE lock on the live table is held only
-- from the drop to the commit.
-- ---------------------------------------------------------------------------

CREATE FUNCTION feed_prepare(live text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    nt text := live || '_new_' || substr(md5(random()::text ||
        clock_timestamp()::text), 1, 12);
BEGIN
    IF live NOT IN ('url_haus', 'phishtank', 'openphish', 'threatfox') THEN
        RAISE EXCEPTION 'not a feed table: %', live;
    END IF;
    -- One load of a table at a time (the scheduler already runs a task
    -- on one host at a time; this holds for any other caller too).
    IF NOT pg_try_advisory_xact_lock(hashtext('iocagg feed'),
                                     hashtext(live)) THEN
        RAISE EXCEPTION 'another load of % is running', live;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS'
        ' INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE)',
        nt, live);
    RETURN nt;
END;
$$;

CREATE FUNCTION feed_swap(live text, nt text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    r     record;
    sfx   text := substr(md5(nt), 1, 8);
    tmp   text;
    cond  text;
    names text[] := '{}';
    tmps  text[] := '{}';
    cons  boolean[] := '{}';
    n     bigint;
    dropped bigint := 0;
    i     int;
BEGIN
    IF live NOT IN ('url_haus', 'phishtank', 'openphish', 'threatfox') OR
       nt NOT LIKE live || '\_new\_%' THEN
        RAISE EXCEPTION 'not a feed table: % / %', live, nt;
    END IF;
    FOR r IN
        SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS def,
               k.oid AS con, k.contype, k.conkey
          FROM pg_index x
          JOIN pg_class c ON c.oid = x.indexrelid
          LEFT JOIN pg_constraint k ON k.conindid = x.indexrelid
                                   AND k.conrelid = x.indrelid
         WHERE x.indrelid = live::regclass
         ORDER BY k.contype NULLS LAST, c.relname
    LOOP
        tmp := left(r.name, 50) || '_' || sfx;
        IF r.con IS NOT NULL THEN
            BEGIN
                EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', nt,
                    tmp, pg_get_constraintdef(r.con));
            EXCEPTION WHEN unique_violation THEN
                -- Duplicate keys: the last record wins.
                SELECT string_agg(format('a.%1$I = b.%1$I', a.attname),
                       ' AND ')
                  INTO cond
                  FROM pg_attribute a
                 WHERE a.attrelid = live::regclass
                   AND a.attnum = ANY (r.conkey);
                EXECUTE format('DELETE FROM %I a USING %I b WHERE %s'
                    ' AND a.ctid < b.ctid', nt, nt, cond);
                GET DIAGNOSTICS n = ROW_COUNT;
                dropped := dropped + n;
                EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', nt,
                    tmp, pg_get_constraintdef(r.con));
            END;
        ELSE
            EXECUTE format('CREATE %sINDEX %I ON %I USING %s',
                CASE WHEN r.def LIKE 'CREATE UNIQUE %' THEN 'UNIQUE ' ELSE '' END,
                tmp, nt, substring(r.def FROM ' USING (.*)$'));
        END IF;
        names := names || r.name::text;
        tmps := tmps || tmp;
        cons := cons || (r.con IS NOT NULL);
    END LOOP;
    EXECUTE format('ANALYZE %I', nt);
    EXECUTE format('DROP TABLE %I', live);
    EXECUTE format('ALTER TABLE %I RENAME TO %I', nt, live);
    FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
        IF cons[i] THEN
            EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I',
                live, tmps[i], names[i]);
        ELSE
            EXECUTE format('ALTER INDEX %I RENAME TO %I', tmps[i], names[i]);
        END IF;
    END LOOP;
    RETURN dropped;
END;
$$;

COMMENT ON FUNCTION feed_prepare(text) IS 'feed loader: an empty copy of a feed table to COPY into';
COMMENT ON FUNCTION feed_swap(text, text) IS 'feed loader: index the loaded copy and put it in place of the live table';

-- ---------------------------------------------------------------------------
-- Sources.  The feed tasks run where the scheduler finds them enabled;
-- the APIs of URLhaus and ThreatFox want an Auth-Key (optional: without
-- one the source answers from its local feed only).
-- ---------------------------------------------------------------------------

-- URLhaus answers from its feed without a key; the key (for the API,
-- after a feed miss, and for payload hashes) becomes optional.
UPDATE source_secrets SET required = FALSE
    WHERE name = 'URLHAUS_KEY'
      AND source_id IN (SELECT id FROM sources WHERE builtin = 'urlhaus');
UPDATE sources SET task_enabled = TRUE, task_interval = 43200
    WHERE builtin = 'openphish' AND task_interval IS NULL;
UPDATE sources SET task_enabled = TRUE, task_interval = 3600
    WHERE builtin = 'threatfox' AND task_interval IS NULL;
UPDATE sources SET supported_indicators = '{MD5,SHA1,SHA256,URL,IPV4,IPV6,DOMAIN}'
    WHERE builtin = 'threatfox';
INSERT INTO source_secrets (name, description, required, source_id,
    created_user_id)
    SELECT 'THREATFOX_KEY', 'Auth-Key (abuse.ch)', false, s.id, s.created_user_id
    FROM sources s WHERE s.builtin = 'threatfox'
      AND NOT EXISTS (SELECT 1 FROM source_secrets x
                       WHERE x.source_id = s.id AND x.name = 'THREATFOX_KEY');
-- PhishTank's application key, optional: with one the dump is fetched
-- from .../data/<key>/online-valid.json.gz (higher download limits).
INSERT INTO source_secrets (name, description, required, source_id,
    created_user_id)
    SELECT 'PHISHTANK_KEY', 'Application key (optional)', false, s.id,
           s.created_user_id
    FROM sources s WHERE s.builtin = 'phishtank'
      AND NOT EXISTS (SELECT 1 FROM source_secrets x
                       WHERE x.source_id = s.id AND x.name = 'PHISHTANK_KEY');
