#!/bin/sh
# tests/browser/run.sh -- runs one browser test (a Node script printing
# TAP) for make check.  Without node the test is skipped; without
# playwright-core in node_modules, "npm ci" installs it from the
# committed package-lock.json first (once, under a lock: several browser
# tests start at the same time); offline, the test then skips itself.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP node is not installed (Debian package nodejs)"
	exit 0
fi
if [ -n "${IOCAGG_TEST_URL:-}" ] &&
    [ ! -f "$top_srcdir/node_modules/playwright-core/package.json" ] &&
    [ -w "$top_srcdir" ] && command -v npm >/dev/null 2>&1; then
	(
		cd "$top_srcdir" || exit 1
		if command -v flock >/dev/null 2>&1; then
			exec 9>"${TMPDIR:-/tmp}/iocagg-npm-ci.lock"
			flock 9
		fi
		[ -f node_modules/playwright-core/package.json ] ||
		    timeout 300 npm ci --no-audit --no-fund --fetch-retries=1 >&2
	) || echo "# npm ci failed: the test will skip" >&2
fi
exec node "$@"
