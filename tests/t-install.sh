#!/bin/sh
# tests/t-install.sh -- "make install DESTDIR=..." of this build puts
# every file where configure said: programs in bindir, sbindir and
# pkglibexecdir, iocagg.conf in sysconfdir/iocagg, the systemd units in
# the unit directory, the NGINX site, htdocs, the API documentation and
# the SQL migrations under pkgdatadir, the manual pages under mandir;
# nothing else, and "make uninstall" takes it all back.  A build
# configured with --prefix=/usr --sysconfdir=/etc --localstatedir=/var
# must also give the literal paths of the Debian layout.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}

if [ ! -f "$top_builddir/Makefile" ]; then
	echo "1..0 # SKIP not configured"
	exit 0
fi

n=0; failed=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
diag() { sed 's/^/# /' "$1"; }

tmp=$(mktemp -d) || exit 1
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
D=$tmp/root

# A variable of the configured Makefile, expanded as make expands it
# (the last line: make may first remake a stale Makefile, and say so).
mkvar() {
	printf 'iocagg-print-var:\n\t@echo "=$(%s)"\n' "$1" |
	    make -s --no-print-directory -C "$top_builddir" -f Makefile -f - \
	    iocagg-print-var 2>/dev/null | sed -n 's/^=//p' | tail -1
}
for v in prefix exec_prefix bindir sbindir libexecdir pkglibexecdir \
    sysconfdir localstatedir datadir pkgdatadir mandir systemdsystemunitdir \
    FCGI_GROUPS; do
	eval "$v=\$(mkvar $v)"
done
echo "# prefix=$prefix sysconfdir=$sysconfdir pkglibexecdir=$pkglibexecdir"
echo "# pkgdatadir=$pkgdatadir mandir=$mandir units=${systemdsystemunitdir:-none}"
[ -n "$prefix" ] && [ -n "$pkglibexecdir" ] && [ -n "$FCGI_GROUPS" ]
t $? "configured directories read from the Makefile"

# 1. Install.
make -C "$top_builddir" install DESTDIR="$D" >"$tmp/install.log" 2>&1
rc=$?
t $rc "make install DESTDIR=..."
[ $rc -ne 0 ] && tail -30 "$tmp/install.log" | sed 's/^/# /'
(cd "$D" && find . ! -type d | sed 's|^\.||' | sort) >"$tmp/files"

# has KIND PATH: PATH (configured, without DESTDIR) was installed.
has() {
	case $1 in
	x) [ -f "$D$2" ] && [ -x "$D$2" ] ;;
	f) [ -f "$D$2" ] ;;
	esac
	t $? "installed $2"
}

# 2. Programs.
has x "$bindir/iocagg"
has x "$sbindir/iocaggctl"
for g in $FCGI_GROUPS; do
	has x "$pkglibexecdir/iocagg-$g"
done
has x "$pkglibexecdir/iocagg-python-runner"
has x "$pkglibexecdir/iocagg-js-runner"
# Every program the build makes is installed (the scheduler daemon too,
# wherever daemons/local.mk puts it).
for p in "$top_builddir"/daemons/iocagg-*; do
	[ -x "$p" ] || continue
	grep -q "/${p##*/}\$" "$tmp/files"
	t $? "installed daemons/${p##*/}"
done

# 3. Configuration, the NGINX site, the units.
has f "$sysconfdir/iocagg/iocagg.conf"
cmp -s "$D$sysconfdir/iocagg/iocagg.conf" "$top_srcdir/conf/iocagg.conf"
t $? "iocagg.conf is conf/iocagg.conf"
site=$sysconfdir/nginx/sites-available/iocagg.conf
has f "$site"
grep -q "$pkgdatadir/htdocs" "$D$site" && ! grep -q '@[A-Z]*@' "$D$site"
t $? "the NGINX site serves $pkgdatadir/htdocs, no placeholder left"
if [ -n "$systemdsystemunitdir" ]; then
	for g in $FCGI_GROUPS; do
		has f "$systemdsystemunitdir/iocagg-$g.socket"
		has f "$systemdsystemunitdir/iocagg-$g.service"
		grep -qx "ExecStart=$pkglibexecdir/iocagg-$g" \
		    "$D$systemdsystemunitdir/iocagg-$g.service"
		t $? "iocagg-$g.service starts $pkglibexecdir/iocagg-$g"
	done
	for r in python js; do
		u=$systemdsystemunitdir/iocagg-$r-runner.service
		has f "$u"
		grep -qx "ExecStart=$pkglibexecdir/iocagg-$r-runner" "$D$u"
		t $? "iocagg-$r-runner.service starts $pkglibexecdir/iocagg-$r-runner"
	done
	bad=$(grep -l "IOCAGG_CONF=" "$D$systemdsystemunitdir"/iocagg-*.service |
	    xargs grep -L "^Environment=IOCAGG_CONF=$sysconfdir/iocagg/iocagg.conf\$")
	[ -z "$bad" ]
	t $? "units read $sysconfdir/iocagg/iocagg.conf"
else
	echo "# no systemd unit directory configured: units not checked"
fi

# 4. Data: the browser interface, the API documentation, migrations.
has f "$pkgdatadir/htdocs/index.html"
has f "$pkgdatadir/docs/openapi.json"
for f in "$top_srcdir"/sql/[0-9][0-9][0-9][0-9]-*.sql; do
	has f "$pkgdatadir/sql/${f##*/}"
done

# 5. Manual pages: every page of man/ in its section.
for f in "$top_srcdir"/man/*.[1-8]; do
	b=${f##*/}
	has f "$mandir/man${b##*.}/$b"
done

# 6. The programs look for their files where they were installed.
if [ -x "$D$sbindir/iocaggctl" ]; then
	"$D$sbindir/iocaggctl" -f "$D$sysconfdir/iocagg/iocagg.conf" check \
	    >"$tmp/check" 2>&1
	grep -qx "sql_dir = $pkgdatadir/sql" "$tmp/check" &&
	    grep -qx "secret_key_file = $sysconfdir/iocagg/secret.key" "$tmp/check"
	rc=$?
	t $rc "iocaggctl's defaults: sql_dir and secret_key_file as configured"
	[ $rc -ne 0 ] && diag "$tmp/check"
fi

# 7. Nothing outside the configured directories.
out=$(grep -v -e "^$prefix/" -e "^$exec_prefix/" -e "^$sysconfdir/" \
    -e "^$localstatedir/" ${systemdsystemunitdir:+-e "^$systemdsystemunitdir/"} \
    "$tmp/files")
[ -z "$out" ]
t $? "nothing installed outside the configured directories"
[ -n "$out" ] && echo "$out" | sed 's/^/# outside: /'

# 8. The Debian layout of the issue, for that configuration.
if [ "$prefix" = /usr ] && [ "$sysconfdir" = /etc ] && [ "$localstatedir" = /var ]; then
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
	for f in /usr/bin/iocagg /usr/sbin/iocaggctl \
	    /usr/libexec/iocagg/iocagg-health /usr/libexec/iocagg/iocagg-requests \
	    /usr/libexec/iocagg/iocagg-python-runner /etc/iocagg/iocagg.conf \
	    /etc/nginx/sites-available/iocagg.conf \
	    /usr/share/iocagg/htdocs/index.html /usr/share/iocagg/sql/0001-schema.sql \
	    /usr/share/man/man1/iocagg.1 /usr/share/man/man8/iocaggctl.8 \
	    /usr/share/man/man5/iocagg.conf.5 /usr/share/man/man7/iocagg.7 \
	    ${unitdir:+$unitdir/iocagg-health.socket}; do
		[ -f "$D$f" ]
		t $? "Debian layout: $f"
	done
else
	echo "# prefix $prefix: the Debian layout (--prefix=/usr --sysconfdir=/etc) not checked"
fi

# 9. Uninstall takes everything back.
make -C "$top_builddir" uninstall DESTDIR="$D" >"$tmp/uninstall.log" 2>&1
rc=$?
left=$(cd "$D" && find . ! -type d)
[ $rc -eq 0 ] && [ -z "$left" ]
t $? "make uninstall DESTDIR=... removes every file"
[ -n "$left" ] && echo "$left" | sed 's/^/# left: /'

echo "1..$n"
[ "$failed" -eq 0 ]
