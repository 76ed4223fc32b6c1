#!/bin/sh
# tests/t-fcgi-modes.sh -- a FastCGI program serves requests whichever
# way its socket arrives: systemd socket activation (fd 3), spawn-fcgi
# (fd 0) or its own "-s PATH"; and it stops cleanly on SIGTERM.  No
# database is running, so /health answers 503: that proves the request
# went through the program.
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
PROG=$top_builddir/fcgi/iocagg-health
n=0; failed=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
if ! command -v cgi-fcgi >/dev/null 2>&1; then
	echo "1..0 # SKIP cgi-fcgi (libfcgi-bin) not installed"; exit 0
fi
tmp=$(mktemp -d /tmp/t-fcgi.XXXXXX); trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export IOCAGG_CONF=/dev/null
export IOCAGG_DATABASE_URL="host=$tmp/nopg dbname=x connect_timeout=1"
export IOCAGG_WORKERS=2

ask() {		# socket -> response of GET /api/v1/health
	env -i REQUEST_METHOD=GET DOCUMENT_URI=/api/v1/health \
	    SCRIPT_NAME=/api/v1/health QUERY_STRING= \
	    cgi-fcgi -bind -connect "$1" 2>/dev/null
}
wait_sock() {
	i=0
	while [ ! -S "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
stops() {	# pid -> 0 if it exits within 3 s of SIGTERM
	kill -TERM "$1"
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$1" 2>/dev/null
}

# 1. Its own socket.
"$PROG" -s "$tmp/own.sock" 2>"$tmp/own.log" & pid=$!
wait_sock "$tmp/own.sock"
out=$(ask "$tmp/own.sock")
case $out in *"Status: 503"*'"database":"unavailable"'*) r=0 ;; *) r=1 ;; esac
t $r "-s PATH: the program binds and answers"
perm=$(stat -c %a "$tmp/own.sock" 2>/dev/null)
[ "$perm" = 660 ]; t $? "-s PATH: the socket is mode 0660"
out=$(ask "$tmp/own.sock"); out2=$(ask "$tmp/own.sock")
case $out$out2 in *503*503*) r=0 ;; *) r=1 ;; esac
t $r "-s PATH: the workers keep serving"
stops $pid; t $? "-s PATH: SIGTERM stops the program and its workers"
wait $pid; t $? "-s PATH: it exits with status 0"
[ ! -e "$tmp/own.sock" ]; t $? "-s PATH: the socket is removed"
pgrep -f "$tmp/own.sock" >/dev/null; [ $? -ne 0 ]; t $? "-s PATH: no worker is left"

# 2. systemd socket activation: the socket arrives as fd 3.
if command -v systemd-socket-activate >/dev/null 2>&1; then
	systemd-socket-activate -l "$tmp/sd.sock" "$PROG" 2>"$tmp/sd.log" & pid=$!
	wait_sock "$tmp/sd.sock"
	out=$(ask "$tmp/sd.sock")
	case $out in *"Status: 503"*) r=0 ;; *) r=1 ;; esac
	t $r "socket activation: fd 3 is served"
	stops $pid; t $? "socket activation: SIGTERM stops it"
fi

# 3. spawn-fcgi: the socket arrives as fd 0.
if command -v spawn-fcgi >/dev/null 2>&1; then
	spawn-fcgi -n -s "$tmp/sp.sock" -M 0600 -- "$PROG" 2>"$tmp/sp.log" & pid=$!
	wait_sock "$tmp/sp.sock"
	out=$(ask "$tmp/sp.sock")
	case $out in *"Status: 503"*) r=0 ;; *) r=1 ;; esac
	t $r "spawn-fcgi: fd 0 is served"
	stops $pid; t $? "spawn-fcgi: SIGTERM stops it"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
