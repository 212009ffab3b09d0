load helpers/common
@test "smoke run" {
  requires_containers
  run_container -- 'echo hello; ls -l /proc/self/fd; hostname'
  echo "$output" "$stderr"
  assert_success
  assert_line hello
}
@test "smoke create" {
  requires_containers
  set_args sleep 100
  run --separate-stderr rt_create "$ID"
  assert_success
  [[ $(container_status $ID) == created ]]
  ls /sys/fs/cgroup/pids/
}
@test "leftover detection" {
  mkdir /sys/fs/cgroup/pids/${TOKEN}x
  mkdir $ROOT/junk
}
