#!/bin/sh
# tests/t-nginx.sh -- the shipped NGINX template renders to a
# configuration nginx accepts, with one location per route group.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
n=0; failed=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
if ! command -v nginx >/dev/null 2>&1; then echo "1..0 # SKIP nginx not installed"; exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tmp"
sed -e "s|@LISTEN@|127.0.0.1:1|g" -e "s|@RUNDIR@|$tmp|g" \
    -e "s|@HTDOCS@|$top_srcdir/htdocs|g" -e "s|@BODYMAX@|1m|g" \
    "$top_srcdir/conf/nginx/iocagg.conf.in" > "$tmp/site.conf"
cat > "$tmp/nginx.conf" <<NGX
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
	client_body_temp_path $tmp/tmp/b; proxy_temp_path $tmp/tmp/p;
	fastcgi_temp_path $tmp/tmp/f; uwsgi_temp_path $tmp/tmp/u; scgi_temp_path $tmp/tmp/s;
	access_log off;
	include $tmp/site.conf;
}
NGX
nginx -t -q -c "$tmp/nginx.conf" -p "$tmp/" -e "$tmp/error.log" 2>"$tmp/out"
t $? "the rendered template passes nginx -t"
grep -q '@[A-Z]*@' "$tmp/site.conf"; [ $? -ne 0 ]; t $? "no placeholder is left"
groups=$(sed -n 's/^FCGI_GROUPS = //p' "$top_srcdir/fcgi/local.mk")
for g in $groups; do
	grep -q "fastcgi_pass unix:$tmp/$g.sock;" "$tmp/site.conf"
	t $? "route group $g has its location"
done
grep -q 'return 404 .{"error":{"code":"not_found"' "$tmp/site.conf"
t $? "unknown API paths get the JSON 404"
if [ -f "$top_builddir/conf/nginx/iocagg.conf" ]; then
	grep -q 'unix:/run/iocagg/health.sock' "$top_builddir/conf/nginx/iocagg.conf"
	t $? "the installed site points at /run/iocagg"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
