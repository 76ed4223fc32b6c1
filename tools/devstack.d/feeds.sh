# tools/devstack.d/feeds.sh -- the downloaded feeds (URLhaus, PhishTank,
# OpenPhish, ThreatFox).  With --mock, their feed_url_* keys point at
# the mock feed server (tests/mock/apis/feeds.py) and their tasks run
# every minute, so a feed the mock serves is loaded within a minute of
# "tools/devstack up --mock" (the scheduler runs a new task at once).
# The ThreatFox API is mocked there too (source_url_threatfox).

FEEDS_MOCK_INTERVAL=${IOCAGG_DEV_FEED_INTERVAL:-60}

conf_feeds() {
	[ -f "$STATE/mock.port" ] || return 0
	local m="http://127.0.0.1:$(cat "$STATE/mock.port")/feeds"
	cat <<CONF
feed_url_urlhaus = $m/urlhaus/zip
feed_url_phishtank = $m/phishtank/gz
feed_url_openphish = $m/openphish/plain
feed_url_threatfox = $m/threatfox/plain
source_url_threatfox = $m/threatfox-api/v1
CONF
}

up_feeds() {
	[ -f "$STATE/mock.port" ] || return 0
	local run
	run=$(rundir)
	psql -h "$run" -p "$PG_PORT" -U postgres -Atq -v ON_ERROR_STOP=1 \
	    -v ivl="$FEEDS_MOCK_INTERVAL" iocagg >/dev/null <<'SQL'
UPDATE sources SET task_enabled = TRUE, task_interval = :ivl
 WHERE builtin IN ('urlhaus', 'phishtank', 'openphish', 'threatfox')
   AND (task_interval IS DISTINCT FROM :ivl OR NOT task_enabled);
SQL
}

status_feeds() {
	[ -f "$STATE/ports" ] || return 0
	local run
	run=$(rundir)
	psql -h "$run" -p "$PG_PORT" -U postgres -Atq iocagg 2>/dev/null <<'SQL' |
SELECT f, coalesce(to_char(r, 'YYYY-MM-DD HH24:MI:SS'), 'never'), coalesce(n::text, '-')
  FROM (SELECT 'urlhaus' AS f, max(refreshed_at) AS r,
               (array_agg(rows ORDER BY id DESC))[1] AS n FROM url_haus_refreshes
        UNION ALL SELECT 'phishtank', max(refreshed_at),
               (array_agg(rows ORDER BY id DESC))[1] FROM phishtank_refreshes
        UNION ALL SELECT 'openphish', max(refreshed_at),
               (array_agg(rows ORDER BY id DESC))[1] FROM openphish_refreshes
        UNION ALL SELECT 'threatfox', max(refreshed_at),
               (array_agg(rows ORDER BY id DESC))[1] FROM threatfox_refreshes) x
SQL
	while IFS='|' read -r f r n; do
		printf '%-24s refreshed %s (%s rows)\n' "feed $f" "$r" "$n"
	done
}
