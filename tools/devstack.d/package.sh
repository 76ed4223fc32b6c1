# tools/devstack.d/package.sh -- "tools/devstack package": build the
# Debian packages from a clean copy of the checkout, check them with
# lintian, install them into a fresh debootstrap tree and on this
# machine, check what they installed, run
# the maintainer scripts' migrations against a private PostgreSQL, then
# purge them and check that nothing is left.
#
#   tools/devstack package [--check] [--keep] [--no-chroot]
#	--check	run "make check" inside the package build (nocheck otherwise:
#		the tests run in "tools/devstack test")
#	--keep	leave the packages installed (no purge) and the build tree
#	--no-chroot
#		skip the install into a fresh debootstrap tree (which needs
#		a Debian mirror: IOCAGG_PKG_MIRROR, default deb.debian.org)
#
# The .deb files, the build log and lintian's output are kept in
# $STATE/package/.  Sourced by tools/devstack: uses say, die, as_root,
# pg_run, load_ports, pg_start, pg_stop, rundir and $SRC, $STATE.

# What building and checking the packages needs, besides debian/control's
# Build-Depends.
PKG_TOOLS="dpkg-dev debhelper dh-autoreconf lintian fakeroot build-essential
 git systemd"

pkg_n=0
pkg_failed=0
pkg_ok() {
	pkg_n=$((pkg_n + 1))
	printf 'ok %d - %s\n' "$pkg_n" "$*"
}
pkg_fail() {
	pkg_n=$((pkg_n + 1))
	pkg_failed=$((pkg_failed + 1))
	printf 'FAIL %d - %s\n' "$pkg_n" "$*"
}
# pkg_t DESCRIPTION COMMAND...: one check.
pkg_t() {
	local d=$1
	shift
	if "$@" >>"$PKG_OUT/checks.log" 2>&1; then pkg_ok "$d"; else pkg_fail "$d"; fi
}

pkg_missing() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	echo "$missing"
}

pkg_apt() {
	say "installing:$*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "$@" >/dev/null
}

# The build dependencies debian/control names that are not installed.
pkg_builddeps() {
	local missing
	missing=$(pkg_missing $PKG_TOOLS)
	# shellcheck disable=SC2086
	[ -n "$missing" ] && pkg_apt $missing
	missing=$(cd "$1" && { dpkg-checkbuilddeps 2>&1 || true; } |
	    sed -n 's/.*Unmet build dependencies: //p' |
	    sed -e 's/([^)]*)//g' -e 's/<[^>]*>//g' -e 's/|[^ ]*//g')
	# shellcheck disable=SC2086
	[ -n "$missing" ] && pkg_apt $missing
	return 0
}

# Every library configure.ac asks pkg-config for comes from a package of
# Build-Depends (a build on this machine cannot tell: it has them all).
pkg_builddeps_cover() {
	local bd m pc owner
	bd=$(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' "$1/debian/control" |
	    sed -e 's/^Build-Depends://' -e '/^[A-Z][A-Za-z-]*:/d' | tr ',' '\n' |
	    sed -e 's/[(<].*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | grep .)
	for m in $(sed -n 's/^PKG_CHECK_MODULES(\[[A-Z_]*\], *\[\([^] ]*\).*/\1/p' \
	    "$1/configure.ac") systemd; do
		pc=$(pkg-config --path "$m") || { echo "no pkg-config file for $m"; return 1; }
		owner=$(dpkg -S "$pc" 2>/dev/null | head -1 | cut -d: -f1)
		if ! printf '%s\n' "$bd" | grep -qx "$owner"; then
			echo "$m ($pc) comes from $owner, which Build-Depends lacks"
			return 1
		fi
	done
}

# Copy the files git knows of (tracked and new, not ignored) into "$1":
# nothing the working tree built can leak into the package.
pkg_export() {
	mkdir -p "$1"
	(cd "$SRC" && git ls-files -z -c -o --exclude-standard |
	    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
	    tar -C "$1" -xf -
	[ -f "$1/configure.ac" ] && [ -d "$1/debian" ]
}

# Every path the installed packages own, from dpkg.
pkg_owned() {
	dpkg-query -L iocagg iocagg-cli 2>/dev/null | grep '^/.' | grep -vx '/\.' |
	    sort -u
}

pkg_purge() {
	as_root env DEBIAN_FRONTEND=noninteractive dpkg --purge \
	    iocagg-cli iocagg >>"$PKG_OUT/install.log" 2>&1
}

# A database_url that reaches nothing: "dpkg-reconfigure iocagg" must
# still succeed, and tell why it did not migrate.
pkg_db_down() {
	local conf=/etc/iocagg/iocagg.conf rc=0
	as_root cat "$conf" >"$PKG_TMP/iocagg.conf.orig"
	echo 'database_url = "host=/nonexistent/iocagg dbname=iocagg"' |
	    as_root tee -a "$conf" >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive dpkg-reconfigure iocagg \
	    >"$PKG_TMP/reconf.out" 2>&1 || rc=1
	as_root cp "$PKG_TMP/iocagg.conf.orig" "$conf"
	cat "$PKG_TMP/reconf.out"
	[ "$rc" = 0 ] && grep -q "cannot be reached" "$PKG_TMP/reconf.out"
}

# Migrations from postinst: a private cluster, database_url set in the
# installed iocagg.conf, "dpkg-reconfigure iocagg"; the schema must then
# be there.  The cluster is this function's own state folder.
pkg_migrations() {
	local conf=/etc/iocagg/iocagg.conf run n rc=0
	local STATE=$PKG_TMP/state
	mkdir -p "$STATE/log"
	chmod 755 "$STATE"
	run=$(rundir)
	mkdir -p "$run"
	chmod 755 "$run"
	load_ports
	pg_start
	createdb -h "$run" -p "$PG_PORT" -U postgres iocagg
	as_root cat "$conf" >"$PKG_TMP/iocagg.conf.orig"
	printf 'database_url = "host=%s port=%s dbname=iocagg user=postgres"\n' \
	    "$run" "$PG_PORT" | as_root tee -a "$conf" >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive dpkg-reconfigure iocagg \
	    >>"$PKG_OUT/install.log" 2>&1 || rc=1
	n=$(psql -h "$run" -p "$PG_PORT" -U postgres -Atqc \
	    "SELECT count(*) FROM schema_migrations" iocagg 2>/dev/null || echo 0)
	# The installed program, as the installed units run it (user
	# iocagg, the installed iocagg.conf), answers a request (CGI mode).
	as_root runuser -u iocagg -- env -i PATH=/usr/bin:/bin \
	    IOCAGG_CONF="$conf" REQUEST_METHOD=GET DOCUMENT_URI=/api/v1/health \
	    QUERY_STRING= /usr/libexec/iocagg/iocagg-health </dev/null \
	    >"$PKG_TMP/health.out" 2>&1 || rc=1
	cat "$PKG_TMP/health.out"
	grep -q '"database":"ok"' "$PKG_TMP/health.out" || rc=1
	as_root cp "$PKG_TMP/iocagg.conf.orig" "$conf"
	pg_stop
	case $(cat "$STATE/pgdir" 2>/dev/null) in
	/tmp/iocagg-pg.*) rm -rf "$(cat "$STATE/pgdir")" ;;
	esac
	rm -rf "$run"
	echo "migrations applied by postinst: $n" >>"$PKG_OUT/checks.log"
	[ "$rc" = 0 ] && [ "${n:-0}" -gt 0 ]
}

# Every unit the package installed passes systemd-analyze verify; the
# notes about units the machine lacks (postgresql, redis-server) and
# about sandboxing the machine's kernel or manager cannot apply here are
# not failures.
pkg_verify_units() {
	local out
	out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	    /lib/systemd/system/iocagg-*.service \
	    /lib/systemd/system/iocagg-*.socket 2>&1) || {
		printf '%s\n' "$out"
		return 1
	}
	printf '%s\n' "$out"
	! printf '%s\n' "$out" |
	    grep -v "Failed to resolve unit\|configured as\|dependency" | grep -q .
}

pkg_man() {
	local p
	for p in "1 iocagg" "8 iocaggctl" "7 iocagg" "7 iocagg-sources" \
	    "5 iocagg.conf" "8 iocagg-fcgi" "8 iocagg-python-runner" \
	    "8 iocagg-js-runner"; do
		MANPATH=/usr/share/man man -w ${p% *} ${p#* } || return 1
	done
	# Every program under libexec has a page, its own or iocagg-fcgi(8).
	for p in /usr/libexec/iocagg/*; do
		p=${p##*/}
		[ -e "/usr/share/man/man8/$p.8.gz" ] ||
		    zgrep -q "^\.Nm $p" /usr/share/man/man8/iocagg-fcgi.8.gz ||
		    { echo "no page for $p"; return 1; }
	done
}

# The files of the issue's layout, and their owners and modes.
pkg_files() {
	local f g
	for f in /usr/bin/iocagg /usr/sbin/iocaggctl \
	    /usr/libexec/iocagg/iocagg-python-runner \
	    /usr/libexec/iocagg/iocagg-js-runner; do
		[ -x "$f" ] || { echo "missing $f"; return 1; }
	done
	for g in $FCGI_GROUPS; do
		[ -x "/usr/libexec/iocagg/iocagg-$g" ] ||
		    { echo "missing iocagg-$g"; return 1; }
		[ -f "/lib/systemd/system/iocagg-$g.socket" ] &&
		    [ -f "/lib/systemd/system/iocagg-$g.service" ] ||
		    { echo "missing units of iocagg-$g"; return 1; }
	done
	for f in /etc/nginx/sites-available/iocagg.conf \
	    /usr/share/iocagg/htdocs/index.html \
	    /usr/share/iocagg/sql/0001-schema.sql \
	    /usr/share/iocagg/docs/openapi.json \
	    /lib/systemd/system/iocagg-python-runner.service \
	    /lib/systemd/system/iocagg-js-runner.service \
	    /usr/share/doc/iocagg/copyright /usr/share/doc/iocagg-cli/copyright; do
		[ -f "$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(stat -c '%U:%G %a' /etc/iocagg/iocagg.conf)" = "root:iocagg 640" ] ||
	    { echo "iocagg.conf: $(stat -c '%U:%G %a' /etc/iocagg/iocagg.conf)"; return 1; }
	for f in /etc/iocagg/secret.key /etc/iocagg/jwt.key; do
		[ "$(stat -c '%U %a %s' "$f" 2>/dev/null)" = "root 600 65" ] ||
		    { echo "$f: $(stat -c '%U %a %s' "$f" 2>&1)"; return 1; }
	done
	# The SQL migrations of the tree built, all of them.
	for f in "${tree:-$SRC}"/sql/[0-9][0-9][0-9][0-9]-*.sql; do
		[ -f "/usr/share/iocagg/sql/${f##*/}" ] ||
		    { echo "missing sql/${f##*/}"; return 1; }
	done
	grep -q "root /usr/share/iocagg/htdocs;\|/usr/share/iocagg/htdocs" \
	    /etc/nginx/sites-available/iocagg.conf
}

# The shipped site, included in a minimal nginx.conf, passes nginx -t.
pkg_nginx() {
	command -v nginx >/dev/null 2>&1 || { echo "nginx not installed: skipped"; return 0; }
	mkdir -p "$PKG_TMP/nginx"
	cat >"$PKG_TMP/nginx/nginx.conf" <<NGX
pid $PKG_TMP/nginx/nginx.pid;
error_log $PKG_TMP/nginx/error.log;
events {}
http {
	include /etc/nginx/mime.types;
	client_body_temp_path $PKG_TMP/nginx/body;
	proxy_temp_path $PKG_TMP/nginx/proxy;
	fastcgi_temp_path $PKG_TMP/nginx/fastcgi;
	uwsgi_temp_path $PKG_TMP/nginx/uwsgi;
	scgi_temp_path $PKG_TMP/nginx/scgi;
	include /etc/nginx/sites-available/iocagg.conf;
}
NGX
	nginx -t -q -c "$PKG_TMP/nginx/nginx.conf" -p "$PKG_TMP/nginx/" \
	    -e "$PKG_TMP/nginx/error.log"
}

# A fresh debootstrap tree of this machine's release: the packages
# install there with nothing but what they depend on, every program finds
# its libraries and starts, and the purge leaves nothing.  The machine's
# own installation cannot show a missing dependency: it has them all.
pkg_chroot() {
	local c=$PKG_TMP/chroot suite
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	as_root debootstrap --variant=minbase "$suite" "$c" \
	    "${IOCAGG_PKG_MIRROR:-http://deb.debian.org/debian}" \
	    >"$PKG_OUT/debootstrap.log" 2>&1 ||
	    { echo "debootstrap failed: see $PKG_OUT/debootstrap.log"; return 1; }
	# Nothing is started in the tree.
	printf '#!/bin/sh\nexit 101\n' | as_root tee "$c/usr/sbin/policy-rc.d" >/dev/null
	as_root chmod 755 "$c/usr/sbin/policy-rc.d"
	as_root mkdir -p "$c/tmp/debs"
	as_root cp "$PKG_OUT"/iocagg_*.deb "$PKG_OUT"/iocagg-cli_*.deb "$c/tmp/debs/"
	as_root chroot "$c" env DEBIAN_FRONTEND=noninteractive sh -c \
	    'apt-get update -q && apt-get install -y -q --no-install-recommends /tmp/debs/*.deb' ||
	    { echo "the packages do not install in a fresh $suite"; return 1; }
	as_root chroot "$c" env DEBIAN_FRONTEND=noninteractive sh -ec '
		getent passwd iocagg
		test "$(stat -c "%U:%G %a" /etc/iocagg/iocagg.conf)" = "root:iocagg 640"
		for k in secret jwt; do
			test "$(stat -c "%U %a" /etc/iocagg/$k.key)" = "root 600"
		done
		for p in /usr/bin/iocagg /usr/sbin/iocagg* /usr/libexec/iocagg/*; do
			if ldd "$p" | grep "not found"; then
				echo "$p: a library is missing"; exit 1
			fi
		done
		iocagg --help | grep -q "^usage: iocagg"
		iocaggctl check >/dev/null
		/usr/libexec/iocagg/iocagg-python-runner -n
		/usr/libexec/iocagg/iocagg-js-runner -n
		test -s /usr/share/man/man7/iocagg-sources.7.gz
		dpkg --purge iocagg-cli iocagg
		for d in /etc/iocagg /usr/libexec/iocagg /usr/share/iocagg \
		    /usr/bin/iocagg /usr/sbin/iocaggctl; do
			if [ -e "$d" ]; then echo "left: $d"; exit 1; fi
		done
		if [ -n "$(find /var/lib/systemd/deb-systemd-helper-enabled \
		    /etc/systemd/system -name "*iocagg*" 2>/dev/null)" ]; then
			echo "left: deb-systemd-helper state"; exit 1
		fi
	'
}

# After the purge: no path the packages owned, no key, no unit state.
pkg_gone() {
	local f left=0
	while read -r f; do
		[ -e "$f" ] || continue
		# Directories shared with other packages stay.
		[ -d "$f" ] && [ "$(dpkg-query -S "$f" 2>/dev/null)" ] && continue
		echo "left: $f"
		left=1
	done <"$PKG_TMP/owned"
	for f in /etc/iocagg /usr/libexec/iocagg /usr/share/iocagg \
	    /usr/share/doc/iocagg /usr/share/doc/iocagg-cli; do
		[ -e "$f" ] && { echo "left: $f"; left=1; }
	done
	if [ -n "$(find /var/lib/systemd/deb-systemd-helper-enabled \
	    /var/lib/systemd/deb-systemd-helper-masked /etc/systemd/system \
	    -name '*iocagg*' 2>/dev/null)" ]; then
		echo "left: deb-systemd-helper state"
		left=1
	fi
	[ "$left" = 0 ]
}

cmd_package() {
	local check=0 keep=0 chroot=1 arg t0 tbuild tlint tinst tpurge tchroot
	local deb lerr lwarn
	for arg in "$@"; do
		case $arg in
		--check) check=1 ;;
		--keep) keep=1 ;;
		--no-chroot) chroot=0 ;;
		*) die "usage: tools/devstack package [--check] [--keep] [--no-chroot]" ;;
		esac
	done
	command -v git >/dev/null 2>&1 && [ -e "$SRC/.git" ] ||
	    die "package: needs a git checkout (the files it builds from)"
	PKG_OUT=$STATE/package
	rm -rf "$PKG_OUT"
	mkdir -p "$PKG_OUT"
	: >"$PKG_OUT/checks.log"
	PKG_TMP=$(mktemp -d /tmp/iocagg-pkg.XXXXXX)
	chmod 755 "$PKG_TMP"
	# shellcheck disable=SC2064
	[ "$keep" = 1 ] || trap "as_root rm -rf '$PKG_TMP'" EXIT

	local ver tree
	ver=$(sed -n '1s/^iocagg (\([^)]*\)).*/\1/p' "$SRC/debian/changelog")
	tree=$PKG_TMP/iocagg-$ver
	pkg_export "$tree" || die "package: could not copy the tree"
	pkg_builddeps "$tree"

	pkg_t "Build-Depends names every library of configure.ac" \
	    pkg_builddeps_cover "$tree"

	# 1. Build.
	say "building the packages in $tree (log: $PKG_OUT/build.log)"
	t0=$(date +%s)
	local opts="parallel=$(nproc)"
	[ "$check" = 1 ] || opts="$opts nocheck"
	if (cd "$tree" && DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b) \
	    >"$PKG_OUT/build.log" 2>&1; then
		pkg_ok "dpkg-buildpackage -us -uc -b"
	else
		pkg_fail "dpkg-buildpackage -us -uc -b"
		tail -30 "$PKG_OUT/build.log" >&2
		echo "package: FAIL (the build failed; see $PKG_OUT/build.log)"
		return 1
	fi
	tbuild=$(($(date +%s) - t0))
	cp "$PKG_TMP"/*.deb "$PKG_TMP"/*.changes "$PKG_TMP"/*.buildinfo "$PKG_OUT"/
	for deb in "$PKG_OUT"/*.deb; do
		echo "  ${deb##*/}: $(dpkg-deb -f "$deb" Depends)" >>"$PKG_OUT/checks.log"
	done
	# The build tree was configured as Debian's (--prefix=/usr
	# --sysconfdir=/etc --localstatedir=/var): its "make install" layout.
	pkg_t "tests/t-install.sh in the package's build tree (Debian layout)" \
	    env top_srcdir="$tree" top_builddir="$tree" sh "$tree/tests/t-install.sh"
	pkg_t "both packages depend on shared libraries through shlibs" \
	    sh -c "dpkg-deb -f '$PKG_OUT'/iocagg_*.deb Depends | grep -q libpq5 &&
	        dpkg-deb -f '$PKG_OUT'/iocagg-cli_*.deb Depends | grep -q libcurl"

	# 2. lintian: no error.
	t0=$(date +%s)
	lintian --tag-display-limit 0 -I "$PKG_OUT"/*.changes \
	    >"$PKG_OUT/lintian.txt" 2>&1 || true
	tlint=$(($(date +%s) - t0))
	lerr=$(grep -c '^E: ' "$PKG_OUT/lintian.txt" || true)
	lwarn=$(grep -c '^W: ' "$PKG_OUT/lintian.txt" || true)
	if [ "$lerr" -eq 0 ]; then
		pkg_ok "lintian: no error ($lwarn warnings, see $PKG_OUT/lintian.txt)"
	else
		pkg_fail "lintian: $lerr errors"
		grep '^E: ' "$PKG_OUT/lintian.txt" >&2
	fi

	# 3. A fresh tree first, then this machine.
	if [ "$chroot" = 1 ]; then
		[ -n "$(pkg_missing debootstrap)" ] && pkg_apt debootstrap
		t0=$(date +%s)
		pkg_t "in a fresh debootstrap tree: install, programs start, purge leaves nothing" \
		    pkg_chroot
		tchroot=$(($(date +%s) - t0))
		as_root rm -rf "$PKG_TMP/chroot"
	fi

	# Install on this machine (a leftover of an earlier run goes first).
	t0=$(date +%s)
	pkg_purge || true
	if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends "$PKG_OUT"/iocagg_*.deb \
	    "$PKG_OUT"/iocagg-cli_*.deb >"$PKG_OUT/install.log" 2>&1; then
		pkg_ok "the packages install"
	else
		pkg_fail "the packages install"
		tail -20 "$PKG_OUT/install.log" >&2
		echo "package: FAIL (see $PKG_OUT/install.log)"
		return 1
	fi
	tinst=$(($(date +%s) - t0))
	pkg_owned >"$PKG_TMP/owned"
	pkg_t "postinst made the system user iocagg" getent passwd iocagg
	pkg_t "files, owners and modes as installed" pkg_files
	pkg_t "manual pages" pkg_man
	pkg_t "systemd-analyze verify of the installed units" pkg_verify_units
	pkg_t "units installed, not enabled" sh -c \
	    'test -z "$(find /etc/systemd/system -name "iocagg-*")"'
	pkg_t "iocagg --help" sh -c 'iocagg --help | grep -q "^usage: iocagg"'
	pkg_t "iocaggctl prints its usage" sh -c \
	    'iocaggctl 2>&1 | grep -q "^usage: iocaggctl"; test $? = 0'
	pkg_t "iocaggctl check reads the installed configuration" \
	    as_root iocaggctl check
	pkg_t "the runners check the installed configuration" as_root sh -c \
	    '/usr/libexec/iocagg/iocagg-python-runner -n &&
	     /usr/libexec/iocagg/iocagg-js-runner -n'
	pkg_t "nginx -t accepts the installed site" pkg_nginx
	pkg_t "postinst succeeds, and says so, when the database is down" \
	    pkg_db_down
	pkg_t "postinst applies the migrations when database_url is set; the installed iocagg-health reaches the database" \
	    pkg_migrations

	# 4. Purge: nothing left.
	if [ "$keep" = 1 ]; then
		say "kept installed; build tree in $PKG_TMP"
	else
		t0=$(date +%s)
		if pkg_purge; then
			pkg_ok "the packages purge"
		else
			pkg_fail "the packages purge"
		fi
		tpurge=$(($(date +%s) - t0))
		pkg_t "nothing left after the purge" pkg_gone
		getent passwd iocagg >/dev/null &&
		    echo "# the system user iocagg is kept (Debian policy); deluser --system iocagg removes it"
	fi

	echo "# build ${tbuild}s, lintian ${tlint}s, debootstrap tree ${tchroot:-0}s, install ${tinst}s, purge ${tpurge:-0}s; $lerr lintian errors, $lwarn warnings"
	echo "# packages, logs and lintian output in $PKG_OUT"
	if [ "$pkg_failed" -eq 0 ]; then
		echo "package: PASS ($pkg_n checks)"
		return 0
	fi
	echo "package: FAIL ($pkg_failed of $pkg_n checks failed; see $PKG_OUT/checks.log)"
	return 1
}
