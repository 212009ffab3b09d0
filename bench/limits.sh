#!/bin/bash
# Do the limits hold?  Memory 50/100/256 MiB (peak against the limit, the OOM kill at it),
# CPU 25/50/75/100 % of one CPU (the share measured, next to what the same load gets
# unlimited: the host's own contention), pids 10/50/100 (the processes reached).
#
#   bench/limits.sh            (root; make bench-limits builds bench/hog and runs it)
#   SILO=./silo HOG=bench/hog RUNTIMES="silo runc" OUT=bench/out bench/limits.sh
#
# Each case is a container of the `silo spec` config running bench/hog (static) with one
# limit in linux.resources and its own cgroupsPath; its cgroup files are read once the hog
# ended, before `delete` removes them.  Works on cgroup v1, hybrid and v2 hosts; in the
# cgroup v2 guest (tests/vm/): CGROUP_VM_TESTS is for bats files, so boot the guest with
# tests/vm/run.sh and run this script in it by hand (bench/README.md).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
silo=${SILO:-$here/silo}
hog=${HOG:-$here/bench/hog}
out=${OUT:-$here/bench/out}
runtimes=${RUNTIMES:-silo $(command -v runc >/dev/null && echo runc)}
work=$(mktemp -d /tmp/silo-limits.XXXXXX)
mkdir -p "$out"
ids=()
cleanup () {
  for entry in "${ids[@]}"; do "${entry%%:*}" --root "$work/root" delete --force "${entry#*:}" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/dev"
cp /bin/busybox "$work/rootfs/bin/" && ln -s busybox "$work/rootfs/bin/sh"
cp "$hog" "$work/rootfs/bin/hog"
mkdir -p "$work/spec" && "$silo" spec -b "$work/spec"

if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then v2=/sys/fs/cgroup; else v2=; fi
path_of () { local rt=$1; [[ $rt == silo ]] && echo "$silo" || command -v "$rt"; }

# run_case RUNTIME NAME RESOURCES-JSON HOG-ARGS...: prints the hog's last line, then the
# cgroup readings "peak_bytes oom_kills cpu_usage_ns"
run_case () {
  local rt=$1 name=$2 resources=$3; shift 3
  local id="limits-$$-$name" cg="/silo-bench-limits-$$-$name" bin
  bin=$(path_of "$rt")
  mkdir -p "$work/$id"
  jq --arg root "$work/rootfs" --arg cg "$cg" --argjson res "$resources" --args \
    '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/hog"] + $ARGS.positional
     | .root = {path: $root, readonly: true} | .linux.cgroupsPath = $cg | .linux.resources = $res
     | del(.linux.seccomp)' "$@" < "$work/spec/config.json" > "$work/$id/config.json"
  ids+=("$bin:$id")
  "$bin" --root "$work/root" create --bundle "$work/$id" "$id" </dev/null >"$work/$id.out" 2>"$work/$id.err" ||
    { echo "refused: $(tail -1 "$work/$id.err")"; echo "0 0 0"; return; }
  "$bin" --root "$work/root" start "$id"
  while "$bin" --root "$work/root" state "$id" 2>/dev/null | jq -e '.status != "stopped"' >/dev/null; do sleep 0.1; done
  tail -1 "$work/$id.out"
  if [[ -n $v2 ]]; then
    echo "$(cat "$v2$cg/memory.peak" 2>/dev/null || echo 0) $(awk '/^oom_kill /{print $2}' "$v2$cg/memory.events" 2>/dev/null || echo 0) 0"
  else
    echo "$(cat "/sys/fs/cgroup/memory$cg/memory.max_usage_in_bytes") $(awk '/^oom_kill /{print $2}' "/sys/fs/cgroup/memory$cg/memory.oom_control") 0"
  fi
  "$bin" --root "$work/root" delete "$id"
}

memsw=false
[[ -z $v2 && -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]] && memsw=true
json="$work/limits.json"
echo '{"memory":[],"cpu":[],"pids":[]}' > "$json"
add () { jq --arg k "$1" --argjson v "$2" '.[$k] += [$v]' "$json" > "$json.new" && mv "$json.new" "$json"; }

for rt in $runtimes; do
  for mib in 50 100 256; do
    bytes=$((mib * 1024 * 1024)) res="{\"memory\":{\"limit\":$bytes}}"
    # swap would let the hog go past the limit without an OOM kill: none for it
    { [[ -n $v2 ]] || $memsw; } && res="{\"memory\":{\"limit\":$bytes,\"swap\":$bytes}}"
    mapfile -t r < <(run_case "$rt" "mem$mib" "$res" mem $((mib + 64)))
    read -r peak ooms _ <<<"${r[1]}"
    add memory "$(jq -n --arg rt "$rt" --argjson l "$mib" --arg last "${r[0]}" --argjson p "$peak" --argjson o "${ooms:-0}" \
      '{runtime: $rt, limit_mib: $l, hog_last: $last, peak_mib: ($p / 1048576), oom_kills: $o}')"
  done
  for pct in 25 50 75 100; do
    for quota in $((pct * 1000)) none; do
      res="{\"cpu\":{\"quota\":$quota,\"period\":100000}}"
      [[ $quota == none ]] && res='{}'
      mapfile -t r < <(run_case "$rt" "cpu$pct-$quota" "$res" cpu 3)
      read -r _ used wall <<<"${r[0]}"
      add cpu "$(jq -n --arg rt "$rt" --argjson l "$pct" --arg q "$quota" --argjson u "${used:-0}" --argjson w "${wall:-1}" \
        --arg load "$(cut -d' ' -f1 /proc/loadavg)" \
        '{runtime: $rt, limit_pct: $l, limited: ($q != "none"), share_pct: (100 * $u / $w), load1: $load}')"
    done
  done
  for n in 10 50 100; do
    mapfile -t r < <(run_case "$rt" "pids$n" "{\"pids\":{\"limit\":$n}}" pids 200)
    add pids "$(jq -n --arg rt "$rt" --argjson l "$n" --arg last "${r[0]}" \
      '{runtime: $rt, limit: $l, reached: ($last | ltrimstr("pids ") | tonumber? // null), hog_last: $last}')"
  done
done
cp "$json" "$out/limits.json"

{
  echo "## Limits: do they hold? ($(date -u '+%Y-%m-%d %H:%M UTC'), cgroups $([[ -n $v2 ]] && echo v2 || echo "v1/hybrid"), load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| runtime | memory limit MiB | peak MiB | OOM kills | hog's last line |"
  echo "|---|---|---|---|---|"
  jq -r '.memory[] | "| \(.runtime) | \(.limit_mib) | \(.peak_mib * 10 | round / 10) | \(.oom_kills) | \(.hog_last) |"' "$json"
  echo
  echo "CPU: the hog spins for 3 s; share = its CPU time / wall time, with the quota and without"
  echo "(the unlimited run shows what the shared host leaves it)."
  echo
  echo "| runtime | CPU limit % | share % with the quota | share % unlimited | load |"
  echo "|---|---|---|---|---|"
  jq -r '.cpu as $c | [$c[] | select(.limited)] | .[] | . as $x
    | ($c[] | select(.runtime == $x.runtime and .limit_pct == $x.limit_pct and (.limited | not))) as $u
    | "| \($x.runtime) | \($x.limit_pct) | \($x.share_pct | round) | \($u.share_pct | round) | \($x.load1) |"' "$json"
  echo
  echo "| runtime | pids limit | processes reached (the hog + its children) |"
  echo "|---|---|---|"
  jq -r '.pids[] | "| \(.runtime) | \(.limit) | \(if .reached then .reached + 1 else .hog_last end) |"' "$json"
} > "$out/limits.md"

if command -v gnuplot >/dev/null; then
  jq -r '.memory[] | "\(.runtime)-\(.limit_mib)MiB \(.limit_mib) \(.peak_mib)"' "$json" > "$out/limits-mem.dat"
  jq -r '.cpu[] | select(.limited) | "\(.runtime)-\(.limit_pct)% \(.limit_pct) \(.share_pct)"' "$json" > "$out/limits-cpu.dat"
  jq -r '.pids[] | "\(.runtime)-\(.limit) \(.limit) \((.reached // 0) + 1)"' "$json" > "$out/limits-pids.dat"
  gnuplot <<GP
set terminal png size 1200,420
set output '$out/limits.png'
set multiplot layout 1,3 title 'limit (grey) against what the container reached (colour)'
set style data histograms
set style fill solid border -1
set xtics rotate by -40
set yrange [0:*]
set title 'memory MiB'
plot '$out/limits-mem.dat' using 2:xtic(1) lc rgb 'grey' title 'limit', '' using 3 title 'peak'
set title 'CPU % of one CPU'
plot '$out/limits-cpu.dat' using 2:xtic(1) lc rgb 'grey' title 'limit', '' using 3 title 'share'
set title 'pids'
plot '$out/limits-pids.dat' using 2:xtic(1) lc rgb 'grey' title 'limit', '' using 3 title 'reached'
unset multiplot
GP
fi
cat "$out/limits.md"
