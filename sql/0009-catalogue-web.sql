-- 0009-catalogue-web.sql -- the web API sources of the built-in catalogue
-- (lib/sources/{alienvault_otx,certificate_transparency,haveibeenpwned,
-- internet_archive,internetdb,shodan}.c, docs/sources-web.md): the kinds
-- they answer, their settings, and their secret slots.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.
-- Rows are looked up by builtin, never by id.

-- The Wayback Machine knows domains too (their root page).
UPDATE sources SET supported_indicators = '{URL,DOMAIN}'
    WHERE builtin = 'internet_archive';

-- InternetDB takes no key (the reference sent Shodan's along): its
-- optional slot goes, unless an operator linked a secret to it.
DELETE FROM source_secrets
    WHERE name = 'SHODAN_API_KEY' AND secret_id IS NULL
      AND source_id = (SELECT id FROM sources WHERE builtin = 'internetdb');

-- crt.sh is slow on popular domains.
UPDATE sources SET timeout = 30
    WHERE builtin = 'certificate_transparency' AND timeout IS NULL;

-- The sources whose secrets are optional (or that have none) work out of
-- the box.  Shodan and Have I Been Pwned keep their required slots
-- (SHODAN_API_KEY, HIBP_API_KEY) and answer MISSING_SECRET until filled.
UPDATE sources SET enabled = TRUE
    WHERE builtin IN ('alienvault_otx', 'certificate_transparency',
                      'internet_archive', 'internetdb');

-- The settings each source reads (src_config_int), described in
-- "config" and given their default in "config_values", where an
-- operator changes them.  Only sources still without settings.
UPDATE sources s SET config = v.config::jsonb,
                     config_values = v.config_values::jsonb
  FROM (VALUES
    ('alienvault_otx',
     '[{"name": "reputation", "kind": "NUMBER", "defaultValue": 1,
        "description": "1: also ask the reputation section of IP addresses (a second call); 0: only the general section"}]',
     '[{"name": "reputation", "value": 1}]'),
    ('certificate_transparency',
     '[{"name": "max_results", "kind": "NUMBER", "defaultValue": 100,
        "description": "certificates and names kept from the crt.sh answer (1..10000)"},
       {"name": "exclude_expired", "kind": "NUMBER", "defaultValue": 0,
        "description": "1: only certificates still valid"}]',
     '[{"name": "max_results", "value": 100}, {"name": "exclude_expired", "value": 0}]'),
    ('haveibeenpwned',
     '[{"name": "include_unverified", "kind": "NUMBER", "defaultValue": 1,
        "description": "1: also breaches HIBP has not verified (HIBP''s default); 0: verified breaches only"}]',
     '[{"name": "include_unverified", "value": 1}]'),
    ('internet_archive',
     '[{"name": "max_results", "kind": "NUMBER", "defaultValue": 10,
        "description": "oldest captures kept (1..1000); the newest is always given"}]',
     '[{"name": "max_results", "value": 10}]'),
    ('shodan',
     '[{"name": "minify", "kind": "NUMBER", "defaultValue": 0,
        "description": "1: host answers without the service banners"},
       {"name": "history", "kind": "NUMBER", "defaultValue": 0,
        "description": "1: host answers with historical banners too"}]',
     '[{"name": "minify", "value": 0}, {"name": "history", "value": 0}]')
  ) AS v (builtin, config, config_values)
  WHERE s.builtin = v.builtin AND s.config = '[]'::jsonb
    AND s.config_values = '[]'::jsonb;
