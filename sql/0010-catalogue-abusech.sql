-- 0010-catalogue-abusech.sql -- local stores and seeds of the abuse.ch
-- (MalwareBazaar, Megatron), Google Safe Browsing and urlscan.io
-- sources (lib/sources/, docs/sources-abusech.md).
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.

-- ---------------------------------------------------------------------------
-- Megatron (abuse.ch): what its background task downloads, one row per
-- address; "entry" is the upstream entry as it came.
-- ---------------------------------------------------------------------------

CREATE TABLE megatron (
    ip          INET PRIMARY KEY,
    created_at  TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at  TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    first_seen  TIMESTAMP(3) NULL,
    last_seen   TIMESTAMP(3) NULL,
    entry       JSONB NOT NULL,

    CONSTRAINT megatron_entry_check CHECK (jsonb_typeof(entry) = 'object')
);

COMMENT ON TABLE megatron IS 'Megatron (abuse.ch) entries, upserted by the source''s task';
COMMENT ON COLUMN megatron.updated_at IS 'last download that listed the address (rows unseen for retention_days are dropped)';
COMMENT ON COLUMN megatron.entry IS 'the upstream entry, returned as the lookup''s data';

CREATE INDEX megatron_updated_at_idx ON megatron (updated_at);

CREATE TABLE megatron_refreshes (
    id           INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refreshed_at TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    entries      INTEGER NOT NULL DEFAULT 0,
    bytes        BIGINT NOT NULL DEFAULT 0
);

COMMENT ON TABLE megatron_refreshes IS 'successful Megatron downloads; none yet means lookups ask the API (mode auto)';

-- ---------------------------------------------------------------------------
-- Google Safe Browsing Update API v4: the client state of each list and
-- its hash prefixes (4 to 32 bytes).  Written by the task only, one
-- transaction per list, after the checksum matched.
-- ---------------------------------------------------------------------------

CREATE TABLE gsb_lists (
    threat_type       TEXT NOT NULL,
    platform_type     TEXT NOT NULL,
    threat_entry_type TEXT NOT NULL,
    state             TEXT NULL,
    prefixes          INTEGER NOT NULL DEFAULT 0,
    updated_at        TIMESTAMP(3) NULL,
    wait_until        TIMESTAMP(3) NULL,

    PRIMARY KEY (threat_type, platform_type, threat_entry_type),
    CONSTRAINT gsb_lists_names_check CHECK (
        threat_type ~ '^[A-Z_]{1,64}$' AND platform_type ~ '^[A-Z_]{1,64}$'
        AND threat_entry_type ~ '^[A-Z_]{1,64}$')
);

COMMENT ON TABLE gsb_lists IS 'Safe Browsing lists the update task keeps';
COMMENT ON COLUMN gsb_lists.state IS 'base64 client state from the last update; NULL: next update is a full one';
COMMENT ON COLUMN gsb_lists.wait_until IS 'minimumWaitDuration: no update request before this';

CREATE TABLE gsb_prefixes (
    threat_type       TEXT NOT NULL,
    platform_type     TEXT NOT NULL,
    threat_entry_type TEXT NOT NULL,
    prefix            BYTEA NOT NULL,

    PRIMARY KEY (threat_type, platform_type, threat_entry_type, prefix),
    FOREIGN KEY (threat_type, platform_type, threat_entry_type)
        REFERENCES gsb_lists (threat_type, platform_type, threat_entry_type)
        ON DELETE CASCADE,
    CONSTRAINT gsb_prefixes_prefix_check
        CHECK (octet_length(prefix) BETWEEN 4 AND 32)
);

COMMENT ON TABLE gsb_prefixes IS 'Safe Browsing hash prefixes (SHA-256 of URL expressions, truncated)';

-- Lookups join on the first four bytes of a full hash.
CREATE INDEX gsb_prefixes_head_idx
    ON gsb_prefixes ((substring(prefix FROM 1 FOR 4)));

-- ---------------------------------------------------------------------------
-- Seeds
-- ---------------------------------------------------------------------------

-- MalwareBazaar: abuse.ch's Auth-Key, optional here.
INSERT INTO source_secrets (name, description, required, source_id,
    created_user_id)
    SELECT 'MALWAREBAZAAR_KEY', 'abuse.ch Auth-Key', false, s.id,
        s.created_user_id
    FROM sources s WHERE s.builtin = 'malwarebazaar'
    ON CONFLICT (source_id, name) DO NOTHING;

-- The Update source keeps its store with a task (Google asks for no more
-- than one update per minimumWaitDuration, ~30 minutes); Megatron
-- downloads every 5 minutes, as seeded.
UPDATE sources SET task_enabled = TRUE, task_interval = 1800
    WHERE builtin = 'google_safe_browsing_update';
UPDATE sources SET task_enabled = TRUE,
    task_interval = coalesce(task_interval, 300)
    WHERE builtin = 'megatron';

-- Submit polls its scan for up to 25 s (within the lookup deadline).
UPDATE sources SET timeout = 25 WHERE builtin = 'urlscan_io_submit';

-- Every source whose secrets are all optional is on.
UPDATE sources SET enabled = TRUE
    WHERE builtin IN ('malwarebazaar', 'urlscan_io_search');

-- The settings each source reads (src_config_str/src_config_int),
-- described in "config" and given their default in "config_values",
-- where an administrator changes them.
UPDATE sources s SET config = v.config::jsonb,
                     config_values = v.config_values::jsonb
  FROM (VALUES
    ('megatron',
     '[{"name": "mode", "kind": "STRING", "defaultValue": "auto",
        "description": "local: answer from the downloaded table only; api: ask search_ip every time; auto: the table once a download succeeded, the API before"},
       {"name": "retention_days", "kind": "NUMBER", "defaultValue": 30,
        "description": "days an address stays in the table after the last download that listed it (1..3650)"}]',
     '[{"name": "mode", "value": "auto"}, {"name": "retention_days", "value": 30}]'),
    ('google_safe_browsing_lookup',
     '[{"name": "client_id", "kind": "STRING", "defaultValue": "iocagg",
        "description": "clientId sent to Google"},
       {"name": "threat_types", "kind": "STRING", "defaultValue": "MALWARE,SOCIAL_ENGINEERING,UNWANTED_SOFTWARE,POTENTIALLY_HARMFUL_APPLICATION",
        "description": "threat types asked, comma-separated"},
       {"name": "platform_types", "kind": "STRING", "defaultValue": "ANY_PLATFORM",
        "description": "platform types asked, comma-separated"}]',
     '[{"name": "client_id", "value": "iocagg"}, {"name": "threat_types", "value": "MALWARE,SOCIAL_ENGINEERING,UNWANTED_SOFTWARE,POTENTIALLY_HARMFUL_APPLICATION"}, {"name": "platform_types", "value": "ANY_PLATFORM"}]'),
    ('google_safe_browsing_update',
     '[{"name": "client_id", "kind": "STRING", "defaultValue": "iocagg",
        "description": "clientId sent to Google"},
       {"name": "threat_types", "kind": "STRING", "defaultValue": "MALWARE,SOCIAL_ENGINEERING,UNWANTED_SOFTWARE,POTENTIALLY_HARMFUL_APPLICATION",
        "description": "threat types of the lists kept, comma-separated"},
       {"name": "platform_types", "kind": "STRING", "defaultValue": "ANY_PLATFORM",
        "description": "platform types of the lists kept, comma-separated"},
       {"name": "max_update_entries", "kind": "NUMBER", "defaultValue": 0,
        "description": "most prefixes one update may bring (a power of two 1024..1048576; 0: no limit)"}]',
     '[{"name": "client_id", "value": "iocagg"}, {"name": "threat_types", "value": "MALWARE,SOCIAL_ENGINEERING,UNWANTED_SOFTWARE,POTENTIALLY_HARMFUL_APPLICATION"}, {"name": "platform_types", "value": "ANY_PLATFORM"}, {"name": "max_update_entries", "value": 0}]'),
    ('urlscan_io_search',
     '[{"name": "size", "kind": "NUMBER", "defaultValue": 20,
        "description": "scans asked (1..100)"}]',
     '[{"name": "size", "value": 20}]'),
    ('urlscan_io_submit',
     '[{"name": "visibility", "kind": "STRING", "defaultValue": "private",
        "description": "visibility of the scans submitted: public, unlisted or private"},
       {"name": "poll_delay_ms", "kind": "NUMBER", "defaultValue": 10000,
        "description": "wait before the first poll of the result, ms (urlscan.io asks for 10 s)"},
       {"name": "poll_interval_ms", "kind": "NUMBER", "defaultValue": 2000,
        "description": "wait between polls, ms (100..600000)"}]',
     '[{"name": "visibility", "value": "private"}, {"name": "poll_delay_ms", "value": 10000}, {"name": "poll_interval_ms", "value": 2000}]')
  ) AS v (builtin, config, config_values)
  WHERE s.builtin = v.builtin AND s.config = '[]'::jsonb
    AND s.config_values = '[]'::jsonb;
