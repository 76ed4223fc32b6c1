#!/bin/sh
# tests/t-mandoc.sh -- the manual pages: every page passes
# "mandoc -Tlint -W warning"; each program's SYNOPSIS matches its usage()
# and documents each of its options; every key of keys[] in lib/conf.c
# is documented in iocagg.conf(5) and in conf/iocagg.conf, and no other.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
# configure sets MANDOC to "no" when it found none: try the PATH then.
case ${MANDOC:-} in
''|no)	MANDOC=mandoc ;;
esac
if ! command -v "$MANDOC" >/dev/null 2>&1; then
	echo "1..0 # SKIP mandoc not installed"
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
# Show a file (or a message) as TAP comments.
diag() {
	if [ -f "$1" ]; then sed 's/^/# /' "$1"; else echo "# $1"; fi
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
man=$top_srcdir/man
bs=$(printf '\b')
tab=$(printf '\t')

# 1. Lint every page.
for page in "$man"/*.[1-8]; do
	if [ ! -f "$page" ]; then
		t 1 "manual pages found in $man"
		break
	fi
	"$MANDOC" -Tlint -W warning "$page" >"$tmp/lint" 2>&1
	rc=$?
	t $rc "mandoc ${page#"$top_srcdir"/}"
	[ $rc -ne 0 ] && diag "$tmp/lint"
done

# The string literals of usage() in C file $1, one line per "\n", with
# "usage: " and the indentation removed and blanks squeezed.
usage_lines() {
	awk '
	/^usage\(/		{ in_usage = 1 }
	in_usage && /^}/	{ in_usage = 0 }
	in_usage {
		line = $0
		while (match(line, /"([^"\\]|\\.)*"/)) {
			buf = buf substr(line, RSTART + 1, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
	}
	END {
		n = split(buf, part, /\\n/)
		for (i = 1; i <= n; i++) {
			s = part[i]
			sub(/^usage:/, "", s)
			gsub(/[ \t]+/, " ", s)
			sub(/^ /, "", s)
			sub(/ $/, "", s)
			if (s != "")
				print s
		}
	}' "$1"
}

# The SYNOPSIS of page $1 as rendered, one line per utility.
synopsis_lines() {
	"$MANDOC" -Tascii -O width=250 "$1" 2>/dev/null | sed "s/.$bs//g" |
	    awk '
	/^SYNOPSIS$/		{ in_syn = 1; next }
	in_syn && /^[^ \t]/	{ in_syn = 0 }
	in_syn && NF {
		s = $0
		gsub(/[ \t]+/, " ", s)
		sub(/^ /, "", s)
		sub(/ $/, "", s)
		print s
	}'
}

# The source lines of section SYNOPSIS of page $1.
synopsis_src() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh [^S]/p' "$1"
}

# Every option letter of the getopt() calls in C file $1.
getopt_letters() {
	sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' "$1" |
	    tr -d '+:\n' | sed 's/./& /g'
}

# Compare the rendered SYNOPSIS of page $1 with the lines in file $2.
check_synopsis() {
	synopsis_lines "$1" >"$tmp/got"
	if [ -s "$2" ] && cmp -s "$2" "$tmp/got"; then
		t 0 "${1#"$top_srcdir"/}: SYNOPSIS matches usage()"
	else
		t 1 "${1#"$top_srcdir"/}: SYNOPSIS matches usage()"
		diag "usage():"; diag "$2"
		diag "SYNOPSIS:"; diag "$tmp/got"
	fi
}

# Option letters in $2 each have an ".It Fl x" entry in page $1, and
# appear in its SYNOPSIS source.
check_options() {
	synopsis_src "$1" >"$tmp/synsrc"
	for o in $2; do
		grep -q "^\.It Fl $o\( \|$\)" "$1" &&
		    grep -q "Fl [[:alnum:]]*$o" "$tmp/synsrc"
		t $? "${1#"$top_srcdir"/}: option -$o is documented"
	done
}

# 2. iocaggctl(8).
page=$man/iocaggctl.8
src=$top_srcdir/tools/iocaggctl.c
usage_lines "$src" >"$tmp/usage"
sed -n 's/^iocaggctl \[-f file\] \([a-z][a-z]*\( add\)\{0,1\}\).*/\1/p' \
    "$tmp/usage" >"$tmp/subcmds"
[ -s "$tmp/subcmds" ]
t $? "iocaggctl: subcommands found in usage()"
synopsis_src "$page" >"$tmp/synsrc"
while read -r sub; do
	grep -qx "\.Cm $sub" "$tmp/synsrc"
	t $? "iocaggctl.8: SYNOPSIS has $sub"
done <"$tmp/subcmds"
check_synopsis "$page" "$tmp/usage"
check_options "$page" "$(getopt_letters "$src")"

# 3. The FastCGI programs: each program of fcgi/local.mk is named in
# iocagg-fcgi(8) or has its own page man/iocagg-<group>.8; each page's
# SYNOPSIS has one line per program it names, matching usage().
page=$man/iocagg-fcgi.8
src=$top_srcdir/lib/http.c
progs=$(sed -n 's/^FCGI_GROUPS = //p' "$top_srcdir/fcgi/local.mk")
usage_lines "$src" >"$tmp/usage1"
: >"$tmp/usage"
for g in $progs; do
	if [ -f "$man/iocagg-$g.8" ]; then
		sed "s/%s/iocagg-$g/" "$tmp/usage1" >"$tmp/usage-$g"
		grep -qx "\.Nm iocagg-$g" "$man/iocagg-$g.8"
		t $? "iocagg-$g.8: names iocagg-$g"
		check_synopsis "$man/iocagg-$g.8" "$tmp/usage-$g"
		check_options "$man/iocagg-$g.8" "$(getopt_letters "$src")"
		continue
	fi
	sed "s/%s/iocagg-$g/" "$tmp/usage1" >>"$tmp/usage"
	grep -qx "\.Nm iocagg-$g\( ,\)\{0,1\}" "$page"
	t $? "iocagg-fcgi.8: names iocagg-$g"
done
check_synopsis "$page" "$tmp/usage"
check_options "$page" "$(getopt_letters "$src")"

# 4. Configuration keys.
conf5=$man/iocagg.conf.5
conffile=$top_srcdir/conf/iocagg.conf
sed -n "s/^$tab{ \"\([a-z0-9_]*\)\",.*/\1/p" "$top_srcdir/lib/conf.c" \
    >"$tmp/keys"
[ -s "$tmp/keys" ]
t $? "keys found in lib/conf.c"
while read -r key; do
	grep -q "^\.It Ic $key\( \|$\)" "$conf5"
	t $? "iocagg.conf.5 documents $key"
	grep -q "^#\{0,1\}$key =" "$conffile"
	t $? "conf/iocagg.conf shows $key"
done <"$tmp/keys"
sed -n '/^\.Sh KEYS/,/^\.Sh [^K]/p' "$conf5" |
    sed -n 's/^\.It Ic \([a-z0-9_]*\).*/\1/p' >"$tmp/doc5"
sed -n 's/^#\{0,1\}\([a-z0-9_]*\) =.*/\1/p' "$conffile" >"$tmp/docconf"
for f in "doc5 iocagg.conf.5" "docconf conf/iocagg.conf"; do
	extra=$(grep -vxF -f "$tmp/keys" "$tmp/${f%% *}" | grep -v -e "^source_url_" -e "^feed_url_")
	[ -z "$extra" ]
	t $? "${f#* } has no key that lib/conf.c lacks"
	[ -n "$extra" ] && diag "unknown: $extra"
done

echo "1..$n"
[ "$failed" -eq 0 ]
