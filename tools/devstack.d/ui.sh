# tools/devstack.d/ui.sh -- the browser UI's part of the dev stack.
#
# NGINX serves the UI straight from the checkout (htdocs, see nginx_conf
# in tools/devstack); nothing to build.  This part only provides:
#   up_ui                   npm ci when node_modules lacks playwright-core
#                           (the browser tests' driver; Chromium is
#                           Debian's), so that "make check" can run them
#   tools/devstack screenshots
#                           docs/screenshots/{home,lookup,sources}.png
#                           from the running stack (tools/devstack up --mock)

up_ui() {
	[ -f "$SRC/node_modules/playwright-core/package.json" ] && return 0
	command -v npm >/dev/null 2>&1 || return 0
	say "npm ci (playwright-core for the browser tests)"
	( cd "$SRC" && timeout 300 npm ci --no-audit --no-fund --fetch-retries=1 \
	    >"$STATE/log/npm-ci.log" 2>&1 ) ||
	    say "npm ci failed (see $STATE/log/npm-ci.log): the browser tests will skip"
}

status_ui() {
	if [ -f "$SRC/node_modules/playwright-core/package.json" ]; then
		printf '%-24s %s\n' "browser tests" "playwright-core installed"
	else
		printf '%-24s %s\n' "browser tests" "no playwright-core (npm ci)"
	fi
}

cmd_screenshots() {
	[ -d "$STATE" ] || die "no stack in $STATE: tools/devstack up --mock first"
	load_ports
	curl -fsS "http://127.0.0.1:$HTTP_PORT/api/v1/health" >/dev/null 2>&1 ||
	    die "the stack does not answer on port $HTTP_PORT: tools/devstack up --mock first"
	command -v node >/dev/null 2>&1 || die "node is not installed"
	up_ui
	mkdir -p "$SRC/docs/screenshots"
	IOCAGG_TEST_URL="http://127.0.0.1:$HTTP_PORT" \
	    IOCAGG_SHOT_EMAIL=admin@localhost \
	    IOCAGG_SHOT_PASSWORD="$(cat "$STATE/admin.password")" \
	    IOCAGG_SHOT_DIR="$SRC/docs/screenshots" \
	    node "$SRC/tests/browser/screenshots.mjs"
}
