#!/bin/sh
# tests/t-cgi.sh -- run the built FastCGI programs as plain CGI programs
# (no NGINX, no database) and check the answers that need neither.
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
n=0; failed=0
check() {	# name, output, expected substring...
	name=$1; out=$2; shift 2
	n=$((n + 1))
	for want in "$@"; do
		case $out in
		*"$want"*) ;;
		*) echo "not ok $n - $name"; echo "#   missing: $want";
		   printf '%s\n' "$out" | sed 's/^/#   /' | head -20
		   failed=$((failed + 1)); return ;;
		esac
	done
	echo "ok $n - $name"
}
cgi() {		# program method path [query] [content-length]
	env -i PATH="$PATH" IOCAGG_CONF=/dev/null \
	    IOCAGG_DATABASE_URL="host=/nonexistent dbname=x connect_timeout=1" \
	    REQUEST_METHOD="$2" DOCUMENT_URI="$3" QUERY_STRING="${4:-}" \
	    ${5:+CONTENT_LENGTH=$5} ${AUTH:+HTTP_AUTHORIZATION="$AUTH"} \
	    ${IOCAGG_BODY_MAX:+IOCAGG_BODY_MAX=$IOCAGG_BODY_MAX} \
	    "$top_builddir/fcgi/$1" </dev/null 2>/dev/null
}

out=$(cgi iocagg-health GET /api/v1/health)
check "health without a database is 503" "$out" "Status: 503" \
    '"database":"unavailable"' "Retry-After: 5"
out=$(cgi iocagg-health GET /api/v1/healthx)
check "health: unknown path is 404 JSON" "$out" "Status: 404" \
    '{"error":{"code":"not_found"'
out=$(cgi iocagg-indicatorkinds GET /api/v1/indicatorKinds)
check "kinds without credentials is 401" "$out" "Status: 401" '"unauthorized"'
out=$(AUTH="Token abcdefghijkl_0123456789abcdefghijABCDEFGHIJKL" \
    cgi iocagg-indicatorkinds GET /api/v1/indicatorKinds)
check "kinds with a token but no database is 503" "$out" "Status: 503" \
    '"unavailable"'
out=$(cgi iocagg-users POST /api/v1/users "" 99999999)
check "users: POST on a GET route is 405" "$out" "Status: 405" "Allow: GET"
out=$(IOCAGG_BODY_MAX=2048 cgi iocagg-users GET /api/v1/users "" 4096)
check "users: 4096-byte body over body_max is 413" "$out" "Status: 413"
out=$(cgi iocagg-users GET /api/v1/users "limit=%G0")
check "users: bad escape is 400" "$out" "Status: 400" '"bad_request"'
out=$("$top_builddir/fcgi/iocagg-health" -x 2>&1)
check "an unknown option prints the usage" "$out" \
    "usage: iocagg-health [-dn] [-f file] [-s socket] [-w workers]"
out=$(IOCAGG_CONF=/dev/null "$top_builddir/fcgi/iocagg-health" -n 2>&1)
check "-n checks the configuration" "$out" "configuration OK"
out=$(IOCAGG_CONF=/dev/null IOCAGG_WORKERS=0 "$top_builddir/fcgi/iocagg-health" -n 2>&1)
check "-n reports a bad setting" "$out" "IOCAGG_WORKERS" "too small"
echo "1..$n"
[ "$failed" -eq 0 ]
