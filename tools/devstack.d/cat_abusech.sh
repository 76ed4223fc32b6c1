# tools/devstack.d/cat_abusech.sh -- the MalwareBazaar, Megatron, Google
# Safe Browsing (Lookup and Update) and urlscan.io (Search and Submit)
# sources pointed at their modules in tests/mock/apis/ when the stack
# runs with --mock.

# Prints the source_url_<builtin> lines of iocagg.conf.
conf_cat_abusech() {
	[ -f "$STATE/mock.port" ] || return 0
	local m="http://127.0.0.1:$(cat "$STATE/mock.port")"
	cat <<CONF
source_url_malwarebazaar = $m/mbazaar/api/v1
source_url_megatron = $m/megatron/api
source_url_google_safe_browsing_lookup = $m/gsb/v4
source_url_google_safe_browsing_update = $m/gsb/v4
source_url_urlscan_io_search = $m/urlscan/api/v1
source_url_urlscan_io_submit = $m/urlscan/api/v1
CONF
}
