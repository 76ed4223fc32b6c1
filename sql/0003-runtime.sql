-- 0003-runtime.sql -- shared runtime state, so the suite works without Redis.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.
--
-- FastCGI programs keep nothing between requests: the result cache, the
-- rate-limit counters, the login throttle and the background-task ledger
-- live here (or in Redis, when configured, for the cache and the counters).
--
-- cache_entries and rate_limit_hits are UNLOGGED: they are rebuilt by use,
-- so skipping the WAL is worth more than keeping them across a crash (after
-- a crash or a failover they start empty, which is a cache miss or a fresh
-- rate-limit window, never wrong data).

-- ---------------------------------------------------------------------------
-- Result cache
-- ---------------------------------------------------------------------------

CREATE UNLOGGED TABLE cache_entries (
    key        TEXT PRIMARY KEY,
    value      JSONB NOT NULL,
    cached_at  TIMESTAMP(3) NOT NULL,
    expires_at TIMESTAMP(3) NOT NULL,

    CONSTRAINT cache_entries_expires_at_check CHECK (expires_at >= cached_at),
    -- The b-tree primary key cannot hold entries over about 2700 bytes; the
    -- cap makes the limit deterministic.  Longer keys are not cached (or are
    -- hashed by the application).
    CONSTRAINT cache_entries_key_check CHECK (length(key) BETWEEN 1 AND 2048)
);

COMMENT ON TABLE cache_entries IS 'Cached successful source results (errors are never cached)';
COMMENT ON COLUMN cache_entries.key IS '"<sourceId>:<KIND>:<data>"';
COMMENT ON COLUMN cache_entries.value IS 'the source''s data, as returned to the client';
COMMENT ON COLUMN cache_entries.expires_at IS 'UTC; a row past expires_at is a miss, and purged by expires_at';

CREATE INDEX cache_entries_expires_at_idx ON cache_entries (expires_at);

-- ---------------------------------------------------------------------------
-- Rate limiting: at most sources.limit_count lookups per limit_interval
-- seconds, per source, when sources.limit_enabled.
-- ---------------------------------------------------------------------------

CREATE UNLOGGED TABLE rate_limit_hits (
    source_id    TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    window_start TIMESTAMP(3) NOT NULL,
    count        INTEGER NOT NULL,

    PRIMARY KEY (source_id, window_start),
    CONSTRAINT rate_limit_hits_count_check CHECK (count >= 0)
);

COMMENT ON TABLE rate_limit_hits IS 'Per-source lookup counters, one row per (source, window)';
COMMENT ON COLUMN rate_limit_hits.window_start IS 'UTC start of the fixed window';

CREATE INDEX rate_limit_hits_window_start_idx ON rate_limit_hits (window_start);

-- ---------------------------------------------------------------------------
-- Login throttling
-- ---------------------------------------------------------------------------

CREATE TABLE login_attempts (
    id         TEXT PRIMARY KEY DEFAULT nanoid(),
    created_at TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    email      TEXT NULL,
    ip_address TEXT NOT NULL,
    success    BOOLEAN NOT NULL
);

COMMENT ON TABLE login_attempts IS 'Password login attempts, counted per IP address and per email to slow down guessing';
COMMENT ON COLUMN login_attempts.email IS 'the email as typed; NULL when absent';

CREATE INDEX login_attempts_ip_address_created_at_idx
    ON login_attempts (ip_address, created_at);
CREATE INDEX login_attempts_lower_email_created_at_idx
    ON login_attempts (lower(email), created_at);

-- ---------------------------------------------------------------------------
-- Background task ledger (scheduler)
-- ---------------------------------------------------------------------------

CREATE TABLE task_runs (
    id          TEXT PRIMARY KEY DEFAULT nanoid(),
    source_id   TEXT NULL REFERENCES sources (id) ON DELETE SET NULL,
    task        TEXT NOT NULL,
    started_at  TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    ended_at    TIMESTAMP(3) NULL,
    status      TEXT NOT NULL,
    error       TEXT NULL,
    rows_loaded BIGINT NULL,
    bytes       BIGINT NULL,
    host        TEXT NULL,
    pid         INTEGER NULL,

    CONSTRAINT task_runs_status_check
        CHECK (status IN ('RUNNING', 'OK', 'ERROR', 'ABANDONED')),
    CONSTRAINT task_runs_ended_at_check
        CHECK (ended_at IS NULL OR ended_at >= started_at)
);

COMMENT ON TABLE task_runs IS 'One row per background task run';
COMMENT ON COLUMN task_runs.task IS 'task name (e.g. the source slug, or a maintenance job)';
COMMENT ON COLUMN task_runs.status IS 'RUNNING, then OK or ERROR; ABANDONED when its scheduler vanished';
COMMENT ON COLUMN task_runs.host IS 'host name of the scheduler that ran it (with pid)';

CREATE INDEX task_runs_source_id_started_at_idx
    ON task_runs (source_id, started_at DESC);
-- Finding runs left RUNNING by a dead scheduler.
CREATE INDEX task_runs_running_idx
    ON task_runs (started_at) WHERE status = 'RUNNING';
