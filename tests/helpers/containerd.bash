# A private containerd for the engine tests (tests/engines/containerd.bats, cri.bats):
# started from its config with no fd of the test's, stopped by its pid, and the shims it
# started found by its socket.
#
#   start_containerd DIR            containerd --config DIR/config.toml, its log in
#                                   DIR/containerd.log; its pid in CONTAINERD_PID
#   stop_containerd PID SOCK        SIGTERM (SIGKILL if it stays), then the shims of SOCK;
#                                   what it had to clean up is printed, one line each
#                                   (nothing when all was clean)
#   shim_pids SOCK                  the shims serving that containerd
#   pid_alive PID, pid_gone PID     a zombie counts as gone
#
# SPDX-License-Identifier: LGPL-2.1-or-later

pid_alive() {
	[[ -d /proc/$1 ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
pid_gone() { ! pid_alive "$1"; }

# The shims of one containerd: the address on their command line is its alone.
shim_pids() {
	local pid
	for pid in $(pgrep -x containerd-shim); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-address $1 " && echo "$pid"
	done
	return 0
}

start_containerd() {
	(
		close_extra_fds
		exec containerd --config "$1/config.toml" </dev/null >"$1/containerd.log" 2>&1
	) &
	CONTAINERD_PID=$!
}

stop_containerd() {
	local pid=$1 sock=$2 line
	if [[ -n $pid ]] && pid_alive "$pid"; then
		kill -TERM "$pid"
		wait "$pid" 2>/dev/null || true
		wait_for pid_gone "$pid" || {
			echo "containerd $pid did not stop on SIGTERM"
			kill -KILL "$pid"
		}
	fi
	for line in $(shim_pids "$sock"); do
		echo "shim $line left running"
		kill -KILL "$line"
	done
}
