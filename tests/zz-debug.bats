load helpers/common
@test "debug" {
	cfg '.linux.readonlyPaths = []'
	run_container -- 'echo 1 > /proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/ip_forward; grep /proc/sys /proc/self/mountinfo; echo 1 > /proc/sys/net/ipv4/conf/all/log_martians; echo 100 > /proc/sys/kernel/msgmax; cat /proc/sys/kernel/msgmax'
	echo "status=$status" >&3
	echo "$output" >&3
	echo "$stderr" >&3
}
