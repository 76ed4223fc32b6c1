-- 0006-scheduler.sql -- what iocagg-schedulerd(8) keeps between runs.
--
-- One task_schedule row per source that has had a background task: when
-- it is due next and how its last run ended (the due-time rules are in
-- lib/schedule.c).  The task_runs rows of 0003 are the history; a run is
-- claimed by locking its schedule row (FOR UPDATE SKIP LOCKED) and
-- taking a session advisory lock on the source, held for the whole run,
-- so a scheduler that dies releases it with its connection.

CREATE TABLE task_schedule (
    source_id       TEXT PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    interval        INTEGER NULL,
    next_due_at     TIMESTAMP(3) NOT NULL,
    last_started_at TIMESTAMP(3) NULL,
    last_ended_at   TIMESTAMP(3) NULL,
    last_status     TEXT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT task_schedule_interval_check
        CHECK (interval IS NULL OR interval >= 1),
    CONSTRAINT task_schedule_last_status_check
        CHECK (last_status IS NULL OR last_status IN ('OK', 'ERROR', 'ABANDONED')),
    CONSTRAINT task_schedule_failures_check
        CHECK (failures >= 0)
);

COMMENT ON TABLE task_schedule IS 'when each source''s background task is due (iocagg-schedulerd)';
COMMENT ON COLUMN task_schedule.interval IS 'the task_interval next_due_at was computed with (seconds)';
COMMENT ON COLUMN task_schedule.last_status IS 'OK, ERROR, or ABANDONED (scheduler died or stopped mid-run)';
COMMENT ON COLUMN task_schedule.failures IS 'failed or abandoned runs in a row (retry back-off)';

CREATE INDEX task_schedule_next_due_at_idx ON task_schedule (next_due_at);

-- A scheduler learns at once that a source or provider changed: it
-- LISTENs on iocagg_sources (payload: the source id, or '' for a
-- provider) and re-reads what it schedules.  A periodic re-scan is the
-- safety net for notifications lost while it was disconnected.
CREATE FUNCTION scheduler_notify_source() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('iocagg_sources', OLD.id);
    ELSIF TG_OP = 'INSERT' OR
          NEW.enabled IS DISTINCT FROM OLD.enabled OR
          NEW.task_enabled IS DISTINCT FROM OLD.task_enabled OR
          NEW.task_interval IS DISTINCT FROM OLD.task_interval OR
          NEW.kind IS DISTINCT FROM OLD.kind OR
          NEW.builtin IS DISTINCT FROM OLD.builtin OR
          NEW.provider_id IS DISTINCT FROM OLD.provider_id OR
          (NEW.source_code IS NULL) <> (OLD.source_code IS NULL) THEN
        PERFORM pg_notify('iocagg_sources', NEW.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sources_scheduler_notify
    AFTER INSERT OR UPDATE OR DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION scheduler_notify_source();

CREATE FUNCTION scheduler_notify_provider() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.enabled IS DISTINCT FROM OLD.enabled THEN
        PERFORM pg_notify('iocagg_sources', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER providers_scheduler_notify
    AFTER UPDATE ON providers
    FOR EACH ROW EXECUTE FUNCTION scheduler_notify_provider();

-- The runners' on/off switches decide whether runner tasks run.
CREATE FUNCTION scheduler_notify_config() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (CASE WHEN TG_OP = 'DELETE' THEN OLD.key ELSE NEW.key END)
       LIKE '%runner_enabled' THEN
        PERFORM pg_notify('iocagg_sources', '');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER server_config_scheduler_notify
    AFTER INSERT OR UPDATE OR DELETE ON server_config
    FOR EACH ROW EXECUTE FUNCTION scheduler_notify_config();

-- What a run's counters mean (GET /sources/{id}/tasks: rows, bytes).
COMMENT ON COLUMN task_runs.rows_loaded IS 'rows the run loaded (feed tasks), NULL when not counted';
COMMENT ON COLUMN task_runs.bytes IS 'bytes the run downloaded (feed tasks), NULL when not counted';
