# tools/devstack.d/cat_web.sh -- the web API sources (OTX, crt.sh, Have I
# Been Pwned, the Wayback Machine, InternetDB, Shodan) pointed at their
# modules in tests/mock/apis/ when the stack runs with --mock.

# Prints the source_url_<builtin> lines of iocagg.conf.
conf_cat_web() {
	[ -f "$STATE/mock.port" ] || return 0
	local m="http://127.0.0.1:$(cat "$STATE/mock.port")"
	cat <<CONF
source_url_alienvault_otx = $m/otx/api/v1
source_url_certificate_transparency = $m/crtsh
source_url_haveibeenpwned = $m/hibp/api/v3
source_url_internet_archive = $m/archive
source_url_internetdb = $m/internetdb
source_url_shodan = $m/shodan
CONF
}
