# tools/devstack.d/scheduler.sh -- iocagg-schedulerd(8), the background
# task scheduler, run from the tree like the FastCGI programs: pid file
# $STATE/iocagg-schedulerd.pid, log $STATE/log/iocagg-schedulerd.log.
#
#   tools/devstack scheduler-start   start it if it is not running
#                                    (tests restart one they stopped)
#   tools/devstack scheduler-stop    stop it (SIGTERM, by its pid)

# Is the process of pid file $1 alive?  A killed one may stay a zombie
# for a while before it is reaped: that one is not.
sched_alive() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	! sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | grep -q '^Z'
}

up_scheduler() {
	local pidf=$STATE/iocagg-schedulerd.pid log=$STATE/log/iocagg-schedulerd.log
	local bin=$SRC/daemons/iocagg-schedulerd i n
	if sched_alive "$pidf"; then
		return 0
	fi
	[ -x "$bin" ] || die "$bin is not built"
	touch "$log"
	n=$(grep -c '] ready$' "$log" || true)
	IOCAGG_CONF="$STATE/iocagg.conf" setsid "$bin" -f "$STATE/iocagg.conf" \
	    >>"$log" 2>&1 </dev/null &
	echo $! > "$pidf"
	# Ready once it has connected and read the sources.
	for i in $(seq 100); do
		[ "$(grep -c '] ready$' "$log" || true)" -gt "$n" ] && return 0
		sched_alive "$pidf" ||
		    die "iocagg-schedulerd did not start (see $log)"
		sleep 0.1
	done
	die "iocagg-schedulerd is not ready (see $log)"
}

down_scheduler() {
	stop_pidfile "$STATE/iocagg-schedulerd.pid"
}

status_scheduler() {
	proc_status iocagg-schedulerd "$STATE/iocagg-schedulerd.pid"
}

cmd_scheduler_start() {
	mkdir -p "$STATE/log"
	load_ports
	up_scheduler
}

cmd_scheduler_stop() {
	down_scheduler
}
