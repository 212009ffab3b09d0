ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo "# $1:$(( (t1-t0)/1000000 )) " >&3
}
spin() {
	local n=0
	while [ $n -lt $1 ]; do n=$((n+1)); done
}
@test "exec" {
	for i in 1 2 3; do ms /bin/true; ms /bin/busybox true; done
	cat /sys/devices/system/clocksource/clocksource0/current_clocksource >&3
}
@test "spin" {
	ms spin 100
	ms spin 1000
	ms spin 5000
}
