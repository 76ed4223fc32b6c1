-- 0004-seed.sql -- the initial data: system user, providers, sources, the
-- Google ignore list and the sources' secret slots.
--
-- Applied by `iocaggctl migrate` inside one transaction opened by the tool.
--
-- Every seeded row is created by the disabled "system" user, looked up by
-- its email; ids are generated.  Look seeded rows up by slug, never by id.
-- A lookup that finds nothing yields NULL in a NOT NULL column, so a typo
-- here fails the migration instead of silently seeding less.
-- No secrets and no server_config overrides are seeded.

-- ---------------------------------------------------------------------------
-- The system user: owns the seeds, cannot log in (disabled, no password).
-- ---------------------------------------------------------------------------

INSERT INTO users (provider, enabled, email, verified, name, roles, password)
VALUES ('local', FALSE, 'system@iocagg.invalid', FALSE, 'system', '{}', NULL);

-- ---------------------------------------------------------------------------
-- Providers (11)
-- ---------------------------------------------------------------------------

INSERT INTO providers (name, slug, description, url, tags, enabled, created_user_id)
SELECT v.name, v.slug, v.description, v.url, v.tags, TRUE,
       (SELECT id FROM users WHERE email = 'system@iocagg.invalid' AND provider = 'local')
  FROM (VALUES
    ('AlienVault OTX',   'alienvault-otx',   'AlienVault Open Threat Exchange',
        'https://otx.alienvault.com/',   '{threat-intelligence}'::text[]),
    ('Shodan.io',        'shodan-io',        '', 'https://shodan.io',           '{threat-intelligence}'::text[]),
    ('Google',           'google',           '', 'https://google.com',          '{}'::text[]),
    ('Abuse.ch',         'abuse-ch',         '', 'https://abuse.ch',            '{}'::text[]),
    ('Cisco Talos',      'cisco-talos',      '', 'https://talosintelligence.com/', '{}'::text[]),
    ('OpenPhish',        'openphish',        '', 'https://openphish.com/',      '{}'::text[]),
    ('HaveIBeenPwned',   'haveibeenpwned',   '', 'https://haveibeenpwned.com/', '{}'::text[]),
    ('URLScan.io',       'urlscan-io',       '', 'https://urlscan.io/',         '{}'::text[]),
    ('Cymru',            'cymru',            '', 'https://cymru.com/',          '{}'::text[]),
    ('AbuseIPDB',        'abuseipdb',        '', 'https://www.abuseipdb.com/',  '{}'::text[]),
    ('Internet Archive', 'internet-archive', '', 'https://archive.org/',        '{}'::text[])
  ) AS v (name, slug, description, url, tags);

-- ---------------------------------------------------------------------------
-- System sources (20).  provider is a provider slug, NULL for none.
-- Limits are enforced (limit_enabled) wherever a limit is seeded.
-- ---------------------------------------------------------------------------

INSERT INTO sources (name, slug, url, tags, enabled, supported_indicators,
                     task_enabled, task_interval,
                     limit_enabled, limit_count, limit_interval,
                     cache_enabled, cache_interval,
                     kind, provider_id, created_user_id)
SELECT v.name, v.slug, v.url, v.tags, TRUE, v.kinds,
       v.task_interval IS NOT NULL, v.task_interval,
       v.limit_count IS NOT NULL, v.limit_count, v.limit_interval,
       v.cache_interval IS NOT NULL, v.cache_interval,
       'system',
       CASE WHEN v.provider IS NULL THEN NULL
            ELSE (SELECT id FROM providers WHERE slug = v.provider) END,
       (SELECT id FROM users WHERE email = 'system@iocagg.invalid' AND provider = 'local')
  FROM (VALUES
    ('URLHaus', 'urlhaus', 'abuse-ch',
        'https://urlhaus.abuse.ch/', '{threat-intelligence}'::text[],
        '{URL}'::text[],
        300, NULL::int, NULL::int, NULL::int),
    ('MalwareBazaar', 'malwarebazaar', 'abuse-ch',
        'https://bazaar.abuse.ch/api/', '{}',
        '{MD5,SHA1,SHA256}',
        NULL, NULL, NULL, NULL),
    ('Megatron', 'megatron', 'abuse-ch',
        'https://megatron.abuse.ch/', '{}',
        '{IPV4,IPV6}',
        300, NULL, NULL, NULL),
    ('ThreatFox', 'threatfox', 'abuse-ch',
        'https://threatfox.abuse.ch/api/', '{}',
        '{MD5,SHA1,SHA256,URL,IPV4,IPV6,DOMAIN,EMAIL}',
        NULL, NULL, NULL, NULL),
    ('ASN Cymru', 'asn-cymru', 'cymru',
        'https://asn.cymru.com/', '{}',
        '{IPV4,IPV6}',
        NULL, NULL, NULL, NULL),
    ('Shodan', 'shodan', 'shodan-io',
        'https://developer.shodan.io/api', '{}',
        '{IPV4,IPV6,DOMAIN}',
        NULL, NULL, NULL, NULL),
    ('InternetDB', 'internetdb', 'shodan-io',
        'https://internetdb.shodan.io/', '{}',
        '{IPV4,IPV6}',
        NULL, NULL, NULL, NULL),
    ('PhishTank', 'phishtank', 'cisco-talos',
        'https://www.phishtank.com/api_info.php', '{}',
        '{URL,DOMAIN,IPV4,IPV6}',
        3600, NULL, NULL, NULL),
    ('OpenPhish', 'openphish', 'openphish',
        'https://openphish.com/', '{}',
        '{URL,DOMAIN,IPV4,IPV6}',
        NULL, NULL, NULL, NULL),
    ('AlienVault OTX', 'alienvault-otx', 'alienvault-otx',
        'https://otx.alienvault.com/api', '{}',
        '{IPV4,IPV6,DOMAIN,URL,MD5,SHA1,SHA256}',
        NULL, NULL, NULL, NULL),
    ('Google Safe Browsing - Update', 'google-safe-browsing-update', 'google',
        'https://developers.google.com/safe-browsing/v4/', '{}',
        '{URL}',
        NULL, NULL, NULL, NULL),
    ('Google Safe Browsing - Lookup', 'google-safe-browsing-lookup', 'google',
        'https://developers.google.com/safe-browsing/v4/', '{}',
        '{URL}',
        NULL, NULL, NULL, NULL),
    ('VirusTotal', 'virustotal', 'google',
        'https://docs.virustotal.com/reference/overview', '{}',
        '{MD5,SHA1,SHA256,URL,DOMAIN,IPV4,IPV6}',
        NULL, 150, 60, 3600),
    ('HaveIBeenPwned', 'haveibeenpwned', 'haveibeenpwned',
        'https://haveibeenpwned.com/API/v3', '{}',
        '{EMAIL}',
        NULL, 150, 60, NULL),
    ('DNS', 'dns', NULL,
        'https://github.com/hickory-dns/hickory-dns', '{}',
        '{IPV4,IPV6,DOMAIN,URL}',
        NULL, NULL, NULL, NULL),
    ('AbuseIPDB', 'abuseipdb', 'abuseipdb',
        'https://docs.abuseipdb.com/', '{}',
        '{IPV4,IPV6}',
        NULL, 30, 60, 3600),
    ('URLScan.io - Search', 'urlscan-io-search', 'urlscan-io',
        'https://urlscan.io/docs/api/', '{}',
        '{URL,DOMAIN}',
        NULL, 150, 60, NULL),
    ('URLScan.io - Submit', 'urlscan-io-submit', 'urlscan-io',
        'https://urlscan.io/docs/api/', '{}',
        '{URL}',
        NULL, 150, 60, NULL),
    ('Internet Archive', 'internet-archive', 'internet-archive',
        'https://archive.org/help/wayback_api.php', '{}',
        '{URL}',
        NULL, 150, 60, NULL),
    ('Certificate Transparency', 'certificate-transparency', NULL,
        'https://crt.sh/', '{}',
        '{DOMAIN}',
        NULL, NULL, NULL, NULL)
  ) AS v (name, slug, provider, url, tags, kinds,
          task_interval, limit_count, limit_interval, cache_interval);

-- ---------------------------------------------------------------------------
-- The example Python source (1).  The code is stored with real newlines.
-- ---------------------------------------------------------------------------

INSERT INTO sources (name, slug, url, tags, enabled, supported_indicators,
                     kind, source_code, provider_id, created_user_id)
VALUES ('Simple Get Request Python', 'simple-get-request-python',
        'https://docs.python.org/3/library/urllib.request.html', '{}', TRUE, '{URL}',
        'python',
$python$import urllib.request


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", errors="ignore")
    except Exception:
        return None


def fetch_data(indicator_data, indicator_kind):
    return fetch(indicator_data) or ""


def background_task():
    return None
$python$,
        NULL,
        (SELECT id FROM users WHERE email = 'system@iocagg.invalid' AND provider = 'local'));

-- ---------------------------------------------------------------------------
-- Ignore lists (1) and their entries (2)
-- ---------------------------------------------------------------------------

INSERT INTO ignore_lists (name, slug, description, enabled, global, created_user_id)
VALUES ('Google', 'google', 'Google related indicators', TRUE, TRUE,
        (SELECT id FROM users WHERE email = 'system@iocagg.invalid' AND provider = 'local'));

INSERT INTO ignore_list_entries (data, indicator_kind, ignore_list_id, created_user_id)
SELECT v.data, v.kind,
       (SELECT id FROM ignore_lists WHERE slug = 'google'),
       (SELECT id FROM users WHERE email = 'system@iocagg.invalid' AND provider = 'local')
  FROM (VALUES
    ('google.com', 'DOMAIN'),
    ('google.ca',  'DOMAIN')
  ) AS v (data, kind);

-- ---------------------------------------------------------------------------
-- Secret slots (11).  A slot's name is the secret name the integration
-- reads; linking a global secret of that name fills the slot.
-- ---------------------------------------------------------------------------

INSERT INTO source_secrets (name, description, required, source_id, created_user_id)
SELECT v.name, 'API Key', v.required,
       (SELECT id FROM sources WHERE slug = v.source),
       (SELECT id FROM users WHERE email = 'system@iocagg.invalid' AND provider = 'local')
  FROM (VALUES
    ('megatron',                    'MEGATRON_KEY',   TRUE),
    ('shodan',                      'SHODAN_API_KEY', TRUE),
    ('internetdb',                  'SHODAN_API_KEY', FALSE),
    ('google-safe-browsing-update', 'GSB_API_KEY',    TRUE),
    ('google-safe-browsing-lookup', 'GSB_API_KEY',    TRUE),
    ('virustotal',                  'VIRUSTOTAL_KEY', TRUE),
    ('haveibeenpwned',              'HIBP_API_KEY',   TRUE),
    ('abuseipdb',                   'ABUSE_IPDB_KEY', TRUE),
    ('urlscan-io-search',           'URLSCAN_IO_KEY', FALSE),
    ('urlscan-io-submit',           'URLSCAN_IO_KEY', TRUE),
    ('alienvault-otx',              'OTX_API_KEY',    FALSE)
  ) AS v (source, name, required);
