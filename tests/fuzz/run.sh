#!/bin/sh
# tests/fuzz/run.sh [seconds] [target...] -- build the libFuzzer targets
# with clang (ASan + UBSan) against the lib/ sources and run each for
# the given time (default 60 s).  Needs clang and libclang-rt-14-dev.
# Findings land in tests/fuzz/out/ (git-ignored).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}; [ $# -gt 0 ] && shift
targets=${*:-"indicator request json conf jwt"}
out=$top/tests/fuzz/out
mkdir -p "$out"
printf '#define PACKAGE_VERSION "fuzz"\n' > "$out/config.h"
CFLAGS="-g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$out -I$top/lib -DHAVE_EXPLICIT_BZERO"
LIBSRC="$top/lib/jwt.c $top/lib/secret.c $top/lib/compat.c $top/lib/xmalloc.c $top/lib/log.c $top/lib/conf.c $top/lib/json.c $top/lib/http.c $top/lib/nanoid.c $top/lib/slug.c $top/lib/indicator.c $top/lib/auth.c $top/lib/db.c $top/lib/kv.c"
LIBS=$(pkg-config --cflags --libs json-c libcurl libsodium libpq hiredis fcgi libsystemd openssl)
for t in $targets; do
	echo "== fuzz-$t ($secs s)"
	# shellcheck disable=SC2086
	clang $CFLAGS -o "$out/fuzz-$t" "$top/tests/fuzz/fuzz-$t.c" $LIBSRC $LIBS
	mkdir -p "$out/corpus-$t"
	(cd "$out" && ./fuzz-$t -max_total_time="$secs" -max_len=8192 \
	    -print_final_stats=1 "corpus-$t" 2>&1 | tail -12)
done
