#!/bin/sh
# tests/fuzz/run.sh [seconds] [target...] -- build the libFuzzer targets
# with clang (ASan + UBSan) against the lib/ sources and run each for
# the given time (default 60 s), one after the other, at the lowest CPU
# priority.  Needs clang and libclang-rt-14-dev.  Findings and each
# run's whole log (fuzz-<target>.log) land in tests/fuzz/out/
# (git-ignored); tests/fuzz/seeds/<target>/ and
# <target>.dict, when there, seed the corpus and give a dictionary.
# FUZZ_CFLAGS adds compiler flags, FUZZ_ARGS libFuzzer options (e.g.
# FUZZ_ARGS="-fork=1 -ignore_crashes=1").
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}; [ $# -gt 0 ] && shift
targets=${*:-"indicator request json conf jwt sources gsburl feed"}
out=$top/tests/fuzz/out
mkdir -p "$out"
printf '#define PACKAGE_VERSION "fuzz"\n' > "$out/config.h"
CFLAGS="-g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$out -I$top/lib -DHAVE_EXPLICIT_BZERO ${FUZZ_CFLAGS:-}"
LIBSRC="$top/lib/jwt.c $top/lib/secret.c $top/lib/compat.c $top/lib/xmalloc.c $top/lib/log.c $top/lib/conf.c $top/lib/json.c $top/lib/http.c $top/lib/nanoid.c $top/lib/slug.c $top/lib/indicator.c $top/lib/auth.c $top/lib/db.c $top/lib/kv.c"
LIBS=$(pkg-config --cflags --libs json-c libcurl libsodium libpq hiredis fcgi libsystemd openssl)
# The built-in sources (the registry pulls in all of them, the feed
# loader and the DNS client).
SOURCES=$(ls "$top"/lib/sources/*.c)
SRCLIBS=$(pkg-config --cflags --libs libarchive libcares)
for t in $targets; do
	echo "== fuzz-$t ($secs s)"
	case $t in
	sources)
		extra="$SOURCES $top/lib/feed.c"; xlibs=$SRCLIBS ;;
	feed)	# fuzz-feed.c includes lib/feed.c (its splitter is static).
		extra=$SOURCES; xlibs=$SRCLIBS ;;
	gsburl)
		extra=$top/lib/sources/gsb_url.c; xlibs= ;;
	*)	extra=; xlibs= ;;
	esac
	# shellcheck disable=SC2086
	nice -n 19 clang $CFLAGS -o "$out/fuzz-$t" "$top/tests/fuzz/fuzz-$t.c" \
	    $LIBSRC $extra $LIBS $xlibs
	mkdir -p "$out/corpus-$t"
	seeds=
	[ -d "$top/tests/fuzz/seeds/$t" ] && seeds=$top/tests/fuzz/seeds/$t
	[ -f "$top/tests/fuzz/seeds/$t.dict" ] &&
	    seeds="-dict=$top/tests/fuzz/seeds/$t.dict $seeds"
	# shellcheck disable=SC2086
	(cd "$out" && nice -n 19 ./fuzz-$t -max_total_time="$secs" \
	    -max_len=8192 -print_final_stats=1 ${FUZZ_ARGS:-} "corpus-$t" \
	    $seeds 2>&1 | tee "fuzz-$t.log" | tail -12)
done
