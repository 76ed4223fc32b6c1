#!/bin/sh
# tests/t-units.sh -- the rendered systemd units pass systemd-analyze
# verify (ExecStart pointed at the build tree) and carry the sandboxing
# every unit must have.
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
n=0; failed=0
units=$(ls "$top_builddir"/conf/systemd/*.service "$top_builddir"/conf/systemd/*.socket 2>/dev/null)
if [ -z "$units" ]; then echo "1..0 # SKIP units not built"; exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for u in $units; do
	base=$(basename "$u")
	n=$((n + 1))
	case $base in
	*.service)
		for key in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes \
		    ProtectHome=yes Type=notify SystemCallFilter=@system-service \
		    CapabilityBoundingSet= User=iocagg; do
			grep -q "^$key" "$u" || { echo "not ok $n - $base has $key"; failed=$((failed+1)); continue 2; }
		done
		if grep -q '[@%][A-Za-z]*[@%]' "$u"; then
			echo "not ok $n - $base has an unreplaced placeholder"
			failed=$((failed+1)); continue
		fi
		echo "ok $n - $base is sandboxed, placeholders replaced" ;;
	*.socket)
		grep -q '^ListenStream=/run/iocagg/.*\.sock$' "$u" &&
		    grep -q '^SocketMode=0660' "$u" &&
		    echo "ok $n - $base listens on a 0660 unix socket" ||
		    { echo "not ok $n - $base socket settings"; failed=$((failed+1)); } ;;
	esac
	# The runners live in runners/<dir>/, iocaggctl in tools/.
	sed -e "s|^ExecStart=.*/\(iocagg-[a-z]*\)|ExecStart=$top_builddir/fcgi/\1|" \
	    -e "s|^ExecStartPre=.*/\(iocagg-[a-z]*\)|ExecStartPre=$top_builddir/fcgi/\1|" \
	    -e "s|/fcgi/iocagg-python-runner|/runners/python/iocagg-python-runner|" \
	    -e "s|/fcgi/iocagg-js-runner|/runners/js/iocagg-js-runner|" \
	    -e "s|/fcgi/iocagg-schedulerd|/daemons/iocagg-schedulerd|" \
	    -e "s|^ExecStartPost=-.*/iocaggctl|ExecStartPost=-$top_builddir/tools/iocaggctl|" \
	    "$u" > "$tmp/$base"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	n=$((n + 1))
	if out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service ./*.socket 2>&1) &&
	    ! printf '%s' "$out" | grep -v "Failed to resolve unit\|configured as\|user/group\|dependency" | grep -q .; then
		echo "ok $n - systemd-analyze verify is clean"
	else
		echo "not ok $n - systemd-analyze verify"; printf '%s\n' "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
fi
echo "1..$n"
[ "$failed" -eq 0 ]
