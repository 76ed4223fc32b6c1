# tools/devstack.d/cat_net.sh -- the mock DNS server (tests/mock/dns.py)
# of the DNS and ASN Cymru sources, started with the mock upstream.

# Prints the dns_resolvers line of iocagg.conf; starts the server first.
conf_cat_net() {
	[ -f "$STATE/mock.port" ] || return 0
	local i
	if ! { [ -f "$STATE/mockdns.pid" ] &&
	    kill -0 "$(cat "$STATE/mockdns.pid")" 2>/dev/null; }; then
		rm -f "$STATE/mockdns.port"
		setsid /usr/bin/python3 "$SRC/tests/mock/dns.py" --port 0 \
		    --pidfile "$STATE/mockdns.pid" >"$STATE/mockdns.out" \
		    2>>"$STATE/log/mockdns.log" </dev/null &
		for i in $(seq 50); do
			grep -Eq '^port=[0-9]+$' "$STATE/mockdns.out" 2>/dev/null &&
			    break
			sleep 0.1
		done
		sed -n 's/^port=//p' "$STATE/mockdns.out" > "$STATE/mockdns.port"
	fi
	[ -s "$STATE/mockdns.port" ] || die "the mock DNS server did not start"
	echo "dns_resolvers = 127.0.0.1:$(cat "$STATE/mockdns.port")"
}

down_cat_net() {
	stop_pidfile "$STATE/mockdns.pid"
	rm -f "$STATE/mockdns.port"
}

status_cat_net() {
	[ -f "$STATE/mockdns.pid" ] && proc_status "mock DNS" "$STATE/mockdns.pid"
	return 0
}
