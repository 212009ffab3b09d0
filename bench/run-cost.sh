#!/bin/bash
# CPU cost of one `RUNTIME run` of /bin/true, for silo, crun and runc measured in the same
# run, and silo's ratio to each.  CPU = task-clock of the runtime and everything it starts
# (perf stat follows children), averaged over N runs.  Same config for all: the default
# `runc spec` shape without seccomp and without a terminal.
#
#   bench/run-cost.sh [N]        (root; SILO=path/to/silo, default ./silo)
#
# Debian's crun 1.8.1 refuses a host whose hugetlb controller sits in cgroup2 while the rest
# is v1, and is then reported as "refused".  To measure it there, move hugetlb to a v1
# hierarchy of its own by hand first (only on a machine where changing the cgroup layout
# is allowed; it cannot be undone without unmounting, and silo works either way):
#   mkdir /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
set -euo pipefail
runs=${1:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
silo=${SILO:-$here/silo}
work=$(mktemp -d /tmp/silo-bench-bundle.XXXXXX)
cleanup () { rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/"
ln -s busybox "$work/rootfs/bin/true"
ln -s busybox "$work/rootfs/bin/sh"
"$silo" spec -b "$work"
# crun 1.8.1 refuses ociVersion 1.3.0 ("unknown version specified"); the fields are 1.0's.
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"] | del(.linux.seccomp)' \
   "$work/config.json" > "$work/config.json.new" && mv "$work/config.json.new" "$work/config.json"

# task-clock in ms per run of: RUNTIME --root ROOT run ID
measure () {
  local runtime=$1 root=$work/root-$(basename "$1")
  local script=$work/one-$(basename "$1").sh
  cat > "$script" <<SCRIPT
#!/bin/sh
exec $runtime --root $root run -b $work bench-\$\$ >/dev/null 2>&1
SCRIPT
  chmod +x "$script"
  if ! "$script"; then echo "refused"; return; fi
  perf stat -x, -e task-clock -r "$runs" "$script" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'
}

declare -A cost
for rt in "$silo" crun runc; do
  if ! command -v "$rt" >/dev/null; then cost[$rt]=missing; continue; fi
  cost[$rt]=$(measure "$(command -v "$rt")")
done

printf '%-8s %-30s %s\n' runtime version "CPU ms per run (task-clock, mean of $runs)"
printf '%-8s %-30s %s\n' silo "$("$silo" --version | head -1)" "${cost[$silo]}"
printf '%-8s %-30s %s\n' crun "$(crun --version 2>/dev/null | head -1)" "${cost[crun]}"
printf '%-8s %-30s %s\n' runc "$(runc --version 2>/dev/null | head -1)" "${cost[runc]}"
for other in crun runc; do
  if [[ ${cost[$silo]} =~ ^[0-9.]+$ && ${cost[$other]} =~ ^[0-9.]+$ ]]; then
    printf 'silo / %s = %.2f\n' "$other" "$(echo "${cost[$silo]} / ${cost[$other]}" | bc -l)"
  else
    printf 'silo / %s = n/a (%s)\n' "$other" "${cost[$other]}"
  fi
done
