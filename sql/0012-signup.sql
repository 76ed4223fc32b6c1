-- 0012-signup.sql -- the sign-up throttle of iocagg-auth(8): the local
-- accounts created from each client address in the last day.  POST
-- /api/v1/auth/signup refuses (429) once an address created
-- "signup_rate_limit" accounts (server_config; default 10) in the last
-- hour, so nobody can fill the users table from one address.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.

CREATE TABLE signups (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  TIMESTAMP(3) NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    ip_address  TEXT NOT NULL
);

COMMENT ON TABLE signups IS 'One row per local account created by POST /auth/signup; rows older than a day are deleted by the next sign-up';

CREATE INDEX signups_ip_address_created_at_idx
    ON signups (ip_address, created_at DESC);
