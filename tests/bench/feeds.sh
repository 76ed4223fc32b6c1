#!/usr/bin/env bash
# tests/bench/feeds.sh -- the feed ingest benchmark (docs/feeds.md).
#
#   tests/bench/feeds.sh [ROWS]        (default 1000000)
#
# Runs against a stack started with "tools/devstack up --mock": the one
# in $IOCAGG_DEV_STATE (default .devstack in the checkout), whose
# iocagg.conf names the database and whose mock serves the feed.  It
#
#   1. generates a ROWS-row URLhaus-format CSV dump (awk, fixed seed);
#   2. times our ingest of it: iocagg-schedulerd -1 on the URLhaus source,
#      downloading the dump from the mock (tests/mock/apis/feeds.py
#      serves the file as it is) -- download, parsing, COPY into a new
#      table, index builds, swap, all of it;
#   3. times "psql \copy" of the same rows into a table made LIKE
#      url_haus INCLUDING ALL (the same columns and indexes), in the same
#      run, and also into the bare table (no index) as a floor;
#   4. prints the ratio psql time / our time (our speed relative to
#      psql's; the target is >= 0.8);
#   5. measures lookup latency on the loaded feed: URL, domain and IP
#      lookups of the URLhaus source through the API (median and p95 of
#      IOCAGG_BENCH_FEED_LOOKUPS each, default 200), and the bare SQL.
#
# It leaves the stack as it found it: the mock's feed spec is reset, the
# URLhaus feed reloaded from the mock's default and the source's task
# interval restored.  Progress goes to stderr, figures to stdout (the
# last line is a summary "feeds: ...").
set -euo pipefail
export LC_ALL=C

SRC=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${IOCAGG_DEV_STATE:-$SRC/.devstack}
ROWS=${1:-1000000}
LOOKUPS=${IOCAGG_BENCH_FEED_LOOKUPS:-200}
CONF=$STATE/iocagg.conf
SCHED=$SRC/daemons/iocagg-schedulerd

say() { printf 'bench feeds: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ -f "$CONF" ] || die "no stack in $STATE (tools/devstack up --mock)"
[ -f "$STATE/mock.port" ] || die "the stack in $STATE runs without --mock"
[ -x "$SCHED" ] || die "$SCHED is not built"
DB=$(sed -n 's/^database_url = "\(.*\)"$/\1/p' "$CONF")
[ -n "$DB" ] || die "no database_url in $CONF"
MOCK="http://127.0.0.1:$(cat "$STATE/mock.port")"
. "$STATE/ports"
URL="http://127.0.0.1:$HTTP_PORT"
TOKEN=$(cat "$STATE/admin.token")

sql() { psql "$DB" -v ON_ERROR_STOP=1 -Atq "$@"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", b - a }'; }

SID=$(sql -c "SELECT id FROM sources WHERE builtin = 'urlhaus'")
[ -n "$SID" ] || die "no URLhaus source"
IVL=$(sql -c "SELECT coalesce(task_interval::text, 'NULL') || ' ' ||
    task_enabled FROM sources WHERE id = '$SID'")
WORK=$(mktemp -d /tmp/iocagg-bench-feeds.XXXXXX)
chmod 755 "$WORK"

set_spec() {
	curl -fsS -o /dev/null --data-urlencode "spec=$1" \
	    "$MOCK/feeds/_set/urlhaus" || die "the mock does not serve feeds"
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	say "restoring the stack"
	sql -c "DROP TABLE IF EXISTS bench_feed_copy, bench_feed_bare" \
	    >/dev/null 2>&1
	curl -fsS -o /dev/null -X POST "$MOCK/feeds/_reset"
	IOCAGG_CONF=$CONF "$SCHED" -f "$CONF" -1 "$SID" >/dev/null 2>&1
	sql -c "UPDATE sources SET task_interval = ${IVL% *},
	    task_enabled = ${IVL#* } WHERE id = '$SID'" >/dev/null 2>&1
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The stack's scheduler must not reload the feed meanwhile.
sql -c "UPDATE sources SET task_interval = 86400 WHERE id = '$SID'"

# ---------------------------------------------------------------------
say "generating $ROWS rows"
awk -v n="$ROWS" 'BEGIN {
	for (i = 1; i <= n; i++) {
		id = 5000000 + i
		d = sprintf("2024-%02d-%02d %02d:%02d:%02d", 1 + i % 12,
		    1 + i % 28, i % 24, i % 60, (i * 7) % 60)
		if (i % 3 == 0)
			u = sprintf("http://198.51.%d.%d:%d/bins/x%d.sh",
			    int(i / 250) % 250, i % 250, 1024 + i % 50000, i)
		else
			u = sprintf("http://h%d.bench-%d.example/path/%d.exe",
			    i, i % 997, i * 31)
		on = i % 4 == 3 ? "" : d
		printf "\"%d\",\"%s\",\"%s\",\"%s\",\"%s\",\"malware_download\"," \
		    "\"%s\",\"https://urlhaus.abuse.ch/url/%d/\",\"%s\"\n",
		    id, d, u, on == "" ? "offline" : "online", on,
		    i % 2 ? "elf,mips,Mozi" : "exe,AgentTesla", id,
		    i % 3 ? "abuse_ch" : "geenensp"
	}
}' > "$WORK/rows.csv"
{
	printf '################################################################\r\n'
	printf '# abuse.ch URLhaus Database Dump (CSV)                         #\r\n'
	printf '################################################################\r\n'
	printf '#\r\n'
	printf '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\r\n'
	cat "$WORK/rows.csv"
} > "$WORK/feed.csv"
SIZE=$(stat -c %s "$WORK/feed.csv")
say "$(awk -v s="$SIZE" 'BEGIN { printf "%.1f MB", s / 1048576 }') of CSV"

COLS="id, dateadded, url, url_status, last_online, threat, tags, urlhaus_link, reporter"

# ---------------------------------------------------------------------
say "our ingest (iocagg-schedulerd -1, from the mock)"
set_spec "{\"file\": \"$WORK/feed.csv\"}"
sql -c "CHECKPOINT" >/dev/null
t0=$(now)
IOCAGG_CONF=$CONF IOCAGG_FEED_URL_URLHAUS="$MOCK/feeds/urlhaus/plain" \
    "$SCHED" -f "$CONF" -1 "$SID" >"$WORK/sched.out" 2>&1 ||
    { cat "$WORK/sched.out" >&2; die "the feed load failed"; }
t1=$(now)
OURS=$(secs "$t0" "$t1")
LOADED=$(sql -c "SELECT count(*) FROM url_haus")
[ "$LOADED" = "$ROWS" ] || die "url_haus holds $LOADED rows, not $ROWS"

say "psql \\copy into a table LIKE url_haus INCLUDING ALL"
sql -c "DROP TABLE IF EXISTS bench_feed_copy, bench_feed_bare" >/dev/null 2>&1
sql -c "CREATE TABLE bench_feed_copy (LIKE url_haus INCLUDING ALL)"
sql -c "CHECKPOINT" >/dev/null
t0=$(now)
sql -c "\\copy bench_feed_copy ($COLS) FROM '$WORK/rows.csv' WITH (FORMAT csv, FORCE_NULL (last_online, tags))"
t1=$(now)
PSQL=$(secs "$t0" "$t1")

say "psql \\copy into the bare table (no index)"
sql -c "CREATE TABLE bench_feed_bare (LIKE url_haus INCLUDING DEFAULTS)"
sql -c "CHECKPOINT" >/dev/null
t0=$(now)
sql -c "\\copy bench_feed_bare ($COLS) FROM '$WORK/rows.csv' WITH (FORMAT csv, FORCE_NULL (last_online, tags))"
t1=$(now)
BARE=$(secs "$t0" "$t1")
sql -c "DROP TABLE bench_feed_copy, bench_feed_bare"

PH=$(sed -n 's/.*download and COPY \([0-9]*\) ms, indexes and swap \([0-9]*\) ms.*/\1 \2/p' \
    "$WORK/sched.out" | tail -1)
PH_COPY=$(awk -v m="${PH% *}" 'BEGIN { printf "%.2f", m / 1000 }')
PH_SWAP=$(awk -v m="${PH#* }" 'BEGIN { printf "%.2f", m / 1000 }')
RATIO=$(awk -v p="$PSQL" -v o="$OURS" 'BEGIN { printf "%.2f", p / o }')
RATIO_BARE=$(awk -v p="$BARE" -v o="$OURS" 'BEGIN { printf "%.2f", p / o }')
ROWSPS=$(awk -v r="$ROWS" -v o="$OURS" 'BEGIN { printf "%.0f", r / o }')

# ---------------------------------------------------------------------
# Lookup latency: URLs, domains and IPs that are in the feed.
pick() {
	sql -c "SELECT $1 FROM url_haus WHERE $2 ORDER BY md5(id::text) LIMIT $LOOKUPS"
}
pick url "TRUE" > "$WORK/urls"
pick "substring(url FROM '://([^/:]+)')" "url !~ '^http://[0-9.]+[:/]'" \
    > "$WORK/domains"
pick "substring(url FROM '://([^/:]+)')" "url ~ '^http://[0-9.]+[:/]'" \
    > "$WORK/ips"

# stats FILE: "median p95" of the milliseconds in FILE.
stats() {
	sort -n "$1" | awk '{ a[NR] = $1 } END {
	    printf "%.1f %.1f\n", a[int((NR + 1) / 2)], a[int(NR * 0.95 + 0.5)] }'
}

lat() {
	local kind=$1 f=$2 v out
	: > "$WORK/ms.$kind"
	while IFS= read -r v; do
		out=$(curl -sS -G -o "$WORK/last.json" -w '%{http_code} %{time_total}' \
		    -H "Authorization: Token $TOKEN" --data-urlencode "data=$v" \
		    --data-urlencode "kind=$kind" --data-urlencode "sourceIds=$SID" \
		    "$URL/api/v1/requests/execute")
		[ "${out% *}" = 200 ] || die "lookup of $v: HTTP ${out% *}: $(head -c 300 "$WORK/last.json")"
		grep -q '"errors":\[\]' "$WORK/last.json" ||
		    die "lookup of $v did not find it: $(head -c 300 "$WORK/last.json")"
		awk -v t="${out#* }" 'BEGIN { printf "%.2f\n", t * 1000 }' >> "$WORK/ms.$kind"
	done < "$f"
	stats "$WORK/ms.$kind"
}

say "lookup latency ($LOOKUPS each)"
LAT_URL=$(lat URL "$WORK/urls")
LAT_DOM=$(lat DOMAIN "$WORK/domains")
LAT_IP=$(lat IPV4 "$WORK/ips")

# The bare statements, as the source runs them (EXPLAIN ANALYZE times).
U=$(head -1 "$WORK/urls"); D=$(head -1 "$WORK/domains")
SQL_URL=$(sql -c "EXPLAIN (ANALYZE, FORMAT json) SELECT * FROM url_haus WHERE url = '${U//\'/\'\'}'" |
    sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p')
SQL_DOM=$(sql -c "EXPLAIN (ANALYZE, FORMAT json) SELECT * FROM url_haus WHERE
    feed_rhost(url) COLLATE \"C\" >= reverse('.' || '$D') AND
    feed_rhost(url) COLLATE \"C\" < left(reverse('.' || '$D'), -1) || '/'" |
    sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p')

cat <<OUT
feed ingest, $ROWS URLhaus rows ($(awk -v s="$SIZE" 'BEGIN { printf "%.1f MB", s / 1048576 }') CSV)
  iocagg-schedulerd -1 (download+parse+COPY+indexes+swap)  ${OURS} s  (${ROWSPS} rows/s)
    of which download, parsing and COPY ${PH_COPY} s; indexes, ANALYZE and swap ${PH_SWAP} s
  psql \\copy, same table and indexes                       ${PSQL} s
  psql \\copy, bare table (no index)                        ${BARE} s
  ratio psql/ours (target >= 0.8)                          ${RATIO}  (bare: ${RATIO_BARE})
lookup latency on the loaded feed, URLhaus source via the API (median p95 ms)
  URL     ${LAT_URL}
  DOMAIN  ${LAT_DOM}
  IPV4    ${LAT_IP}
  SQL alone: exact URL ${SQL_URL:-?} ms, domain range ${SQL_DOM:-?} ms
OUT
echo "feeds: ratio ${RATIO} (target >= 0.8), ingest ${OURS} s vs psql ${PSQL} s, lookup URL median ${LAT_URL% *} ms"
