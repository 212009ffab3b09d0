# Helpers for tests/cgroups-*.bats: where a container's cgroup files are on this host's
# layout, and the plan that turns tests/cgroup-resources.tsv into containers and updates.
# Load after helpers/common.
#
# Interface:
#   cg_layout CONTROLLER      v1 | v2 | (empty: not on this host).  CONTROLLER is the
#                             prefix of a file name (memory, cpu, cpuset, io, hugetlb...);
#                             "cgroup" (the core files) is v2 wherever cgroup2 is mounted
#   cg_host_layout            v1 | v2 | hybrid (v1 hierarchies beside a cgroup2 mount)
#   cg_file ID FILE           the path of FILE in container ID's cgroup (cgroupsPath /ID),
#                             in the hierarchy that holds FILE's controller
#   cg_value ID FILE          its content (one line: the file's lines joined by "; ")
#   cg_counter ID FILE NAME   the number after NAME in a flat-keyed file (memory.events,
#                             cpu.stat, pids.events, memory.oom_control); 0 when absent
#   cg_thaw ID                thaw ID's cgroup behind the runtime's back (cleanup only)
#   cg_has_line TEXT EXPECTED the file text equals EXPECTED, or one of its lines does
#   cg_exited PID             PID (a child of the test shell) has exited (zombie or gone)
#   cg_events_ended ID PID ERR-FILE
#                             the `events` stream PID (a child) ends by itself, with
#                             status 0, once container ID has stopped
#   cg_loop_setup / cg_loop_teardown
#                             a 1 MiB loop device with the bfq scheduler, for the table's
#                             @MAJ@:@MIN@ rows (setup_file / teardown_file); CG_LOOP_MAJMIN
#                             is "MAJ:MIN", or empty with CG_LOOP_WHY saying why not
#   cg_plan LAYOUT            the table's rows for LAYOUT as a JSON plan on stdout (below)
#   cg_steps LAYOUT           the same as lines for a shell loop
#
# The plan: {"groups": [{"resources": {...}, "rows": [ROW...]}], "skipped": [ROW...]}
# where ROW is {"key", "file", "expected", "updates": [{"resources", "expected", "flags":
# [...] or null (then -r)}...]}, or for what is skipped {"key", "file", "expected",
# "skip": why, "what": "row" | "update"}.
#
# A family is the rows of one key and file that set the same fields to other values
# (cpu.shares -> cpu.weight: 2, 3, 10 ... 262144).  The first row of each family is
# checked after create, in one of a few containers; the family's other rows are its
# updates, checked one after the other in that container (so the table's 76 rows need 2
# to 4 containers per layout, not 76).  A family of one row is updated to "another
# value": its one number that the file shows as written, doubled (1 and 0 swap), with the
# expected text changed to match; a row without such a number is checked after create
# only.  Rows share a container when their values agree wherever both set a field, their
# files agree on the expected text, and, for fields the kernel reads together (memory
# limit and swap, quota/period/burst, shares and idle, the real-time pair, blockIO
# weights, hugetlb limits), one row's fields contain the other's.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

CG_TABLE=$TESTS_DIR/cgroup-resources.tsv

# The cgroup mounts, read once when this file is loaded: CG_V1[CONTROLLER]=MOUNT (named
# hierarchies as name=systemd), CG_V2 (the cgroup2 mount or empty), CG_V2_CONTROLLERS.
declare -gA CG_V1=()
CG_V2='' CG_V2_CONTROLLERS=''
while read -r cg_kind cg_mount cg_options; do
	if [[ $cg_kind == cgroup2 ]]; then
		[[ -n $CG_V2 ]] || CG_V2=$cg_mount
		continue
	fi
	for cg_option in ${cg_options//,/ }; do
		[[ $cg_option == rw || $cg_option == ro ]] || CG_V1[$cg_option]=$cg_mount
	done
done < <(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/) print $(i + 1), $5, $(i + 3) }' \
	/proc/self/mountinfo)
[[ -z $CG_V2 ]] || CG_V2_CONTROLLERS=" $(cat "$CG_V2/cgroup.controllers") "
unset cg_kind cg_mount cg_options cg_option

cg_layout() {
	if [[ -n ${CG_V1[$1]:-} ]]; then
		echo v1
	elif [[ -n $CG_V2 ]] && [[ $1 == cgroup || $CG_V2_CONTROLLERS == *" $1 "* ]]; then
		echo v2
	fi
}

cg_host_layout() {
	if ((${#CG_V1[@]} == 0)); then
		echo v2
	elif [[ -n $CG_V2 ]]; then
		echo hybrid
	else
		echo v1
	fi
}

cg_controller() {
	echo "${1%%.*}"
}

cg_dir() { # cg_dir ID CONTROLLER
	case $(cg_layout "$2") in
	v1) echo "${CG_V1[$2]}/$1" ;;
	v2) echo "$CG_V2/$1" ;;
	*) return 1 ;;
	esac
}

cg_file() {
	local dir
	dir=$(cg_dir "$1" "$(cg_controller "$2")") || fail "no $(cg_controller "$2") controller on this host for $2"
	echo "$dir/$2"
}

cg_value() {
	local path
	path=$(cg_file "$1" "$2") || return 1
	[[ -e $path ]] || { echo "(no file $path)"; return 0; }
	paste -sd';' "$path" | sed 's/;/; /g'
}

cg_counter() {
	local value
	value=$(awk -v k="$3" '$1 == k { print $2; exit }' "$(cg_file "$1" "$2")")
	echo "${value:-0}"
}

cg_thaw() {
	if [[ -n ${CG_V1[freezer]:-} ]]; then
		echo THAWED >"${CG_V1[freezer]}/$1/freezer.state"
	elif [[ -n $CG_V2 ]]; then
		echo 0 >"$CG_V2/$1/cgroup.freeze"
	fi 2>/dev/null
	return 0
}

cg_has_line() {
	[[ $1 == "$2" ]] || grep -qxF -- "$2" <<<"$1"
}

cg_exited() {
	[[ ! -d /proc/$1 ]] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# runc 1.1.5 ends the stream only when the container is deleted: then delete it first.
cg_events_ended() {
	if [[ $RUNTIME_KIND == runc && -z ${SILO_TEST_STRICT:-} ]]; then
		echo "# runc: 1.1.5's events stream ends when the container is deleted, not when it stops" >&3
		rt delete "$1" </dev/null || fail "delete $1 failed"
	fi
	wait_for cg_exited "$2" || fail "events still runs after the container stopped"
	wait "$2" || fail "events exited with status $?: $(cat "$3")"
}

# ---------------------------------------------------------------------------------------
# A block device for the @MAJ@:@MIN@ rows.

cg_loop_setup() {
	CG_LOOP_MAJMIN='' CG_LOOP_WHY='' CG_LOOP_DEV=''
	local image=$BATS_FILE_TMPDIR/loop.img name
	command -v losetup >/dev/null || { CG_LOOP_WHY="no losetup"; return 0; }
	truncate -s 1M "$image" &&
		CG_LOOP_DEV=$(losetup -f --show "$image" 2>/dev/null) ||
		{ CG_LOOP_WHY="cannot attach a loop device"; return 0; }
	name=${CG_LOOP_DEV#/dev/}
	if ! grep -qw bfq "/sys/block/$name/queue/scheduler" 2>/dev/null &&
		! modprobe bfq 2>/dev/null; then
		CG_LOOP_WHY="the kernel has no bfq I/O scheduler"
	elif ! echo bfq >"/sys/block/$name/queue/scheduler" 2>/dev/null; then
		CG_LOOP_WHY="cannot select bfq for $CG_LOOP_DEV"
	else
		CG_LOOP_MAJMIN=$(cat "/sys/block/$name/dev")
	fi
	export CG_LOOP_MAJMIN CG_LOOP_WHY CG_LOOP_DEV
}

cg_loop_teardown() {
	[[ -z ${CG_LOOP_DEV:-} ]] || losetup -d "$CG_LOOP_DEV"
	rm -f "$BATS_FILE_TMPDIR/loop.img"
}

# ---------------------------------------------------------------------------------------
# The host, as the plan needs it: {"layouts": {CONTROLLER: "v1"|"v2"|""}, "files":
# {"LAYOUT:CONTROLLER": [FILE...]}, "hugepages": ["2MB"...], "rdma_devices", "majmin",
# "majmin_why", "runtime", "strict", "host": v1|v2|hybrid}.  The files are those of a
# new empty cgroup (made and removed here): a controller whose files a new cgroup2 child
# lacks (not passed down from the root) is not listed, and the plan then assumes its
# files exist.

cg_probe_files() { # cg_probe_files MOUNT LAYOUT: "LAYOUT:CONTROLLER FILE" lines
	local probe=$1/silo-cgprobe-$$ file
	mkdir "$probe" 2>/dev/null || return 0
	for file in "$probe"/*; do
		file=${file##*/}
		echo "$2:${file%%.*} $file"
	done
	rmdir "$probe"
}

cg_host_facts() {
	local controllers="memory cpu cpuset pids blkio io hugetlb net_cls net_prio rdma cgroup"
	local controller mount size layouts=() files hugepages
	for controller in $controllers; do
		layouts+=("$controller=$(cg_layout "$controller")")
	done
	files=$(
		for mount in $(printf '%s\n' "${CG_V1[@]}" | sort -u); do
			cg_probe_files "$mount" v1
		done
		[[ -z $CG_V2 ]] || cg_probe_files "$CG_V2" v2
	)
	# hugepages-2048kB -> 2MB, as hugetlb's file names say it
	hugepages=$(
		for size in /sys/kernel/mm/hugepages/hugepages-*kB; do
			size=${size##*-} && size=${size%kB}
			[[ $size != '*' ]] || continue
			((size >= 1048576)) && echo "$((size / 1048576))GB" && continue
			((size >= 1024)) && echo "$((size / 1024))MB" && continue
			echo "${size}KB"
		done
	)
	jq -n --args --arg files "$files" --arg hugepages "$hugepages" \
		--arg majmin "${CG_LOOP_MAJMIN:-}" --arg why "${CG_LOOP_WHY:-not set up}" \
		--arg runtime "$RUNTIME_KIND" --arg strict "${SILO_TEST_STRICT:-}" \
		--arg host "$(cg_host_layout)" --arg rdma "$(ls /sys/class/infiniband 2>/dev/null)" '{
		layouts: ($ARGS.positional | map(split("=") | {(.[0]): .[1]}) | add),
		files: ($files | split("\n") | map(select(. != "") | split(" "))
			| group_by(.[0]) | map({(.[0][0]): map(.[1])}) | add // {}),
		hugepages: ($hugepages | split("\n") | map(select(. != ""))),
		rdma_devices: ($rdma | split("\n")),
		majmin: $majmin, majmin_why: $why, runtime: $runtime, strict: ($strict != ""),
		host: $host
	}' "${layouts[@]}"
}

# ---------------------------------------------------------------------------------------
# The plan (jq; input: the table's text, $facts, $layout).

CG_PLAN_JQ='
def controller: split(".")[0];
def hugepage_size: capture("^hugetlb\\.(?<s>[0-9]+[KMG]B)\\.").s // null;

def parse_rows:
	split("\n") | map(select(test("^[^#]") ) | split("\t")
		| {key: .[0], json: .[1], layout: .[2], file: .[3], expected: .[4]});

def with_device:
	if (.json | test("@MAJ@")) | not then .
	elif $facts.majmin == "" then .skip = "no block device for @MAJ@:@MIN@: \($facts.majmin_why)"
	else ($facts.majmin | split(":")) as $mm
		| .json |= (gsub("@MAJ@"; $mm[0]) | gsub("@MIN@"; $mm[1]))
		| .expected |= (gsub("@MAJ@"; $mm[0]) | gsub("@MIN@"; $mm[1]))
	end;

# runc 1.1.5, where it differs by design (skip_on: SILO_TEST_STRICT runs them anyway).
def runc_skip:
	if $facts.runtime != "runc" or $facts.strict then null
	elif .layout == "v2" and $facts.host == "hybrid" then
		"runc: 1.1.5 on a hybrid host applies linux.resources to the v1 hierarchies only"
	elif (.resources.memory.limit // -1) >= 0 and .resources.memory.limit < 16777216 then
		"runc: 1.1.5 writes the limits once its init (about 2 MiB) is in the cgroup: a limit this low fails"
	elif .key == "cpu.burst" or .key == "cpu.idle" then
		"runc: 1.1.5 has no cpu.burst and cpu.idle (runc 1.2 added them)"
	else null end;

# runc 1.1.5 update: -r reads only the fields it has flags for.
def runc_update_skip:
	if $facts.runtime != "runc" or $facts.strict then null
	elif all(.resources | paths(scalars) | map(tostring) | join(".");
		IN("memory.limit", "memory.reservation", "memory.swap", "cpu.shares", "cpu.quota",
			"cpu.period", "cpu.realtimeRuntime", "cpu.realtimePeriod", "cpu.cpus", "cpu.mems",
			"blockIO.weight", "pids.limit")) then null
	else "runc: 1.1.5 update changes only the fields it has flags for" end;

def applicability:
	(.file | controller) as $c | ($facts.layouts[$c] // "") as $host
	| ($facts.files["\(.layout):\($c)"] // []) as $files
	| if .skip then .
	elif $c == "io" and $facts.layouts.blkio == "v1" then .skip = "the block I/O controller is cgroup v1 (blkio) on this host"
	elif $c == "cgroup" and $host == "" then .skip = "this host has no cgroup2 mount"
	elif $host == "" then .skip = "this host has no \($c) controller"
	elif $host != .layout then .skip = "\($c) is a cgroup \($host) controller on this host"
	elif .file as $f | ($files | length) > 0 and ($files | index([$f]) | not) then .skip = "the kernel has no \(.file)"
	elif (.file | hugepage_size) as $s | $s != null and ($facts.hugepages | index([$s]) | not)
		then .skip = "the kernel has no \(.file | hugepage_size) huge pages"
	elif .file == "io.weight" and ($files | index(["io.bfq.weight"]))
		then .skip = "bfq is loaded: weights go to io.bfq.weight (io.weight is for hosts without it)"
	elif .key | startswith("rdma.") and (.[5:] as $d | $facts.rdma_devices | index([$d]) | not)
		then .skip = "no RDMA device \(.key[5:])"
	else .skip = runc_skip end;

def coupling:
	if test("^memory\\.(limit|swap|disableOOMKiller)$") then "memory.limit"
	elif test("^cpu\\.(shares|idle)$") then "cpu.shares"
	elif test("^cpu\\.(quota|period|burst)$") then "cpu.quota"
	elif test("^cpu\\.realtime") then "cpu.realtime"
	elif test("^blockIO\\.weight") then "blockIO.weight"
	elif test("^(hugepageLimits|unified\\.hugetlb)") then "hugetlb"
	else . end;

def prepare:
	.resources = (if .skip then null else .json | fromjson end) | del(.json)
	| .leaves = [.resources | paths(scalars)] | .coupling = (.key | coupling);

def fits($g; $r):
	all($r.leaves[]; . as $p | (try ($g.resources | getpath($p)) catch "clash") as $v
		| $v == null or $v == ($r.resources | getpath($p)))
	and all($g.rows[] | select(.file == $r.file); .expected == $r.expected)
	and (($g.coupled[$r.coupling] // null) as $s
		| $s == null or ($r.leaves - $s) == [] or ($s - $r.leaves) == []);

def add_row($r):
	(first(range(length) as $i | select(fits(.[$i]; $r)) | $i) // length) as $i
	| .[$i] |= (.resources = ((.resources // {}) * $r.resources) | .rows += [$r]
		| .coupled[$r.coupling] = ((.coupled[$r.coupling] // []) + $r.leaves | unique));

# A family: the rows of one key and file that set the same fields (to other values).
def family: "\(.key)|\(.file)|\(.leaves | sort | tojson)";

# A number its file shows as written, doubled (1 and 0 swap), for a family of one row.
def tokens: [splits("[ =]")];
def other_number: if . == 1 then 0 elif . == 0 then 1 else . * 2 end;
def synthesized:
	. as $r | [ $r.leaves[] | . as $p | ($r.resources | getpath($p)) as $v
		| select(($v | type) == "number" or ($r.key | startswith("unified.")))
		| select(($v | tostring) as $t | ($t | test("^[0-9]+$")) and ($r.expected | tokens | index([$t])))
		| {path: $p, value: $v} ] as $found
	| if ($found | length) != 1 then empty
	else $found[0] as $f | ($f.value | tonumber | other_number) as $n
		| (if ($f.value | type) == "string" then ($n | tostring) else $n end) as $new
		| {resources: ($r.resources | setpath($f.path; $new)),
		   expected: ($r.expected | gsub("(?<![^ =])\($f.value | tostring)(?![^ =])"; $new | tostring))}
	end;

def flag_names: {
	"memory.limit": "memory", "memory.swap": "memory-swap", "memory.reservation": "memory-reservation",
	"cpu.shares": "cpu-share", "cpu.quota": "cpu-quota", "cpu.period": "cpu-period",
	"cpu.burst": "cpu-burst", "cpu.idle": "cpu-idle", "cpu.realtimeRuntime": "cpu-rt-runtime",
	"cpu.realtimePeriod": "cpu-rt-period", "cpu.cpus": "cpuset-cpus", "cpu.mems": "cpuset-mems",
	"pids.limit": "pids-limit", "blockIO.weight": "blkio-weight" };

# runc reads 0 as "not given" for --pids-limit and --blkio-weight: those go through -r.
def flags:
	[ paths(scalars) as $p | {name: flag_names[$p | map(tostring) | join(".")], value: getpath($p)}
		| if .name == null or (.value == 0 and (.name == "pids-limit" or .name == "blkio-weight"))
		then null else "--\(.name)=\(.value)" end ]
	| if any(. == null) then null else . end;

# The first row of each family is created; the others are its updates, in table order.
def with_updates($rows):
	. as $r
	| [ $rows[] | select(.n != $r.n and family == ($r | family)) | {resources, expected} ] as $others
	| (if $others != [] then $others else [$r | synthesized] end
		| map(. + {flags: (.resources | flags), skip: runc_update_skip})) as $updates
	| .updates = ($updates | map(select(.skip == null) | del(.skip)))
	| .skipped_updates = ($updates | map(select(.skip != null) | {file: $r.file, skip}));

(parse_rows | to_entries | map(.value + {n: .key}) | map(select(.layout == $layout)
	| with_device | prepare | applicability)) as $all
| ($all | map(select(.skip == null))) as $rows
| ($rows | map(select(family as $f | .n == first($rows[] | select(family == $f) | .n))
	| with_updates($rows))) as $created
| {
	groups: (reduce $created[] as $r ([]; add_row($r))
		| map({resources, rows: (.rows | map({key, file, expected, updates}))})),
	skipped: ($all | map(select(.skip != null) | {key, file, expected, skip, what: "row"})
		+ ($created | map(.skipped_updates[] | . + {what: "update"})))
}'

cg_plan() {
	local facts
	facts=$(cg_host_facts) || return 1
	jq -R -s --argjson facts "$facts" --arg layout "$1" "$CG_PLAN_JQ" "$CG_TABLE"
}

# cg_steps LAYOUT: the plan as tab-separated lines for a shell loop ("-": none):
#   skip    "N row(s)"|"N update(s)"  FILES  REASON
#   create  N     RESOURCES-JSON
#   check   FILE  EXPECTED  KEY                      (after create)
#   update  FLAGS|-  RESOURCES-JSON  FILE  EXPECTED  (each checked after it is written)
cg_steps() {
	cg_plan "$1" | jq -r '
		(.skipped | group_by([.what, .skip])[]
			| ["skip", "\(length) \(.[0].what)(s)", (map(.file) | unique | join(", ")), .[0].skip]),
		(.groups | to_entries[] | .key as $n | .value
			| ["create", $n, (.resources | tojson)],
			  (.rows[] | ["check", .file, .expected, .key]),
			  (.rows[] | .file as $file | .updates[]
				| ["update", (.flags // ["-"] | join(" ")), (.resources | tojson), $file, .expected]))
		| @tsv'
}
