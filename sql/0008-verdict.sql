-- 0008-verdict.sql -- the normalized verdict of each source's answer
-- (lib/source.h, docs/verdicts.md) is kept in the history next to the
-- raw data, so a lookup's summary can be rebuilt from its rows.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.

ALTER TABLE source_requests ADD COLUMN verdict JSONB NULL;
-- {"verdict": "malicious"|"suspicious"|"benign"|"unknown", "score": 0..100,
--  "tags": [...], "related": [...], "firstSeen"?, "lastSeen"?}
ALTER TABLE source_requests ADD CONSTRAINT source_requests_verdict_check
    CHECK (verdict IS NULL OR (jsonb_typeof(verdict) = 'object'
        AND verdict->>'verdict' IN ('malicious', 'suspicious', 'benign',
            'unknown')
        AND jsonb_typeof(verdict->'score') = 'number'
        AND (verdict->>'score')::numeric BETWEEN 0 AND 100));
COMMENT ON COLUMN source_requests.verdict IS 'normalized verdict of a successful answer (docs/verdicts.md), NULL when the source gave none';
